"""Progress for long work: a rich bar on a terminal, plain lines otherwise (CI, pipes)."""
from __future__ import annotations

import sys


class Reporter:
    """Receives (stage, done, total) updates and shows them on stderr."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress = None
        self._tasks: dict[str, int] = {}
        self._last: tuple[str, int] | None = None

    def __enter__(self) -> "Reporter":
        if self.enabled and sys.stderr.isatty():
            from rich.progress import Progress

            self._progress = Progress(transient=False)
            self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._progress is not None:
            task = self._tasks.get(stage)
            if task is None:
                task = self._tasks[stage] = self._progress.add_task(stage, total=total or None)
            self._progress.update(task, completed=done, total=total or None)
            return
        # Without a terminal: a line per stage change and per 10 % step.
        step = (stage, int(10 * done / total) if total else 0)
        if step != self._last:
            self._last = step
            print(f"{stage}: {done}/{total}" if total else stage, file=sys.stderr, flush=True)

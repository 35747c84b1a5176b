"""Answering in several processes: each worker opens its own engine over the same index (the vectors are
memory-mapped, so the operating system shares their pages between workers instead of copying them), and
questions are handed to whichever worker is free. One process answers one question at a time; N processes
answer N at once, so throughput grows with cores."""
from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from .config import Settings
from .errors import AssistantError
from .types import Answer, Language

_ENGINE = None  # the engine of this worker process
_PROBLEM: AssistantError | None = None  # why it has none (no index, a stale one): said again for each question
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# Asked once by each worker as it starts, so the first user question does not pay for lazy set-up.
_WARM_UP = ("How many?", "Quanti sono?", "몇 개인가요?")


def _die_with_parent() -> None:
    """Linux: this worker gets SIGTERM when the serving process ends, even by SIGKILL, so none is left behind."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start(settings: Settings) -> None:
    global _ENGINE, _PROBLEM
    from .pipeline import ask, open_engine

    _die_with_parent()

    try:
        _ENGINE = open_engine(settings)
    except AssistantError as exc:  # the serving process meets it too and says it once; no traceback per worker
        _PROBLEM = exc
        return
    for question in _WARM_UP:
        try:
            ask(_ENGINE, question)
        except AssistantError:
            pass


def _engine():
    if _ENGINE is None:
        raise _PROBLEM or AssistantError("this answering process has no engine. Restart the server.")
    return _ENGINE


def _answer(question: str, language: Language | None, k: int | None, doc_ids: set[str] | None = None) -> Answer:
    from .pipeline import ask

    return ask(_engine(), question, language=language, k=k, doc_ids=doc_ids)


def _explained(question: str, language: Language | None, k: int | None, doc_ids: set[str] | None = None
               ) -> tuple[Answer, dict]:
    from .pipeline import ask_explained

    return ask_explained(_engine(), question, language=language, k=k, doc_ids=doc_ids)


def _ready() -> int:
    """Submitted once per worker at start: returns when a worker has loaded its engine."""
    return os.getpid()


class AnswerPool:
    """`workers` answering processes, started at once; `wait_ready` before handing them questions."""

    def __init__(self, settings: Settings, workers: int) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process that already runs threads
        self.workers = workers
        # Each worker gets its share of the cores: N workers on N cores run one thread each, not N × (model
        # threads + BLAS threads) fighting over them.
        threads = max(1, default_workers() // workers)
        single = settings.model_copy(update={"embed": settings.embed.model_copy(update={"threads": threads})})
        saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
        os.environ.update({name: str(threads) for name in _THREAD_VARIABLES})  # read by the workers' BLAS at import
        try:
            self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(single,))
            self._started = [self._pool.submit(_ready) for _ in range(workers)]  # spawns them, all at once
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def wait_ready(self) -> "AnswerPool":
        """Return once a worker has loaded its engine and can answer; raise if it could not. Questions asked
        meanwhile wait in the pool's queue for the first free worker."""
        done, _ = wait(self._started, return_when=FIRST_COMPLETED)
        try:
            for future in done:
                future.result()
        except BrokenProcessPool as exc:
            raise AssistantError(f"an answering process failed to start ({exc}). Run `policy-assistant ask` once "
                                 "to see why, or serve with --workers 1.") from exc
        return self

    def ask(self, question: str, language: Language | None, k: int | None = None,
            doc_ids: set[str] | None = None) -> Answer:
        return self.submit(question, language, k, doc_ids=doc_ids).result()

    def submit(self, question: str, language: Language | None, k: int | None = None, explain: bool = False,
               doc_ids: set[str] | None = None) -> Future:
        """The answer to come (await it with asyncio.wrap_future in an event loop); with `explain`, the answer and
        why (`pipeline.ask_explained`); `doc_ids` restricts the search to those documents."""
        return self._pool.submit(_explained if explain else _answer, question, language, k, doc_ids)

    def close(self) -> None:
        """Stop the workers now (questions still waiting are cancelled)."""
        processes = list((self._pool._processes or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
        self._pool.shutdown(wait=True)
        self._pool = None
        gc.collect()  # the pool's queues release their semaphores now, not in a warning at exit


def default_workers() -> int:
    """One answering process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)

"""Errors the assistant raises: each message says what happened and what to do next."""
from __future__ import annotations


class AssistantError(Exception):
    """Base class; the CLI prints `error: <message>` and exits 1."""

    exit_code = 1


class InvalidQuestionError(AssistantError):
    """The question is empty, too long or otherwise unusable."""

    exit_code = 2


class UnsupportedLanguageError(AssistantError):
    """The question is in a language the assistant does not answer in."""

    exit_code = 2


class IndexMissingError(AssistantError):
    """No built index where one was expected."""


class IndexStaleError(AssistantError):
    """The index was built with another model or format, or from another corpus."""


class BuildRunningError(AssistantError):
    """Another build of the same index folder holds its lock."""


class UnreadableDocumentError(AssistantError):
    """A corpus file or catalog entry cannot be read; `reason` and `hint` say why and what to do."""

    def __init__(self, message: str, *, reason: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message
        self.hint = hint


class ConfigError(AssistantError):
    """A setting has a value the assistant cannot use."""

    exit_code = 2


class NothingIndexedError(AssistantError):
    """No document of the corpus yielded a passage; the previous index (if any) is left as it was."""

    def __init__(self, corpus, skipped) -> None:
        lines = "\n".join(f"  - {item.line()}" for item in skipped) or "  (the corpus folder holds no documents)"
        super().__init__(f"nothing could be indexed from '{corpus}'; the previous index, if any, is unchanged.\n{lines}")
        self.skipped = list(skipped)

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


class UnreadableDocumentError(AssistantError):
    """A corpus file or catalog entry cannot be read."""


class ConfigError(AssistantError):
    """A setting has a value the assistant cannot use."""

    exit_code = 2

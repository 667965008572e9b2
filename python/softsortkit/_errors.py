"""The exceptions every failing library call raises."""
from __future__ import annotations

from . import _constants as c

#: The error codes of softsortkit.h, by name.
CODES: dict[int, str] = {
    c.ERROR_INVALID_TEMPERATURE: "invalid temperature", c.ERROR_INVALID_POWER: "invalid power",
    c.ERROR_NON_FINITE: "non-finite input", c.ERROR_INVALID_SHAPE: "invalid shape",
    c.ERROR_INDEX_OUT_OF_RANGE: "index out of range", c.ERROR_INVALID_THREAD_COUNT: "invalid thread count",
    c.ERROR_BACKEND_UNAVAILABLE: "backend unavailable", c.ERROR_INVALID_ARGUMENT: "invalid argument",
    c.ERROR_NULL_POINTER: "null pointer", c.ERROR_UNSUPPORTED_PATH: "unsupported path",
    c.ERROR_OUT_OF_MEMORY: "out of memory",
}


class SoftSortKitError(ValueError):
    """A call into SoftSortKit failed; the message is the library's own.

    Attributes:
        code: the ``SOFTSORTKIT_ERROR_*`` code of softsortkit.h.
        kind: its name (``"invalid temperature"``, ...).
    """

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code
        self.kind = CODES.get(code, "unknown")


class UnsupportedPathError(SoftSortKitError):
    """The path asked for cannot compute the output, or cannot run with these
    settings (``"exact"`` needs SoftSort with ``power=1``, ``"gauss"``
    ``power=2``); the message names a path that can. Code
    ``SOFTSORTKIT_ERROR_UNSUPPORTED_PATH``."""


def error(message: str, code: int) -> SoftSortKitError:
    """The exception of a failing call's code."""
    return (UnsupportedPathError if code == c.ERROR_UNSUPPORTED_PATH else SoftSortKitError)(message, code)

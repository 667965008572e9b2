"""The exception every failing library call raises."""

#: The error codes of softsortkit.h, by name.
CODES = {
    1: "invalid temperature", 2: "invalid power", 3: "non-finite input", 4: "invalid shape",
    5: "index out of range", 6: "invalid thread count", 7: "backend unavailable", 8: "invalid argument",
    9: "null pointer", 10: "unsupported", 11: "out of memory",
}


class SoftSortKitError(ValueError):
    """A call into SoftSortKit failed; the message is the library's own.

    Attributes:
        code: the ``SOFTSORTKIT_ERROR_*`` code of softsortkit.h.
        kind: its name (``"invalid temperature"``, ...).
    """

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code
        self.kind = CODES.get(code, "unknown")

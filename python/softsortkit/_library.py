"""Loads libsoftsortkit.so with ctypes and declares every function of softsortkit.h.

Pointers are passed as integers (``c_void_p``), so a call converts no array.
"""
import ctypes
import os
import pathlib

from ._errors import SoftSortKitError

ABI_VERSION = 1

_P = ctypes.c_void_p
_I64 = ctypes.c_int64
_I32 = ctypes.c_int32
_D = ctypes.c_double

# name -> argument types (every function returns int32_t unless listed in _RESULTS)
_SIGNATURES = {
    "abi_version": [],
    "version": [],
    "last_error": [],
    "set_threads": [_I32],
    "threads": [],
    "set_backend": [_I32],
    "backend": [_P],
    "backend_available": [_I32],
    "release_scratch": [],
}
_RESULTS = {"version": ctypes.c_char_p, "last_error": ctypes.c_char_p, "release_scratch": None}
for _t in ("f32", "f64"):
    _SIGNATURES.update({
        f"softsort_forward_{_t}": [_P, _I64, _I64, _D, _D, _I32, _P, _P],
        f"softsort_backward_{_t}": [_P, _I64, _I64, _D, _D, _I32, _P, _P],
        f"neuralsort_forward_{_t}": [_P, _I64, _I64, _D, _I32, _P, _P],
        f"neuralsort_backward_{_t}": [_P, _I64, _I64, _D, _I32, _P, _P],
        f"softsort_apply_{_t}": [_P, _P, _I64, _I64, _I64, _D, _D, _I32, _P],
        f"softsort_apply_backward_{_t}": [_P, _P, _I64, _I64, _I64, _D, _D, _I32, _P, _P, _P],
        f"softsort_cross_entropy_{_t}": [_P, _P, _I64, _I64, _D, _D, _I32, _I32, _P, _P, _P],
        f"softsort_sorted_values_{_t}": [_P, _I64, _I64, _D, _D, _I32, _P],
        f"softsort_sorted_values_backward_{_t}": [_P, _I64, _I64, _D, _D, _I32, _P, _P],
        f"softsort_ranks_{_t}": [_P, _I64, _I64, _D, _D, _I32, _P],
        f"softsort_ranks_backward_{_t}": [_P, _I64, _I64, _D, _D, _I32, _P, _P],
    })


def _path():
    override = os.environ.get("SOFTSORTKIT_LIBRARY_PATH")
    return override if override else str(pathlib.Path(__file__).with_name("libsoftsortkit.so"))


class _Library:
    """The loaded library: ``lib.softsort_forward_f32(...)`` calls ``softsortkit_softsort_forward_f32``."""

    def __init__(self, path):
        self.path = path
        self.handle = ctypes.CDLL(path)
        for name, arguments in _SIGNATURES.items():
            function = getattr(self.handle, "softsortkit_" + name)
            function.argtypes = arguments
            function.restype = _RESULTS.get(name, _I32)
            setattr(self, name, function)
        if self.abi_version() != ABI_VERSION:
            raise ImportError(f"softsortkit: {path} has ABI version {self.abi_version()}, expected {ABI_VERSION}")


lib = _Library(_path())


def check(code):
    """Raises SoftSortKitError with the library's message when ``code`` is not 0."""
    if code != 0:
        raise SoftSortKitError(lib.last_error().decode("utf-8", "replace"), code)

"""Loads libsoftsortkit.so with ctypes and declares every function of softsortkit.h.

Arrays are passed by address (``c_void_p``), so a call converts no array;
``softsortkit_options`` is the ``Options`` structure below, passed by
reference. ``tests/test_abi_list.py`` proves ``_SIGNATURES``, ``_RESULTS`` and
``Options`` equal to the header and to the library's ``@_cdecl`` exports.
"""
from __future__ import annotations

import ctypes
import os
import pathlib
from typing import TYPE_CHECKING, Any

from . import _constants
from ._errors import error

ABI_VERSION = _constants.ABI_VERSION

_P = ctypes.c_void_p
_I64 = ctypes.c_int64
_I32 = ctypes.c_int32
_D = ctypes.c_double


class Options(ctypes.Structure):
    """``softsortkit_options``: four int32 then four double, 48 bytes."""
    _fields_ = [
        ("method", _I32), ("direction", _I32), ("path", _I32), ("window_width", _I32),
        ("temperature", _D), ("power", _D), ("window_tolerance", _D), ("accuracy", _D),
    ]


# name -> argument types (every function returns int32_t unless listed in _RESULTS)
_SIGNATURES: dict[str, list[Any]] = {
    "abi_version": [],
    "version": [],
    "last_error": [],
    "error_name": [_I32],
    "set_threads": [_I32],
    "threads": [],
    "set_backend": [_I32],
    "backend": [_P],
    "backend_available": [_I32],
    "release_scratch": [],
    "options_init": [_P],
}
_RESULTS: dict[str, Any] = {"version": ctypes.c_char_p, "last_error": ctypes.c_char_p, "error_name": ctypes.c_char_p,
            "release_scratch": None,
            "options_init": None}

# Every output: (options, scores, batch, count, <inputs>, <outputs>, path_used).
_SCORES = [_P, _P, _I64, _I64]
_VALUES = [_P, _I64]  # values, dimension
_PRODUCT_ROWS: dict[str, list[Any]] = {"apply": [], "apply_transposed": [], "top_k": [_I64], "quantiles": [_P, _I64]}
for _t in ("f32", "f64"):
    _SIGNATURES.update({
        f"matrices_{_t}": _SCORES + [_P, _P],
        f"matrices_backward_{_t}": _SCORES + [_P, _P, _P],
        f"permutation_{_t}": _SCORES + [_P],
        f"sorted_values_{_t}": _SCORES + [_P, _P],
        f"sorted_values_backward_{_t}": _SCORES + [_P, _P, _P],
        f"ranks_{_t}": _SCORES + [_P, _P],
        f"ranks_backward_{_t}": _SCORES + [_P, _P, _P],
        f"log_normalizers_{_t}": _SCORES + [_P, _P],
        f"cross_entropy_{_t}": _SCORES + [_P, _P, _P, _P],
        f"nearest_neighbor_loss_{_t}": _SCORES + [_P, _I64, _P, _P, _P],
    })
    for _name, _rows in _PRODUCT_ROWS.items():
        _SIGNATURES[f"{_name}_{_t}"] = _SCORES + _rows + _VALUES + [_P, _P]
        _SIGNATURES[f"{_name}_backward_{_t}"] = _SCORES + _rows + _VALUES + [_P, _P, _P, _P]

# The XLA FFI handlers (softsortkit.jax registers them): XLA_FFI_Error *(XLA_FFI_CallFrame *).
XLA_HANDLERS = [name + suffix for name in ("matrices", "sorted_values", "ranks", "apply", "apply_transposed", "top_k",
                                           "quantiles") for suffix in ("", "_backward")]
XLA_HANDLERS += ["cross_entropy", "nearest_neighbor_loss"]
for _name in XLA_HANDLERS:
    _SIGNATURES["xla_" + _name] = [_P]
    _RESULTS["xla_" + _name] = _P


def _path() -> str:
    """SOFTSORTKIT_LIBRARY_PATH when set, else the libsoftsortkit.so beside this file."""
    override = os.environ.get("SOFTSORTKIT_LIBRARY_PATH")
    return override if override else str(pathlib.Path(__file__).with_name("libsoftsortkit.so"))


class _Library:
    """The loaded library: ``lib.matrices_f32(...)`` calls ``softsortkit_matrices_f32``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.handle = ctypes.CDLL(path)
        version = self.handle.softsortkit_abi_version
        version.argtypes, version.restype = [], _I32
        if version() != ABI_VERSION:
            raise ImportError(f"softsortkit: {path} has ABI version {version()}, expected {ABI_VERSION}")
        for name, arguments in _SIGNATURES.items():
            function = getattr(self.handle, "softsortkit_" + name)
            function.argtypes = arguments
            function.restype = _RESULTS.get(name, _I32)
            setattr(self, name, function)

    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any:
            """``lib.<name>``: the ctypes function ``softsortkit_<name>`` (set in ``__init__``)."""


lib = _Library(_path())


def check(code: int) -> None:
    """Raises SoftSortKitError (UnsupportedPathError for an unsupported path)
    with the library's message when ``code`` is not 0."""
    if code != 0:
        raise error(lib.last_error().decode("utf-8", "replace"), code)

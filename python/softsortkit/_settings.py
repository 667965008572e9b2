"""The process-wide settings: threads, backend, kept scratch, and the
environment variables SOFTSORT_THREADS and SOFTSORT_BACKEND (checked once,
at import, so that a bad value fails there and names the variable)."""
from __future__ import annotations

import ctypes
import numbers
import os
import re

from . import _constants
from ._errors import SoftSortKitError
from ._library import check, lib

MAX_THREADS = _constants.MAX_THREADS

BACKENDS = {"default": _constants.BACKEND_DEFAULT, "scalar": _constants.BACKEND_SCALAR,
            "simd": _constants.BACKEND_SIMD, "avx2": _constants.BACKEND_AVX2}
_BACKEND_NAMES = {code: name for name, code in BACKENDS.items()}


def library_version() -> str:
    """The bundled library's version string, ``"MAJOR.MINOR.PATCH"``."""
    return lib.version().decode()


def set_threads(count: int) -> None:
    """Sets the thread count of every later call in this process.

    Args:
        count: ``1`` to ``MAX_THREADS`` (4096), or ``0`` for the default:
            ``SOFTSORT_THREADS`` when set, else the cores this process may use.

    Raises:
        TypeError: ``count`` is not an integer.
        SoftSortKitError: (a ValueError) ``count`` is outside ``0 ... 4096``.

    Results are bitwise identical for every thread count.
    """
    if isinstance(count, bool) or not isinstance(count, numbers.Integral):
        raise TypeError(f"softsortkit.set_threads: count must be an int, got {type(count).__name__}")
    if not 0 <= count <= MAX_THREADS:
        raise SoftSortKitError(
            f"softsortkit.set_threads: count must be in 0 ... {MAX_THREADS} "
            f"(0: SOFTSORT_THREADS or the cores available), got {count}", _constants.ERROR_INVALID_THREAD_COUNT)
    check(lib.set_threads(int(count)))


def threads() -> int:
    """The thread count calls run on."""
    return lib.threads()


def set_backend(name: str) -> None:
    """Sets the kernels' backend: ``"default"`` (``SOFTSORT_BACKEND`` or the best
    available), ``"scalar"``, ``"simd"`` or ``"avx2"``.

    Raises:
        ValueError: ``name`` is none of these.
        SoftSortKitError: the backend cannot run in this build or on this CPU.
    """
    if name not in BACKENDS:
        raise ValueError(f"softsortkit: backend must be one of {', '.join(BACKENDS)}, got {name!r}")
    check(lib.set_backend(BACKENDS[name]))


def backend() -> str:
    """The backend calls run on (``"scalar"``, ``"simd"`` or ``"avx2"``)."""
    code = ctypes.c_int32(-1)
    check(lib.backend(ctypes.byref(code)))
    return _BACKEND_NAMES[code.value]


def backend_available(name: str) -> bool:
    """Whether a backend can run in this build and on this CPU."""
    return name in BACKENDS and name != "default" and lib.backend_available(BACKENDS[name]) == 1


def release_scratch() -> None:
    """Frees the workspaces the calls keep between calls.

    Every call takes a workspace (its sort, its normalizers, a dense call's
    ``B x n x n`` matrices) and keeps it for the next call, up to two per
    dtype, so that a training loop allocates less. A workspace that served a
    dense call whose matrices take more than 128 MiB is freed by itself once
    no call of that dtype has started for one second (a loop keeps it, a
    one-off call does not hold it for good). What stays longer is at most two
    workspaces per dtype of up to 128 MiB of matrices each, plus the
    ``O(B n)`` state of the other paths. A sorted values or ranks call on the
    exact or gauss path also leaves its result there for the backward call
    that follows on the same scores and settings (compared bit for bit), which
    then skips the forward. This frees them all at once.
    """
    lib.release_scratch()


def check_environment() -> None:
    """Raises SoftSortKitError naming the variable when SOFTSORT_THREADS or
    SOFTSORT_BACKEND is set to a value the library refuses (an empty value is unset)."""
    raw = os.environ.get("SOFTSORT_THREADS", "")
    if raw:
        # The library's rule (Swift's Int(_:)): ASCII digits with an optional sign, nothing else.
        value = int(raw) if re.fullmatch(r"[+-]?[0-9]+", raw) else None
        if value is None or not 1 <= value <= MAX_THREADS:
            raise SoftSortKitError(
                f"softsortkit: the environment variable SOFTSORT_THREADS = {raw!r} is not a thread count: "
                f"set it to an integer in 1 ... {MAX_THREADS}, or unset it", _constants.ERROR_INVALID_THREAD_COUNT)
    name = os.environ.get("SOFTSORT_BACKEND", "")
    if name:
        code = ctypes.c_int32(-1)
        status = lib.backend(ctypes.byref(code))
        if status != 0:
            message = lib.last_error().decode("utf-8", "replace")
            if "SOFTSORT_BACKEND" not in message:
                message = f"the environment variable SOFTSORT_BACKEND = {name!r}: {message}"
            raise SoftSortKitError(f"softsortkit: {message}", status)

"""SoftSortKit from Python: SoftSort (Prillo & Eisenschlos, ICML 2020) and
NeuralSort on the CPU, through the library's C ABI (libsoftsortkit.so, bundled).

    import softsortkit.torch as sst
    loss = sst.cross_entropy(scores, targets, temperature=0.1, power=2)   # differentiable
    ranks, path = sst.ranks(scores, 0.1, 1, return_path=True)           # path == "exact"

``softsortkit.numpy`` has every output of the C ABI as a NumPy function with
an explicit backward; ``softsortkit.torch`` (needs PyTorch, imported only
when used) the same as differentiable ``torch.library.custom_op`` operators
(``torch.compile``, ``torch.vmap``). Both sort ascending by default
(``descending=True`` is the paper's order) along ``dim=-1``; see
python/TORCHSORT.md. Both take ``path="automatic"`` by default (the
library chooses per output), a path name, or ``window(ranks=w)`` /
``window(tolerance=t)``; ``return_path=True`` appends the name of the path
that ran to the result (see ``softsortkit.numpy``'s docstring). The settings
below apply to every call of the process.
"""
import ctypes

from . import _constants
from ._errors import SoftSortKitError, UnsupportedPathError
from ._library import check, lib
from ._options import Window, window
from ._version import __version__

__all__ = ["SoftSortKitError", "UnsupportedPathError", "Window", "window", "__version__", "library_version",
           "set_threads", "threads", "set_backend", "backend", "backend_available", "release_scratch"]

_BACKENDS = {"default": _constants.BACKEND_DEFAULT, "scalar": _constants.BACKEND_SCALAR,
             "simd": _constants.BACKEND_SIMD, "avx2": _constants.BACKEND_AVX2}
_BACKEND_NAMES = {code: name for name, code in _BACKENDS.items()}


def library_version():
    """The bundled library's version string."""
    return lib.version().decode()


def set_threads(count):
    """Sets the library's thread count (``0``: ``SOFTSORT_THREADS`` or the cores available).
    Results are bitwise identical for every thread count."""
    check(lib.set_threads(int(count)))


def threads():
    """The thread count calls run on."""
    return lib.threads()


def set_backend(name):
    """Sets the kernels' backend: ``"default"``, ``"scalar"``, ``"simd"`` or ``"avx2"``."""
    if name not in _BACKENDS:
        raise ValueError(f"softsortkit: backend must be one of {', '.join(_BACKENDS)}, got {name!r}")
    check(lib.set_backend(_BACKENDS[name]))


def backend():
    """The backend calls run on (``"scalar"``, ``"simd"`` or ``"avx2"``)."""
    code = ctypes.c_int32(-1)
    check(lib.backend(ctypes.byref(code)))
    return _BACKEND_NAMES[code.value]


def backend_available(name):
    """Whether a backend can run in this build and on this CPU."""
    return name in _BACKENDS and name != "default" and lib.backend_available(_BACKENDS[name]) == 1


def release_scratch():
    """Frees the workspaces the calls keep between calls (the dense path's hold B x n x n)."""
    lib.release_scratch()

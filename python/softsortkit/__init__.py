"""SoftSortKit from Python: SoftSort (Prillo & Eisenschlos, ICML 2020) and
NeuralSort on the CPU, through the library's C ABI (libsoftsortkit.so, bundled).

    import softsortkit.torch as sst
    loss = sst.cross_entropy(scores, targets, temperature=0.1, power=2)   # differentiable

``softsortkit.numpy`` has the NumPy functions with explicit backwards;
``softsortkit.torch`` (needs PyTorch, imported only when used) the
``torch.autograd.Function`` wrappers. The settings below apply to every call
of the process.
"""
import ctypes

from ._errors import SoftSortKitError
from ._library import check, lib
from ._version import __version__

__all__ = ["SoftSortKitError", "__version__", "library_version", "set_threads", "threads", "set_backend",
           "backend", "backend_available", "release_scratch"]

_BACKENDS = {"default": 0, "scalar": 1, "simd": 2, "avx2": 3}
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
    """Frees the B x n x n scratch the dense calls keep between calls."""
    lib.release_scratch()

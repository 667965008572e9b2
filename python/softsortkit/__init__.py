"""SoftSortKit from Python: SoftSort (Prillo & Eisenschlos, ICML 2020) and
NeuralSort on the CPU, through the library's C ABI (libsoftsortkit.so, bundled).

    import softsortkit.torch as sst
    loss = sst.cross_entropy(scores, targets, temperature=0.1, power=2)   # differentiable
    ranks, path = sst.ranks(scores, 0.1, 1, return_path=True)           # path == "exact"

``softsortkit.numpy`` has every output of the C ABI as a NumPy function with
an explicit backward; ``softsortkit.torch`` (needs PyTorch, imported only
when used) the same as differentiable ``torch.library.custom_op`` operators
(``torch.compile``, ``torch.vmap``); ``softsortkit.jax`` (needs JAX) the
outputs as ``jax.custom_vjp`` functions over the library's XLA FFI handlers,
under ``jit``, ``grad`` and ``vmap``. All sort ascending by default
(``descending=True`` is the paper's order) along the last axis (``dim=`` /
``axis=``); see python/TORCHSORT.md. All take ``path="automatic"`` by default (the
library chooses per output), a path name, or ``window(ranks=w)`` /
``window(tolerance=t)``; in NumPy and torch, ``return_path=True`` appends the
name of the path that ran to the result (see ``softsortkit.numpy``'s docstring). The settings
below apply to every call of the process.
"""
from ._errors import SoftSortKitError, UnsupportedPathError
from ._options import Window, window
from ._settings import (MAX_THREADS, backend, backend_available, library_version, release_scratch, set_backend,
                        set_threads, threads)
from ._settings import check_environment as _check_environment
from ._version import __version__

__all__ = ["SoftSortKitError", "UnsupportedPathError", "Window", "window", "__version__", "library_version",
           "MAX_THREADS", "set_threads", "threads", "set_backend", "backend", "backend_available",
           "release_scratch"]

_check_environment()

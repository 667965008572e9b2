"""SoftSortKit's operators as ``torch.autograd.Function`` s (CPU tensors).

Scores have any shape ``(..., n)`` and dtype float32 or float64. Tensors are
passed to the library without a copy when contiguous (``Tensor.numpy()``
views; outputs are NumPy buffers wrapped by ``torch.from_numpy``). Backwards
are first-order (``once_differentiable``) and recompute the forward from the
saved inputs, except the cross-entropy's, which keeps the gradient its
forward computed in the same call.

    import softsortkit.torch as sst
    P = sst.soft_sort(scores, temperature=0.1, power=2)          # (..., n, n)
    loss = sst.cross_entropy(scores, targets, temperature=0.1, power=2)
"""
import torch
from torch.autograd.function import once_differentiable

from . import numpy as _np

__all__ = ["soft_sort", "neural_sort", "apply", "cross_entropy", "sorted_values", "ranks"]


def _array(tensor, argument):
    """A NumPy view of a CPU float tensor (contiguous first: the only copy)."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"softsortkit: {argument} must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.device.type != "cpu":
        raise ValueError(f"softsortkit: {argument} must be on the CPU, got {tensor.device}")
    if tensor.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"softsortkit: {argument} must be float32 or float64, got {tensor.dtype}")
    return tensor.detach().contiguous().numpy()


class _SoftSort(torch.autograd.Function):
    @staticmethod
    def forward(ctx, scores, temperature, power, descending):
        s = _array(scores, "scores")
        ctx.save_for_backward(scores)
        ctx.settings = (temperature, power, descending)
        return torch.from_numpy(_np.soft_sort(s, temperature, power, descending=descending))

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (scores,) = ctx.saved_tensors
        temperature, power, descending = ctx.settings
        out = _np.soft_sort_backward(_array(scores, "scores"), _array(grad, "grad"), temperature, power,
                                     descending=descending)
        return torch.from_numpy(out), None, None, None


class _NeuralSort(torch.autograd.Function):
    @staticmethod
    def forward(ctx, scores, temperature, descending):
        ctx.save_for_backward(scores)
        ctx.settings = (temperature, descending)
        return torch.from_numpy(_np.neural_sort(_array(scores, "scores"), temperature, descending=descending))

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (scores,) = ctx.saved_tensors
        temperature, descending = ctx.settings
        out = _np.neural_sort_backward(_array(scores, "scores"), _array(grad, "grad"), temperature,
                                       descending=descending)
        return torch.from_numpy(out), None, None


class _Apply(torch.autograd.Function):
    @staticmethod
    def forward(ctx, values, scores, temperature, power, descending):
        ctx.save_for_backward(values, scores)
        ctx.settings = (temperature, power, descending)
        return torch.from_numpy(_np.apply(_array(values, "values"), _array(scores, "scores"), temperature, power,
                                          descending=descending))

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        values, scores = ctx.saved_tensors
        temperature, power, descending = ctx.settings
        grad_scores, grad_values = _np.apply_backward(
            _array(values, "values"), _array(scores, "scores"), _array(grad, "grad"), temperature, power,
            descending=descending)
        return torch.from_numpy(grad_values), torch.from_numpy(grad_scores), None, None, None


class _CrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, scores, targets, temperature, power, descending, path):
        if not isinstance(targets, torch.Tensor):
            targets = torch.as_tensor(targets)
        if targets.device.type != "cpu":
            raise ValueError(f"softsortkit: targets must be on the CPU, got {targets.device}")
        s = _array(scores, "scores")
        wants = ctx.needs_input_grad[0]
        result = _np.cross_entropy(s, targets.detach().contiguous().numpy(), temperature, power,
                                   descending=descending, path=path, gradient=wants)
        loss, gradient = result if wants else (result, None)
        if wants:
            ctx.save_for_backward(torch.from_numpy(gradient))
        return torch.tensor(loss, dtype=scores.dtype)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (gradient,) = ctx.saved_tensors
        return gradient * grad, None, None, None, None, None


class _SortedValues(torch.autograd.Function):
    @staticmethod
    def forward(ctx, scores, temperature, power, descending, ranks):
        ctx.save_for_backward(scores)
        ctx.settings = (temperature, power, descending, ranks)
        function = _np.ranks if ranks else _np.sorted_values
        return torch.from_numpy(function(_array(scores, "scores"), temperature, power, descending=descending))

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (scores,) = ctx.saved_tensors
        temperature, power, descending, ranks = ctx.settings
        function = _np.ranks_backward if ranks else _np.sorted_values_backward
        out = function(_array(scores, "scores"), _array(grad, "grad"), temperature, power, descending=descending)
        return torch.from_numpy(out), None, None, None, None


def soft_sort(scores, temperature=1.0, power=1.0, descending=True):
    """SoftSort's relaxed permutation matrices ``P`` of shape ``(..., n, n)``, differentiable in ``scores``.

    ``P[..., i, j] = softmax_j(-|sort(s)_i - s_j|^p / tau)``, row 0 the largest score when ``descending``.
    """
    return _SoftSort.apply(scores, float(temperature), float(power), bool(descending))


def neural_sort(scores, temperature=1.0, descending=True):
    """NeuralSort's matrices ``P`` of shape ``(..., n, n)``, differentiable in ``scores``."""
    return _NeuralSort.apply(scores, float(temperature), bool(descending))


def apply(values, scores, temperature=1.0, power=1.0, descending=True):
    """``Y = P V`` without forming ``P`` (values ``(..., n, d)`` or ``(..., n)``), differentiable in both."""
    return _Apply.apply(values, scores, float(temperature), float(power), bool(descending))


def cross_entropy(scores, targets, temperature=1.0, power=1.0, descending=True, path="automatic"):
    """The paper's loss ``sum -log P[..., i, targets[..., i]]`` (a SUM over all rows), a 0-d tensor
    differentiable in ``scores``. ``targets``: integers of the scores' shape in ``0 ..< n``."""
    return _CrossEntropy.apply(scores, targets, float(temperature), float(power), bool(descending), path)


def sorted_values(scores, temperature=1.0, power=1.0, descending=True):
    """The relaxed sorted values ``P s``, shape ``(..., n)``, differentiable."""
    return _SortedValues.apply(scores, float(temperature), float(power), bool(descending), False)


def ranks(scores, temperature=1.0, power=1.0, descending=True):
    """The relaxed ranks ``P^T (1, ..., n)`` (1 = largest), shape ``(..., n)``, differentiable."""
    return _SortedValues.apply(scores, float(temperature), float(power), bool(descending), True)

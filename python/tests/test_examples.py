"""The examples in examples/ run on small data: the paper's sorting task, learning to rank on
short lists, and DistributedDataParallel (gloo, 2 processes) against one process."""
import pathlib
import sys

import pytest

torch = pytest.importorskip("torch")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples"))

import ddp_train  # noqa: E402
import learning_to_rank  # noqa: E402
import sorting_task  # noqa: E402


def test_sorting_task_sorts_rows():
    loss, sorted_rows, path = sorting_task.train(batch=4, n=20, steps=60)
    assert sorted_rows == 1.0
    assert path in ("exact", "gauss", "fused", "dense")


def test_learning_to_rank_learns_the_order():
    loss, before, after = learning_to_rank.train(batch=256, n=16, steps=30)
    assert after > 0.9 and after > before


def test_ddp_gradients_equal_one_process():
    if not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
        pytest.skip("torch.distributed with gloo is not available in this build")
    difference, scale = ddp_train.compare(world=2)
    print(f"max |DDP - single| = {difference:.3e}, max |gradient| = {scale:.3e}")
    # The two ranks' means averaged vs one mean over the batch: the same sum in another order.
    assert difference <= 1e-12 * max(scale, 1.0)

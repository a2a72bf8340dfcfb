"""Contrastive losses: against pytorch-metric-learning, a plain float64 reference, gradcheck,
the two seed-tutorial bugs, and DDP gathering over two real gloo processes."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from augkit.losses import ContrastiveLoss, InfoNCELoss, NTXentLoss, ProjectionHead, TripletLoss


def reference_ntxent(views: list[torch.Tensor], t: float) -> float:
    """SupCon L_out with sample identity as label, written out with loops in float64."""
    z = [F.normalize(v.double(), dim=1) for v in views]
    n, b = len(z), z[0].shape[0]
    total = 0.0
    for v in range(n):
        for i in range(b):
            anchor = z[v][i]
            denom = sum(math.exp(float(anchor @ z[w][j]) / t) for w in range(n) for j in range(b) if (w, j) != (v, i))
            logs = [float(anchor @ z[w][i]) / t - math.log(denom) for w in range(n) if w != v]
            total += -sum(logs) / (n - 1)
    return total / (n * b)


@pytest.mark.parametrize("n_views", [2, 3, 4])
def test_ntxent_equals_the_float64_reference(n_views: int) -> None:
    g = torch.Generator().manual_seed(n_views)
    views = [torch.randn(6, 5, generator=g) for _ in range(n_views)]
    got = NTXentLoss(0.3)(views)
    assert got.item() == pytest.approx(reference_ntxent(views, 0.3), abs=1e-5)
    stacked = NTXentLoss(0.3)(torch.cat(views), n_views=n_views)
    assert stacked.item() == pytest.approx(got.item(), abs=1e-6)


def test_ntxent_equals_pytorch_metric_learning_for_two_views() -> None:
    from pytorch_metric_learning.losses import NTXentLoss as PMLNTXent

    for seed in range(5):
        g = torch.Generator().manual_seed(seed)
        a, b = torch.randn(16, 8, generator=g), torch.randn(16, 8, generator=g)
        labels = torch.arange(16).repeat(2)
        theirs = PMLNTXent(temperature=0.5)(torch.cat([a, b]), labels)
        assert NTXentLoss(0.5)([a, b]).item() == pytest.approx(theirs.item(), abs=1e-5)


@pytest.mark.parametrize(("dtype", "tolerance"), [(torch.float64, 1e-12), (torch.float32, 1e-6), (torch.float16, 2e-3)])
def test_ntxent_gradients_equal_pytorch_metric_learnings(dtype: torch.dtype, tolerance: float) -> None:
    from pytorch_metric_learning.losses import NTXentLoss as PMLNTXent

    wide = torch.float64 if dtype == torch.float64 else torch.float32
    for seed in range(3):
        g = torch.Generator().manual_seed(seed)
        a, b = (torch.randn(16, 8, generator=g, dtype=torch.float64).to(dtype) for _ in range(2))
        ours = [a.clone().requires_grad_(True), b.clone().requires_grad_(True)]
        NTXentLoss(0.5)(ours).backward()
        theirs = [a.to(wide).requires_grad_(True), b.to(wide).requires_grad_(True)]
        PMLNTXent(temperature=0.5)(torch.cat(theirs), torch.arange(16).repeat(2)).backward()
        for mine, their in zip(ours, theirs, strict=True):
            assert mine.grad is not None and their.grad is not None and mine.grad.dtype == dtype
            torch.testing.assert_close(mine.grad.to(wide), their.grad, rtol=tolerance, atol=tolerance)


def buggy_diagonal_as_positive(views: list[torch.Tensor], t: float) -> torch.Tensor:
    z = F.normalize(torch.cat(views), dim=1)
    sim = z @ z.T / t
    return F.cross_entropy(sim, torch.arange(len(z)))  # the self-similarity is the "positive"


def buggy_extra_views_as_negatives(views: list[torch.Tensor], t: float) -> torch.Tensor:
    # sthalles/SimCLR #32: the first other view is the target, the remaining views of the same
    # sample stay in the softmax as if they were negatives
    z = F.normalize(torch.cat(views), dim=1)
    n, b = len(views), views[0].shape[0]
    sim = (z @ z.T / t).fill_diagonal_(float("-inf"))
    rows = torch.arange(n * b)
    first_other_view = torch.where(rows < b, 1, 0)
    return F.cross_entropy(sim, first_other_view * b + rows % b)


def test_the_two_seed_bugs_give_different_values() -> None:
    g = torch.Generator().manual_seed(0)
    two = [torch.randn(8, 4, generator=g) for _ in range(2)]
    three = [torch.randn(8, 4, generator=g) for _ in range(3)]
    assert abs(buggy_diagonal_as_positive(two, 0.5).item() - NTXentLoss(0.5)(two).item()) > 1e-2
    # at n = 2 the second bug does not show: one positive per anchor either way
    assert buggy_extra_views_as_negatives(two, 0.5).item() == pytest.approx(NTXentLoss(0.5)(two).item(), abs=1e-5)
    assert abs(buggy_extra_views_as_negatives(three, 0.5).item() - NTXentLoss(0.5)(three).item()) > 1e-2


def test_ntxent_gradcheck_float64() -> None:
    g = torch.Generator().manual_seed(1)
    views = [torch.randn(4, 3, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(3)]
    assert torch.autograd.gradcheck(lambda *v: NTXentLoss(0.5)(list(v)), views)


def test_ntxent_is_stable_at_low_temperature_and_under_autocast() -> None:
    z = [torch.randn(32, 16) * 100 for _ in range(2)]
    assert torch.isfinite(NTXentLoss(0.01)(z))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        value = NTXentLoss(0.1)([v.bfloat16() for v in z])
    assert value.dtype == torch.float32 and torch.isfinite(value)


def test_ntxent_perfect_views_score_lower_than_random_ones() -> None:
    g = torch.Generator().manual_seed(2)
    a = torch.randn(32, 64, generator=g)
    assert NTXentLoss(0.1)([a, a]).item() < NTXentLoss(0.1)([a, torch.randn(32, 64, generator=g)]).item()


def test_ntxent_bad_inputs() -> None:
    with pytest.raises(ValueError, match="at least 2 views"):
        NTXentLoss()([torch.randn(3, 2)])
    with pytest.raises(ValueError, match="n_views"):
        NTXentLoss()(torch.randn(6, 2))
    with pytest.raises(ValueError, match="same shape"):
        NTXentLoss()([torch.randn(3, 2), torch.randn(4, 2)])
    with pytest.raises(ValueError, match="temperature=0"):
        NTXentLoss(0)


def test_infonce_moco_queue_and_clip_modes() -> None:
    g = torch.Generator().manual_seed(3)
    q, k, queue = torch.randn(8, 16, generator=g), torch.randn(8, 16, generator=g), torch.randn(32, 16, generator=g)
    qn, kn, bn = F.normalize(q, dim=1), F.normalize(k, dim=1), F.normalize(queue, dim=1)
    # MoCo's exact logits: [l_pos, l_neg(queue)] / t, label 0
    moco = torch.cat([(qn * kn).sum(1, keepdim=True), qn @ bn.T], 1) / 0.07
    expected = F.cross_entropy(moco, torch.zeros(8, dtype=torch.long))
    got = InfoNCELoss(0.07, in_batch_negatives=False)(q, k, queue=queue)
    assert got.item() == pytest.approx(expected.item(), abs=1e-5)
    # CLIP: the mean of image->text and text->image cross entropies over the in-batch logits
    logits = qn @ kn.T / 0.07
    clip = (F.cross_entropy(logits, torch.arange(8)) + F.cross_entropy(logits.T, torch.arange(8))) / 2
    assert InfoNCELoss(0.07, symmetric=True)(q, k).item() == pytest.approx(clip.item(), abs=1e-5)
    with pytest.raises(ValueError, match="needs a queue"):
        InfoNCELoss(in_batch_negatives=False)(q, k)


def test_triplet_plain_hard_and_semi_hard() -> None:
    a = torch.tensor([[0.0, 0.0]])
    p = torch.tensor([[1.0, 0.0]])
    n = torch.tensor([[0.0, 1.5]])
    assert TripletLoss(1.0)(a, p, n).item() == pytest.approx(1.0 - 1.5 + 1.0)
    # points on a line: labels 0 at 0 and 1, label 1 at 1.5 and 5
    x = torch.tensor([[0.0], [1.0], [1.5], [5.0]])
    labels = torch.tensor([0, 0, 1, 1])
    # batch-hard, per anchor: (farthest pos, nearest neg) = (1, 1.5), (1, 0.5), (3.5, 0.5), (3.5, 4)
    hard = [max(0.0, dp - dn + 1.0) for dp, dn in [(1, 1.5), (1, 0.5), (3.5, 0.5), (3.5, 4.0)]]
    assert TripletLoss(1.0, mining="hard")(x, labels).item() == pytest.approx(sum(hard) / 4)
    # semi-hard, per (a, p): nearest negative farther than d(a, p), else the farthest negative
    # (0,1): d=1, negatives 1.5, 5 -> 1.5 ; (1,0): d=1, negs 0.5, 4 -> 4 ; (2,3): d=3.5, negs 1.5, 0.5 -> none
    # farther, so farthest = 1.5 ; (3,2): d=3.5, negs 5, 4 -> 4
    semi = [max(0.0, 1 - 1.5 + 1), max(0.0, 1 - 4 + 1), max(0.0, 3.5 - 1.5 + 1), max(0.0, 3.5 - 4 + 1)]
    assert TripletLoss(1.0, mining="semi-hard")(x, labels).item() == pytest.approx(sum(semi) / 4)


def test_contrastive_loss_hadsell() -> None:
    x1 = torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    x2 = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    same = torch.tensor([1, 0])
    # similar pair at distance 5: 0.5 * 25; dissimilar at 0.5 with margin 1: 0.5 * 0.25
    assert ContrastiveLoss(1.0)(x1, x2, same).item() == pytest.approx((12.5 + 0.125) / 2)


def test_projection_head_shapes() -> None:
    head = ProjectionHead(32, 64, 16)
    assert head(torch.randn(5, 32)).shape == (5, 16)


# --- DDP: two gloo processes on the CPU -------------------------------------------------------


def _ddp_worker(rank: int, world: int, init_file: str, result_dir: str) -> None:
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    g = torch.Generator().manual_seed(0)
    views = [torch.randn(world * 4, 8, generator=g, dtype=torch.float64) for _ in range(3)]
    mine = [v[rank * 4 : (rank + 1) * 4].clone().requires_grad_(True) for v in views]
    loss = NTXentLoss(0.5, gather_distributed=True)(mine)
    loss.backward()
    torch.save({"loss": loss.detach(), "grads": [m.grad for m in mine]}, os.path.join(result_dir, f"{rank}.pt"))
    dist.destroy_process_group()


def test_ddp_gather_equals_the_full_batch(tmp_path: Path) -> None:
    world = 2
    mp.spawn(_ddp_worker, args=(world, str(tmp_path / "init"), str(tmp_path)), nprocs=world, join=True)
    results = [torch.load(tmp_path / f"{r}.pt") for r in range(world)]
    g = torch.Generator().manual_seed(0)
    views = [torch.randn(world * 4, 8, generator=g, dtype=torch.float64).requires_grad_(True) for _ in range(3)]
    full = NTXentLoss(0.5)(views)
    full.backward()
    # each rank's loss covers its own anchors against every rank's embeddings
    assert sum(r["loss"].item() for r in results) / world == pytest.approx(full.item(), abs=1e-10)
    for rank, r in enumerate(results):
        for k in range(3):
            # DDP averages parameter gradients over ranks, hence the 1/world
            torch.testing.assert_close(r["grads"][k] / world, views[k].grad[rank * 4 : (rank + 1) * 4])

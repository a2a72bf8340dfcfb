"""The losses at their edges: each odd input refused with one AugkitError that names the argument
and what to pass, margins refused where they cannot give a finite loss, the loss in the dtype it
was computed in, finite float16 gradients on all-zero rows, and normalization at any scale."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from augkit.core.errors import AugkitError, InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType
from augkit.losses import MAX_MARGIN, MIN_TEMPERATURE, ContrastiveLoss, InfoNCELoss, NTXentLoss, TripletLoss

B, D = 4, 8


def _z(seed: int = 0, dtype: torch.dtype = torch.float32, rows: int = B) -> torch.Tensor:
    return torch.randn(rows, D, generator=torch.Generator().manual_seed(seed), dtype=torch.float64).to(dtype)


LABELS = torch.tensor([0, 0, 1, 1])
SAME = torch.tensor([1, 0, 1, 0])

#: one call per loss and per embedding argument: (argument name, call with ``bad`` in its place)
Call = Callable[[Any], torch.Tensor]
PLACES: list[tuple[str, Call]] = [
    ("views[0]", lambda bad: NTXentLoss()([bad, _z(1)])),
    ("views[1]", lambda bad: NTXentLoss()([_z(1), bad])),
    ("query", lambda bad: InfoNCELoss()(bad, _z(1))),
    ("key", lambda bad: InfoNCELoss(symmetric=True)(_z(1), bad)),
    ("queue", lambda bad: InfoNCELoss()(_z(1), _z(2), queue=bad)),
    ("anchor", lambda bad: TripletLoss()(bad, _z(1), _z(2))),
    ("positive", lambda bad: TripletLoss()(_z(1), bad, _z(2))),
    ("negative", lambda bad: TripletLoss(normalize=True)(_z(1), _z(2), bad)),
    ("anchor", lambda bad: TripletLoss(mining="hard")(bad, LABELS)),
    ("anchor", lambda bad: TripletLoss(mining="semi-hard")(anchor=bad, positive=LABELS)),
    ("x1", lambda bad: ContrastiveLoss()(bad, _z(1), SAME)),
    ("x2", lambda bad: ContrastiveLoss()(_z(1), bad, SAME)),
]
IDS = [f"{i}-{name}" for i, (name, _) in enumerate(PLACES)]


@pytest.mark.parametrize(("name", "call"), PLACES, ids=IDS)
@pytest.mark.parametrize("bad", [_z(3).tolist(), 1.5, "embeddings", None], ids=["list", "float", "str", "none"])
def test_embeddings_that_are_not_tensors_are_refused_by_name(name: str, call: Call, bad: Any) -> None:
    if bad is None and name == "queue":
        return  # queue=None is "no queue"
    with pytest.raises(WrongInputType, match=rf"{re.escape(name)} .*float tensor \[(batch|K), dim\]"):
        call(bad)


@pytest.mark.parametrize(("name", "call"), PLACES, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8, torch.bool, torch.complex64])
def test_integer_bool_and_complex_embeddings_are_refused_by_name(name: str, call: Call, dtype: torch.dtype) -> None:
    bad = torch.ones(B, D, dtype=dtype)
    with pytest.raises(WrongInputType, match=rf"{re.escape(name)} has dtype {dtype}.*\.float\(\)"):
        call(bad)
    with pytest.raises(WrongInputType, match=rf"{re.escape(name)} has dtype"):
        call(bad.numpy() if dtype != torch.complex64 else bad.numpy().astype(np.complex128))


@pytest.mark.parametrize(("name", "call"), PLACES, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.int64])
def test_empty_batches_are_refused_never_nan(name: str, call: Call, dtype: torch.dtype) -> None:
    empty = torch.zeros(0, D, dtype=dtype)
    with pytest.raises(AugkitError, match=re.escape(name)) as info:
        call(empty)
    assert isinstance(info.value, WrongInputType if dtype == torch.int64 else InvalidInput)


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64])
def test_empty_batches_of_every_argument_at_once_are_refused(dtype: torch.dtype) -> None:
    e = torch.zeros(0, D, dtype=dtype)
    calls: list[Callable[[], torch.Tensor]] = [
        lambda: NTXentLoss()([e, e]), lambda: NTXentLoss()(e, n_views=2), lambda: InfoNCELoss()(e, e),
        lambda: TripletLoss()(e, e, e), lambda: TripletLoss(mining="hard")(e, torch.zeros(0)),
        lambda: ContrastiveLoss()(e, e, torch.zeros(0)),
    ]
    for call in calls:
        with pytest.raises(AugkitError):
            call()


def test_an_empty_queue_is_named_as_the_queue() -> None:
    with pytest.raises(InvalidInput, match=r"queue holds no negatives .*shape \(0, 8\).*queue=None") as info:
        InfoNCELoss()(_z(1), _z(2), queue=torch.zeros(0, D))
    assert "empty batch" not in str(info.value)
    with pytest.raises(InvalidInput, match="queue holds no negatives"):
        InfoNCELoss(in_batch_negatives=False)(_z(1), _z(2), queue=torch.zeros(0, D))


def test_embeddings_with_no_features_or_the_wrong_rank_are_named() -> None:
    with pytest.raises(InvalidInput, match=r"query has shape \(4, 0\)"):
        InfoNCELoss()(torch.zeros(B, 0), torch.zeros(B, 0))
    with pytest.raises(InvalidInput, match=r"views\[1\] has shape \(4, 8, 1\)"):
        NTXentLoss()([_z(1), torch.zeros(B, D, 1)])
    with pytest.raises(InvalidInput, match=r"x1 has shape \(8,\)"):
        ContrastiveLoss()(torch.zeros(D), torch.zeros(D), torch.zeros(1))


@pytest.mark.parametrize("n_views", ["2", 2.0, True, [2], (2,), b"2"])
def test_n_views_of_the_wrong_type_is_named(n_views: Any) -> None:
    with pytest.raises(WrongArgumentType, match=rf"n_views={re.escape(repr(n_views))} .*an int"):
        NTXentLoss()(torch.cat([_z(1), _z(2)]), n_views=n_views)
    with pytest.raises(WrongArgumentType, match="n_views="):
        NTXentLoss()([_z(1), _z(2)], n_views=n_views)


def test_n_views_as_a_numpy_integer_is_an_int() -> None:
    z = torch.cat([_z(1), _z(2)])
    assert NTXentLoss()(z, n_views=np.int64(2)).item() == NTXentLoss()(z, n_views=2).item()
    for bad in (1, 0, -2, None):
        with pytest.raises(InvalidArgument, match="n_views"):
            NTXentLoss()(z, n_views=bad)
    with pytest.raises(InvalidInput, match="n_views=3"):
        NTXentLoss()(z, n_views=3)


@pytest.mark.parametrize("loss", [TripletLoss, ContrastiveLoss])
@pytest.mark.parametrize("margin", ["1", None, [1.0], True, 1 + 2j])
def test_margins_of_the_wrong_type_are_refused(loss: type, margin: Any) -> None:
    with pytest.raises(WrongArgumentType, match="margin="):
        loss(margin=margin)


@pytest.mark.parametrize("temperature", ["0.5", None, True, [0.5]])
def test_temperatures_of_the_wrong_type_are_refused(temperature: Any) -> None:
    for loss in (NTXentLoss, InfoNCELoss):
        with pytest.raises(WrongArgumentType, match="temperature="):
            loss(temperature)


@pytest.mark.parametrize("loss", [TripletLoss, ContrastiveLoss])
@pytest.mark.parametrize("margin", [1e308, 1e20, MAX_MARGIN * 1.5, math.inf, -math.inf, math.nan, -0.5])
def test_margins_that_cannot_give_a_finite_loss_are_refused(loss: type, margin: float) -> None:
    with pytest.raises(InvalidArgument, match=rf"margin={re.escape(repr(margin))} .*{re.escape(f'{MAX_MARGIN:g}')}"):
        loss(margin=margin)


def test_the_largest_margin_still_gives_a_finite_float32_loss() -> None:
    z = _z(1)
    assert math.isfinite(ContrastiveLoss(MAX_MARGIN)(z, z, torch.zeros(B)).item())
    assert math.isfinite(TripletLoss(MAX_MARGIN)(z, z, z).item())
    assert ContrastiveLoss(np.float32(2.0)).margin == 2.0


CALLS_IN: list[tuple[str, Callable[[torch.dtype, float], torch.Tensor]]] = [
    ("ntxent", lambda dt, s: NTXentLoss(0.5)([_z(1, dt) * s, _z(2, dt) * s])),
    ("ntxent-stacked", lambda dt, s: NTXentLoss(0.5)(torch.cat([_z(1, dt), _z(2, dt)]) * s, n_views=2)),
    ("infonce-queue", lambda dt, s: InfoNCELoss(symmetric=True)(_z(1, dt) * s, _z(2, dt) * s, _z(3, dt, 6) * s)),
    ("triplet", lambda dt, s: TripletLoss()(_z(1, dt) * s, _z(2, dt) * s, _z(3, dt) * s)),
    ("triplet-hard", lambda dt, s: TripletLoss(mining="hard")(_z(1, dt) * s, LABELS)),
    ("triplet-semi", lambda dt, s: TripletLoss(mining="semi-hard", normalize=True)(_z(1, dt) * s, LABELS)),
    ("contrastive", lambda dt, s: ContrastiveLoss()(_z(1, dt) * s, _z(2, dt) * s, SAME)),
]


@pytest.mark.parametrize(("name", "call"), CALLS_IN, ids=[n for n, _ in CALLS_IN])
@pytest.mark.parametrize(("dtype", "expected"), [
    (torch.float32, torch.float32), (torch.float64, torch.float64),
    (torch.float16, torch.float32), (torch.bfloat16, torch.float32),
])
def test_the_loss_comes_back_in_the_dtype_it_was_computed_in(
    name: str, call: Callable[[torch.dtype, float], torch.Tensor], dtype: torch.dtype, expected: torch.dtype
) -> None:
    scales = [1.0, 1e20] if dtype in (torch.float32, torch.float64) else [1.0]
    for scale in scales:
        if name == "contrastive" and scale > 1 and dtype == torch.float32:
            continue  # its value, ~1e40, is past float32: see the next test
        loss = call(dtype, scale)
        assert loss.dtype == expected and torch.isfinite(loss), (scale, loss)


def test_a_float32_loss_past_float32s_range_is_named_not_returned_as_float64() -> None:
    far = _z(1) * 1e20
    with pytest.raises(InvalidInput, match=r"overflows float32.*float64"):
        ContrastiveLoss()(far, -far, torch.ones(B))
    value = ContrastiveLoss()(far.double(), -far.double(), torch.ones(B))
    assert value.dtype == torch.float64 and value.item() > 3.5e38


def test_normalization_does_not_depend_on_the_scale_of_the_embeddings() -> None:
    # the squares of 1e20s overflow float32: such rows used to come out of normalization as zeros
    views = [_z(1), _z(2)]
    base = NTXentLoss(0.5)(views).item()
    for scale in (1e-3, 1e20, 1e36):
        assert NTXentLoss(0.5)([v * scale for v in views]).item() == pytest.approx(base, rel=1e-6)
        assert InfoNCELoss()(views[0] * scale, views[1]).item() == pytest.approx(InfoNCELoss()(*views).item(), 1e-6)
    q = (views[0] * 1e20).requires_grad_(True)
    NTXentLoss(0.5)([q, views[1]]).backward()
    assert q.grad is not None and float(q.grad.abs().max()) > 0


LOSSES_FOR_GRADIENTS: list[tuple[str, Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]]] = [
    ("ntxent", lambda a, b, t: NTXentLoss(t)([a, b])),
    ("ntxent-3", lambda a, b, t: NTXentLoss(t)([a, b, b.flip(0)])),
    ("infonce", lambda a, b, t: InfoNCELoss(t)(a, b)),
    ("infonce-sym", lambda a, b, t: InfoNCELoss(t, symmetric=True)(a, b)),
    ("infonce-queue", lambda a, b, t: InfoNCELoss(t, in_batch_negatives=False)(a, b, queue=b.flip(0).detach())),
    ("triplet", lambda a, b, t: TripletLoss(normalize=True)(a, b, b.flip(0))),
    ("triplet-hard", lambda a, b, t: TripletLoss(mining="hard", normalize=True)(torch.cat([a, b]), LABELS.repeat(2))),
    ("triplet-semi", lambda a, b, t: TripletLoss(mining="semi-hard", normalize=True)(torch.cat([a, b]),
                                                                                   LABELS.repeat(2))),
    ("contrastive", lambda a, b, t: ContrastiveLoss()(a, b, SAME)),
]


@pytest.mark.parametrize(("name", "loss"), LOSSES_FOR_GRADIENTS, ids=[n for n, _ in LOSSES_FOR_GRADIENTS])
@pytest.mark.parametrize("temperature", [0.5, 0.07, 1e-3, MIN_TEMPERATURE])
@pytest.mark.parametrize("zeros", ["a", "both", "tiny"])
def test_float16_zero_rows_give_finite_float16_gradients(
    name: str, loss: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor], temperature: float, zeros: str
) -> None:
    a, b = _z(1, torch.float16), _z(2, torch.float16)
    a[0] = 0
    if zeros == "both":
        b[0] = 0
    if zeros == "tiny":
        a[1] = 6e-8  # float16's smallest subnormal
    a.requires_grad_(True)
    b.requires_grad_(True)
    value = loss(a, b, temperature)
    assert torch.isfinite(value)
    value.backward()
    for g in (a.grad, b.grad):
        assert g is not None and g.dtype == torch.float16 and torch.isfinite(g).all(), (name, g)

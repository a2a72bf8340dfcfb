"""The losses and collation under generated odd batches: a finite loss (where the embeddings are
finite) or one ValueError/TypeError; a collated batch or one ValueError/TypeError."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from augkit.datasets import collate_items, collate_views
from augkit.losses import ContrastiveLoss, InfoNCELoss, NTXentLoss, TripletLoss

LONG = os.environ.get("AUGKIT_FUZZ") == "long"
EXAMPLES = int(os.environ.get("AUGKIT_FUZZ_EXAMPLES", 2500 if LONG else 40))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
SPECIAL = [None, 0.0, 1e30, -1e30, np.nan, np.inf]


@st.composite
def embeddings(draw: Any, batch: int | None = None, dim: int | None = None) -> torch.Tensor:
    b = draw(st.integers(0, 8)) if batch is None else batch
    d = draw(st.integers(1, 16)) if dim is None else dim
    dtype = draw(st.sampled_from([torch.float16, torch.float32, torch.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([1.0, 1e-20, 1e20, 0.0]))
    z = torch.from_numpy(rng.standard_normal((b, d)) * scale).to(dtype)
    special = draw(st.sampled_from(SPECIAL))
    if special is not None and z.numel():
        z.view(-1)[0] = special
    return z


def _finite(*tensors: torch.Tensor) -> bool:
    return all(bool(torch.isfinite(t.double()).all()) for t in tensors)


def _outcome(fn: Any, inputs: list[torch.Tensor]) -> None:
    try:
        loss = fn()
    except (ValueError, TypeError) as err:
        assert str(err)
        return
    assert isinstance(loss, torch.Tensor) and loss.ndim == 0
    if _finite(*inputs) and all(t.dtype != torch.float16 for t in inputs):
        assert torch.isfinite(loss), "a finite batch gave a non-finite loss"


@SETTINGS
@given(data=st.data(), n_views=st.integers(1, 4), temperature=st.sampled_from([0.07, 0.5, 1.0, 1e-3]))
def test_ntxent(data: Any, n_views: int, temperature: float, fuzzed: Any) -> None:
    fuzzed["losses"] += 1
    b, d = data.draw(st.integers(0, 8)), data.draw(st.integers(1, 16))
    views = [data.draw(embeddings(b, d)) for _ in range(n_views)]
    _outcome(lambda: NTXentLoss(temperature)(views), views)


@SETTINGS
@given(data=st.data())
def test_infonce_triplet_contrastive(data: Any, fuzzed: Any) -> None:
    fuzzed["losses"] += 1
    b, d = data.draw(st.integers(0, 8)), data.draw(st.integers(1, 16))
    q, k, n = (data.draw(embeddings(b, d)) for _ in range(3))
    _outcome(lambda: InfoNCELoss(symmetric=data.draw(st.booleans()))(q, k), [q, k])
    _outcome(lambda: TripletLoss()(q, k, n), [q, k, n])
    labels = torch.from_numpy(np.random.default_rng(b).integers(0, 3, b))
    _outcome(lambda: TripletLoss(mining=data.draw(st.sampled_from(["hard", "semi-hard"])))(q, labels), [q])
    same = torch.from_numpy(np.random.default_rng(d).integers(0, 2, b))
    _outcome(lambda: ContrastiveLoss()(q, k, same), [q, k])


@st.composite
def items(draw: Any) -> Any:
    kind = draw(st.sampled_from(["array", "tensor", "str", "none", "mixed"]))
    count = draw(st.integers(0, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    out: list[Any] = []
    for i in range(count):
        shape = tuple(draw(st.lists(st.integers(0, 5), min_size=0, max_size=3)))
        dtype = draw(st.sampled_from(["float32", ">f4", "int64", "uint8", "bool", "float16"]))
        arr = (rng.random(shape) * 10).astype(dtype)
        if draw(st.booleans()) and arr.ndim:
            arr = arr[::-1]
        choice = kind if kind != "mixed" else draw(st.sampled_from(["array", "tensor", "str", "none"]))
        native = np.array(arr, dtype=arr.dtype.newbyteorder("="), order="C")
        out.append({"array": arr, "tensor": torch.from_numpy(native), "str": f"text {i}", "none": None}[choice])
    return out


@SETTINGS
@given(batch=items(), pad=st.sampled_from([0.0, -1.0]))
def test_collate(batch: list[Any], pad: float, fuzzed: Any) -> None:
    fuzzed["collate"] += 1
    try:
        out = collate_items(batch, pad_value=pad)
    except (ValueError, TypeError) as err:
        assert str(err)
        return
    assert out is not None
    try:
        collate_views([([x, x], None) for x in batch])
    except (ValueError, TypeError) as err:
        assert str(err)

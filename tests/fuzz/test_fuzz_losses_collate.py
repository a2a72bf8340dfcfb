"""The losses and collation under generated odd batches: a finite loss (where the embeddings are
finite) in the dtype it was computed in, with finite gradients, or one AugkitError naming the
argument; a collated batch or one ValueError/TypeError.

The losses are probed with ordinary embeddings of every float dtype and scale, with odd ones in any
argument's place (lists, integer, bool and empty tensors, numpy arrays, wrong ranks, ``None``), with
margins and ``n_views`` of every value and type, and with float16 and bfloat16 embeddings holding
zero and tiny rows, whose gradients must stay finite in their own dtype."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from augkit.core.errors import AugkitError, InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType
from augkit.datasets import collate_items, collate_views
from augkit.losses import MAX_MARGIN, MIN_TEMPERATURE, ContrastiveLoss, InfoNCELoss, NTXentLoss, TripletLoss

LONG = os.environ.get("AUGKIT_FUZZ") == "long"
EXAMPLES = int(os.environ.get("AUGKIT_FUZZ_EXAMPLES", 2500 if LONG else 40))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
# collation is cheap: the long profile gives it four times the examples, so that with the bounds
# file's collate probes it passes 10,000 inputs like each modality
COLLATE_SETTINGS = settings(max_examples=EXAMPLES * 4 if LONG else EXAMPLES, deadline=None, database=None,
                            suppress_health_check=[HealthCheck.too_slow])
SPECIAL = [None, 0.0, 1e30, -1e30, np.nan, np.inf]
TEMPERATURES = [MIN_TEMPERATURE, 1e-3, 0.07, 0.5, 1.0]


@st.composite
def embeddings(draw: Any, batch: int | None = None, dim: int | None = None,
               dtypes: tuple[torch.dtype, ...] = (torch.float16, torch.float32, torch.float64)) -> torch.Tensor:
    b = draw(st.integers(0, 8)) if batch is None else batch
    d = draw(st.integers(1, 16)) if dim is None else dim
    dtype = draw(st.sampled_from(dtypes))
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
    """A scalar loss in float64 (any input float64) or float32, finite where the inputs are, or one AugkitError."""
    try:
        loss = fn()
    except AugkitError as err:
        assert isinstance(err, (ValueError, TypeError)) and str(err)
        return
    assert isinstance(loss, torch.Tensor) and loss.ndim == 0
    assert loss.dtype == (torch.float64 if any(t.dtype == torch.float64 for t in inputs) else torch.float32)
    if _finite(*inputs):
        assert torch.isfinite(loss), "a finite batch gave a non-finite loss"


@SETTINGS
@given(data=st.data(), n_views=st.integers(1, 4), temperature=st.sampled_from(TEMPERATURES))
def test_ntxent(data: Any, n_views: int, temperature: float, fuzzed: Any) -> None:
    fuzzed["losses"] += 1
    b, d = data.draw(st.integers(0, 8)), data.draw(st.integers(1, 16))
    views = [data.draw(embeddings(b, d)) for _ in range(n_views)]
    _outcome(lambda: NTXentLoss(temperature)(views), views)
    if n_views >= 2 and len({v.dtype for v in views}) == 1:
        _outcome(lambda: NTXentLoss(temperature)(torch.cat(views), n_views=n_views), views)


@SETTINGS
@given(data=st.data())
def test_infonce_triplet_contrastive(data: Any, fuzzed: Any) -> None:
    fuzzed["losses"] += 1
    b, d = data.draw(st.integers(0, 8)), data.draw(st.integers(1, 16))
    q, k, n = (data.draw(embeddings(b, d)) for _ in range(3))
    _outcome(lambda: InfoNCELoss(symmetric=data.draw(st.booleans()))(q, k), [q, k])
    bank = data.draw(embeddings(None, d))
    _outcome(lambda: InfoNCELoss(in_batch_negatives=data.draw(st.booleans()))(q, k, queue=bank), [q, k, bank])
    _outcome(lambda: TripletLoss(normalize=data.draw(st.booleans()))(q, k, n), [q, k, n])
    labels = torch.from_numpy(np.random.default_rng(b).integers(0, 3, b))
    _outcome(lambda: TripletLoss(mining=data.draw(st.sampled_from(["hard", "semi-hard"])))(q, labels), [q])
    same = torch.from_numpy(np.random.default_rng(d).integers(0, 2, b))
    _outcome(lambda: ContrastiveLoss()(q, k, same), [q, k])


# --- odd embeddings in any argument's place -------------------------------------------------------

#: (the argument's name in messages, a call with ``odd`` in its place and ordinary embeddings [b, d] elsewhere)
Place = tuple[str, Callable[[Any, int, int], Any]]


def _ok(b: int, d: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(b, d, generator=torch.Generator().manual_seed(seed))


PLACES: list[Place] = [
    ("views", lambda odd, b, d: NTXentLoss()(odd, n_views=2)),
    ("views[0]", lambda odd, b, d: NTXentLoss()([odd, _ok(b, d)])),
    ("views[2]", lambda odd, b, d: NTXentLoss()((_ok(b, d), _ok(b, d, 1), odd))),
    ("query", lambda odd, b, d: InfoNCELoss()(odd, _ok(b, d))),
    ("key", lambda odd, b, d: InfoNCELoss(symmetric=True)(query=_ok(b, d), key=odd)),
    ("queue", lambda odd, b, d: InfoNCELoss(in_batch_negatives=False)(_ok(b, d), _ok(b, d, 1), queue=odd)),
    ("anchor", lambda odd, b, d: TripletLoss()(odd, _ok(b, d), _ok(b, d, 1))),
    ("positive", lambda odd, b, d: TripletLoss(normalize=True)(_ok(b, d), odd, _ok(b, d, 1))),
    ("negative", lambda odd, b, d: TripletLoss()(_ok(b, d), _ok(b, d, 1), negative=odd)),
    ("anchor", lambda odd, b, d: TripletLoss(mining="hard")(odd, torch.arange(b) % 2)),
    ("anchor", lambda odd, b, d: TripletLoss(mining="semi-hard", normalize=True)(odd, torch.arange(b) % 2)),
    ("x1", lambda odd, b, d: ContrastiveLoss()(odd, _ok(b, d), torch.arange(b) % 2)),
    ("x2", lambda odd, b, d: ContrastiveLoss()(x1=_ok(b, d), x2=odd, same=torch.arange(b) % 2)),
]
INTEGERS = [torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool]


@st.composite
def odd_embeddings(draw: Any, b: int, d: int) -> Any:
    """Something that is not a float tensor [b >= 1, d >= 1]."""
    kind = draw(st.sampled_from(["list", "nested list", "integer", "integer numpy", "empty", "empty integer",
                                 "no features", "rank 1", "rank 3", "none", "number", "string", "complex"]))
    z = _ok(b, d, draw(st.integers(0, 2**16)))
    if kind == "list":
        return z[0].tolist()
    if kind == "nested list":
        return z.tolist()
    if kind in ("integer", "integer numpy"):
        ints = (z * 10).to(draw(st.sampled_from(INTEGERS)))
        return ints.numpy() if kind == "integer numpy" else ints
    if kind in ("empty", "empty integer"):
        dtype = draw(st.sampled_from(INTEGERS if kind == "empty integer" else [torch.float16, torch.float32,
                                                                                  torch.float64, torch.bfloat16]))
        return torch.zeros(0, d, dtype=dtype)
    return {"no features": z[:, :0], "rank 1": z[0], "rank 3": z[None], "none": None, "number": 1.5,
            "string": "embeddings", "complex": z.to(torch.complex64)}[kind]


@SETTINGS
@given(data=st.data(), place=st.sampled_from(PLACES), b=st.integers(2, 6), d=st.integers(1, 8))
def test_odd_embeddings_are_named(data: Any, place: Place, b: int, d: int, fuzzed: Any) -> None:
    fuzzed["losses"] += 1
    name, call = place
    odd = data.draw(odd_embeddings(b, d))
    if odd is None and name in ("queue", "negative"):
        odd = []  # None means "no queue" there, and without mining TripletLoss names a missing negative alike
    try:
        call(odd, b, d)
    except (WrongInputType, InvalidInput) as err:
        assert name in str(err) or (name.startswith("views") and "views" in str(err)), str(err)
    else:
        raise AssertionError(f"{name}={odd!r} gave a loss")


# --- margins, n_views and temperatures of any value and type --------------------------------------

ANY_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**400), 10**400), st.integers(-5, 10),
    st.sampled_from([1e308, 1e20, MAX_MARGIN, math.nextafter(MAX_MARGIN, math.inf), 5e-324, -0.0, MIN_TEMPERATURE,
                     math.nextafter(MIN_TEMPERATURE, 0)]),
    st.builds(np.float32, st.floats(-1e3, 1e3, width=32)), st.builds(np.int64, st.integers(-5, 10)),
    st.booleans(), st.none(), st.text(max_size=4), st.binary(max_size=2), st.lists(st.integers(0, 3), max_size=2),
    st.tuples(st.integers(2, 3)), st.complex_numbers(max_magnitude=10),
)


def _real(x: Any) -> float | None:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        return None
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


@SETTINGS
@given(data=st.data(), margin=ANY_VALUE, temperature=ANY_VALUE)
def test_margins_and_temperatures_of_any_value(data: Any, margin: Any, temperature: Any, fuzzed: Any) -> None:
    fuzzed["losses"] += 1
    scale = data.draw(st.sampled_from([0.0, 1.0, 1e3]))  # what a margin adds to, not embeddings past float32
    z = [(_ok(4, 3, seed) * scale).to(data.draw(st.sampled_from([torch.float16, torch.float32]))) for seed in range(3)]
    m = _real(margin)
    for loss, positive in ((TripletLoss, False), (ContrastiveLoss, True)):
        valid = m is not None and math.isfinite(m) and (m > 0 if positive else m >= 0) and m <= MAX_MARGIN
        try:
            made = loss(margin=margin)
        except (InvalidArgument, WrongArgumentType) as err:
            assert not valid and str(err).startswith("margin=")
            assert isinstance(err, WrongArgumentType) == (m is None)
            continue
        assert valid, f"margin={margin!r} was accepted"
        value = made(z[0], z[1], z[2]) if loss is TripletLoss else made(z[0], z[1], torch.tensor([0, 1, 0, 1]))
        assert value.dtype == torch.float32
        assert torch.isfinite(value) or not _finite(*z), f"margin={margin!r} gave {value}"
    t = _real(temperature)
    valid = t is not None and MIN_TEMPERATURE <= t < math.inf
    try:
        made = NTXentLoss(temperature)
    except (InvalidArgument, WrongArgumentType) as err:
        assert not valid and str(err).startswith("temperature=")
        assert isinstance(err, WrongArgumentType) == (t is None)
        return
    assert valid, f"temperature={temperature!r} was accepted"
    assert torch.isfinite(made(z[:2])) or not _finite(*z[:2])


@SETTINGS
@given(data=st.data(), n_views=ANY_VALUE, n=st.integers(2, 4), b=st.integers(1, 4))
def test_n_views_of_any_value_and_type(data: Any, n_views: Any, n: int, b: int, fuzzed: Any) -> None:
    fuzzed["losses"] += 1
    views = [_ok(b, 3, seed) for seed in range(n)]
    integral = isinstance(n_views, numbers.Integral) and not isinstance(n_views, (bool, np.bool_))
    stacked_valid = integral and n_views >= 2 and (n * b) % n_views == 0
    listed_valid = n_views is None or (integral and n_views == n)
    for given_views, valid in ((torch.cat(views), stacked_valid), (views, listed_valid)):
        try:
            loss = NTXentLoss(0.5)(given_views, n_views=n_views)
        except (WrongArgumentType, InvalidArgument, InvalidInput) as err:
            assert not valid and "n_views" in str(err), str(err)
            assert isinstance(err, WrongArgumentType) == (n_views is not None and not integral)
            continue
        assert valid and loss.dtype == torch.float32 and torch.isfinite(loss), (n_views, loss)


# --- half-precision gradients ---------------------------------------------------------------------

HALF_LOSSES: list[tuple[str, Callable[[list[torch.Tensor], float], torch.Tensor]]] = [
    ("ntxent", lambda z, t: NTXentLoss(t)(z[:2])),
    ("ntxent-3", lambda z, t: NTXentLoss(t)(z)),
    ("ntxent-stacked", lambda z, t: NTXentLoss(t)(torch.cat(z), n_views=3)),
    ("infonce", lambda z, t: InfoNCELoss(t)(z[0], z[1])),
    ("infonce-symmetric", lambda z, t: InfoNCELoss(t, symmetric=True)(z[0], z[1], queue=z[2])),
    ("infonce-moco", lambda z, t: InfoNCELoss(t, in_batch_negatives=False)(z[0], z[1], queue=z[2].detach())),
    ("triplet", lambda z, t: TripletLoss()(*z)),
    ("triplet-normalized", lambda z, t: TripletLoss(normalize=True)(*z)),
    ("triplet-hard", lambda z, t: TripletLoss(mining="hard", normalize=True)(torch.cat(z),
                                                                            torch.arange(3).repeat_interleave(len(z[0])))),
    ("triplet-semi-hard", lambda z, t: TripletLoss(mining="semi-hard", normalize=True)(
        torch.cat(z), torch.arange(len(z[0])).repeat(3))),
    ("contrastive", lambda z, t: ContrastiveLoss()(z[0], z[1], torch.arange(len(z[0])) % 2)),
]


@SETTINGS
@given(data=st.data(), loss=st.sampled_from(HALF_LOSSES), temperature=st.sampled_from(TEMPERATURES),
       dtype=st.sampled_from([torch.float16, torch.bfloat16]), b=st.integers(1, 8), d=st.integers(1, 16))
def test_half_precision_gradients_stay_finite(data: Any, loss: Any, temperature: float, dtype: torch.dtype,
                                              b: int, d: int, fuzzed: Any) -> None:
    """Zero rows (and rows that round to zero or to subnormals) give finite gradients in the input's dtype."""
    fuzzed["losses"] += 1
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    z = []
    for _ in range(3):
        scales = data.draw(st.lists(st.sampled_from([0.0, 1e-20, 6e-8, 1e-4, 1e-2, 1.0, 100.0]), min_size=b,
                                    max_size=b))
        rows = rng.standard_normal((b, d)) * np.array(scales)[:, None]
        z.append(torch.from_numpy(rows).to(dtype).requires_grad_(True))
    name, fn = loss
    value = fn(z, temperature)
    assert value.dtype == torch.float32 and torch.isfinite(value), (name, value)
    value.backward()
    for x in z:
        if x.grad is not None:
            assert x.grad.dtype == dtype and torch.isfinite(x.grad).all(), (name, x.grad)


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


@COLLATE_SETTINGS
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

"""The one base and its composites: declared arguments, p, records, child streams, replay."""

from __future__ import annotations

import inspect
import json
import pickle
from typing import Any

import numpy as np
import pytest

import augkit
from augkit.core import Augmenter, Compose, Identity, OneOf, Params, RandomApply, check_json_safe
from augkit.core.args import Arg, Choice, Integer, Probability, Range, Strength
from augkit.core.errors import AugkitError, InvalidArgument, InvalidParams, WrongArgumentType
from augkit.core.streams import stream


class AddNormal(Augmenter[float]):
    """A minimal op on the base: adds ``scale`` times a standard normal draw."""

    name = "test.add_normal"
    args = (Arg("scale", Range(0, 10), 1.0),)
    drawn = {"delta": float}
    scale: tuple[float, float]

    def draw(self, x: float, rng: np.random.Generator) -> Params:
        return {"delta": float(rng.normal()) * self.scale[1]}

    def transform(self, x: float, params: Params) -> float:
        return x + params["delta"]


class Bare(Augmenter[float]):
    """An op written to the bare protocol (own sample and apply), as third-party code may be."""

    name = "test.bare"

    def sample(self, x: float, rng: np.random.Generator) -> Params:
        return {"delta": float(rng.random())}

    def apply(self, x: float, params: Params) -> float:
        return x - params["delta"]


def test_compose_children_draw_from_independent_streams() -> None:
    # albumentations 2.x seeds every child with one seed: two identical transforms then draw
    # identical values. Here two identical children must draw different values.
    for rng in (np.random.default_rng(0), stream(0, 0, 0, 0)):
        params = Compose([AddNormal(), AddNormal()]).sample(0.0, rng)
        a, b = (rec["params"]["delta"] for rec in params["ops"])
        assert a != b


def test_a_child_stream_is_keyed_by_its_place() -> None:
    pipe = Compose([AddNormal(), AddNormal()])
    record = pipe.sample(0.0, stream(5, 0, 3, 1))
    expected = AddNormal().sample(0.0, stream(5, 0, 3, 1, 1))
    assert record["ops"][1]["params"] == expected
    # nested composites: the grandchild's key extends its parent's
    nested = Compose([Identity(), Compose([AddNormal()])])
    inner = nested.sample(0.0, stream(5, 0, 3, 1))["ops"][1]["params"]["ops"][0]["params"]
    assert inner == AddNormal().sample(0.0, stream(5, 0, 3, 1, 1, 0))


def test_compose_replay_and_json_round_trip() -> None:
    pipe = Compose([AddNormal(), RandomApply(AddNormal(), p=0.5), OneOf([AddNormal(), Identity(), Bare()])])
    for seed in range(20):
        y, params = pipe.augment(1.0, np.random.default_rng(seed))
        restored = json.loads(json.dumps(params))
        assert pipe.apply(1.0, restored) == y
        check_json_safe(params)


def test_same_rng_state_gives_same_params() -> None:
    pipe = Compose([AddNormal(), RandomApply(AddNormal(), p=0.3)])
    assert pipe.sample(0.0, np.random.default_rng(5)) == pipe.sample(0.0, np.random.default_rng(5))
    assert pipe.sample(0.0, np.random.default_rng(5)) != pipe.sample(0.0, np.random.default_rng(6))


@pytest.mark.parametrize("make", [lambda p: RandomApply(AddNormal(), p=p), lambda p: AddNormal(p=p),
                                  lambda p: Compose([AddNormal()], p=p)])
def test_p_is_the_firing_frequency_and_every_record_says_applied(make: Any) -> None:
    p, n = 0.3, 4000
    op = make(p)
    records = [op.sample(0.0, np.random.default_rng(i)) for i in range(n)]
    assert all(isinstance(r["applied"], bool) for r in records)
    fired = sum(r["applied"] for r in records)
    assert abs(fired - n * p) < 3 * np.sqrt(n * p * (1 - p))
    # a record that did not fire holds nothing else and returns the input
    off = next(r for r in records if not r["applied"])
    assert off == {"applied": False} and op.apply(2.5, off) == 2.5


def test_p_zero_and_one() -> None:
    assert all(not AddNormal(p=0).sample(0.0, np.random.default_rng(i))["applied"] for i in range(50))
    assert all(AddNormal().sample(0.0, np.random.default_rng(i))["applied"] for i in range(50))


def test_one_of_follows_weights() -> None:
    n = 3000
    op = OneOf([AddNormal(), Identity()], weights=[3, 1])
    first = sum(op.sample(0.0, np.random.default_rng(i))["choice"] == 0 for i in range(n))
    assert abs(first - 0.75 * n) < 3 * np.sqrt(n * 0.75 * 0.25)


def test_composites_pickle() -> None:
    pipe = Compose([AddNormal(), OneOf([AddNormal(), Identity()])])
    clone = pickle.loads(pickle.dumps(pipe))
    params = pipe.sample(0.0, np.random.default_rng(1))
    assert clone.apply(0.0, params) == pipe.apply(0.0, params)


@pytest.mark.parametrize(
    ("make", "kind", "message"),
    [
        (lambda: RandomApply(AddNormal(), p=1.5), InvalidArgument, r"p=1\.5 must be a probability in \[0, 1\]"),
        (lambda: AddNormal(scale=(3, 1)), InvalidArgument, r"scale=\(3, 1\) .*min <= max, within \[0, 10\]"),
        (lambda: AddNormal(scale="big"), WrongArgumentType, "scale='big'"),
        (lambda: AddNormal(scal=1), WrongArgumentType, "AddNormal.*unexpected keyword argument 'scal'.*scale, p"),
        (lambda: OneOf([]), WrongArgumentType, "at least one"),
        (lambda: OneOf([AddNormal()], weights=[-1]), InvalidArgument, "weights"),
        (lambda: Compose([lambda x: x]), WrongArgumentType, r"ops\[0\]"),
        (lambda: Compose(AddNormal()), WrongArgumentType, "list of augmenters"),
    ],
)
def test_bad_constructor_arguments_name_the_argument(make: Any, kind: type, message: str) -> None:
    with pytest.raises(kind, match=message) as info:
        make()
    assert isinstance(info.value, AugkitError)
    assert isinstance(info.value, (ValueError, TypeError))


def test_the_error_base_is_exported() -> None:
    assert augkit.AugkitError is AugkitError
    with pytest.raises(augkit.AugkitError):
        AddNormal(p=-1)
    with pytest.raises(ValueError):
        AddNormal(p=-1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "missing key 'applied'"),
        ({"applied": "yes"}, r"\['applied'\] must be bool"),
        ({"applied": True}, "missing key 'delta'"),
        ({"applied": True, "delta": "1"}, r"\['delta'\] must be float"),
        ([1, 2], "must be a dict"),
    ],
)
def test_malformed_params_name_the_key(params: Any, message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        AddNormal().apply(0.0, params)


def test_apply_rejects_params_of_another_pipeline() -> None:
    params = Compose([AddNormal()]).sample(0.0, np.random.default_rng(0))
    with pytest.raises(InvalidParams, match="1 records but the pipeline has 2"):
        Compose([AddNormal(), AddNormal()]).apply(0.0, params)
    with pytest.raises(InvalidParams, match="choice"):
        OneOf([AddNormal()]).apply(0.0, {"applied": True, "choice": 3, "params": {}})


def test_signature_and_repr_come_from_the_declaration() -> None:
    assert str(inspect.signature(AddNormal)) == "(scale=1.0, p=1.0)"
    op = AddNormal((0.5, 2.0), p=0.25)
    assert repr(op) == "AddNormal(scale=(0.5, 2.0), p=0.25)"
    clone = eval(repr(op), {"AddNormal": AddNormal})
    assert clone.arguments() == op.arguments() == {"scale": (0.5, 2.0), "p": 0.25}
    assert type(op)(**op.arguments()).arguments() == op.arguments()


def test_declared_checks_follow_one_convention() -> None:
    assert Range(0, 10)(3, "x") == (3.0, 3.0)            # a single number is a fixed value
    assert Range(0, 10)((1, 2), "x") == (1.0, 2.0)
    assert Strength(1.0, low=0.0)(0.8, "brightness") == (pytest.approx(0.2), 1.8)
    assert Strength(1.0, low=0.0)(1.5, "brightness") == (0.0, 2.5)
    assert Strength(1.0, low=0.0)((1.2, 1.2), "brightness") == (1.2, 1.2)
    assert Strength(0.0, low=-0.5, high=0.5)(0.2, "hue") == (-0.2, 0.2)
    with pytest.raises(InvalidArgument, match=r"hue=0\.6"):
        Strength(0.0, low=-0.5, high=0.5)(0.6, "hue")
    with pytest.raises(InvalidArgument, match="nan"):
        Range(0, 10)(float("nan"), "x")
    with pytest.raises(WrongArgumentType):
        Probability()(True, "p")
    with pytest.raises(InvalidArgument, match="one of 'a', 'b'"):
        Choice(("a", "b"))("c", "mode")
    with pytest.raises(InvalidArgument, match=r"an odd int in \[1, inf\)"):
        Integer(1, None, odd=True)(4, "kernel_size")


def test_bare_protocol_ops_still_compose() -> None:
    pipe = Compose([Bare(), AddNormal()])
    y, params = pipe.augment(0.0, stream(1, 0, 0, 0))
    assert pipe.apply(0.0, params) == y
    assert params["ops"][0]["params"] == Bare().sample(0.0, stream(1, 0, 0, 0, 0))


def test_records_of_format_1_are_upgraded() -> None:
    pipe = Compose([AddNormal(), RandomApply(AddNormal(), p=0.5)])
    old = {"ops": [{"op": "test.add_normal", "params": {"delta": 0.5}},
                   {"op": "test.add_normal", "params": {"applied": False, "op": "x", "params": None}}]}
    new = pipe.upgrade(old, 1)
    assert new["applied"] is True and new["ops"][0]["params"] == {"applied": True, "delta": 0.5}
    assert new["ops"][1]["params"] == {"applied": False}
    assert pipe.apply(1.0, new) == 1.5


def test_check_json_safe_rejects_numpy_scalars_and_tuples() -> None:
    with pytest.raises(TypeError):
        check_json_safe({"v": np.float32(1.0)})
    with pytest.raises(TypeError, match="round trip"):
        check_json_safe({"v": (1, 2)})

"""The contract's composites: own streams per child, replay, JSON-safe params, argument checks."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from augkit.core import Augmenter, Compose, Identity, OneOf, Params, RandomApply, check_json_safe, check_range


class AddNormal(Augmenter[float]):
    """A minimal augmenter: adds a standard normal draw."""

    name = "test.add_normal"

    def sample(self, x: float, rng: np.random.Generator) -> Params:
        return {"delta": float(rng.normal())}

    def apply(self, x: float, params: Params) -> float:
        return x + params["delta"]


def test_compose_children_draw_from_independent_streams() -> None:
    # albumentations 2.x seeds every child with one seed: two identical transforms then draw
    # identical values. Here two identical children must draw different values.
    params = Compose([AddNormal(), AddNormal()]).sample(0.0, np.random.default_rng(0))
    a, b = (rec["params"]["delta"] for rec in params["ops"])
    assert a != b


def test_compose_replay_and_json_round_trip() -> None:
    pipe = Compose([AddNormal(), RandomApply(AddNormal(), p=0.5), OneOf([AddNormal(), Identity()])])
    for seed in range(20):
        y, params = pipe.augment(1.0, np.random.default_rng(seed))
        restored = json.loads(json.dumps(params))
        assert pipe.apply(1.0, restored) == y
        check_json_safe(params)


def test_same_rng_state_gives_same_params() -> None:
    pipe = Compose([AddNormal(), RandomApply(AddNormal(), p=0.3)])
    assert pipe.sample(0.0, np.random.default_rng(5)) == pipe.sample(0.0, np.random.default_rng(5))
    assert pipe.sample(0.0, np.random.default_rng(5)) != pipe.sample(0.0, np.random.default_rng(6))


def test_random_apply_frequency_matches_p() -> None:
    p, n = 0.3, 4000
    op = RandomApply(AddNormal(), p=p)
    fired = sum(op.sample(0.0, np.random.default_rng(i))["applied"] for i in range(n))
    sigma = np.sqrt(n * p * (1 - p))
    assert abs(fired - n * p) < 3 * sigma


def test_one_of_follows_weights() -> None:
    n = 3000
    op = OneOf([AddNormal(), Identity()], weights=[3, 1])
    first = sum(op.sample(0.0, np.random.default_rng(i))["choice"] == 0 for i in range(n))
    sigma = np.sqrt(n * 0.75 * 0.25)
    assert abs(first - 0.75 * n) < 3 * sigma


def test_composites_pickle() -> None:
    pipe = Compose([AddNormal(), OneOf([AddNormal(), Identity()])])
    clone = pickle.loads(pickle.dumps(pipe))
    params = pipe.sample(0.0, np.random.default_rng(1))
    assert clone.apply(0.0, params) == pipe.apply(0.0, params)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: RandomApply(AddNormal(), p=1.5), "p=1.5"),
        (lambda: OneOf([]), "at least one"),
        (lambda: OneOf([AddNormal()], weights=[-1]), "weights"),
        (lambda: Compose([lambda x: x]), "Compose ops\\[0\\]"),
        (lambda: Compose(AddNormal()), "list of augmenters"),
    ],
)
def test_bad_constructor_arguments_name_the_argument(make, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_apply_rejects_params_of_another_pipeline() -> None:
    params = Compose([AddNormal()]).sample(0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="1 ops but the pipeline has 2"):
        Compose([AddNormal(), AddNormal()]).apply(0.0, params)


def test_check_range_conventions() -> None:
    assert check_range(3, "gain_db") == (3.0, 3.0)
    assert check_range((-6, 6), "gain_db") == (-6.0, 6.0)
    with pytest.raises(ValueError, match="snr_db"):
        check_range((20, 5), "snr_db")
    with pytest.raises(ValueError, match="rate"):
        check_range((0, 2), "rate", low=0, low_inclusive=False)


def test_check_json_safe_rejects_numpy_scalars_and_tuples() -> None:
    with pytest.raises(TypeError):
        check_json_safe({"v": np.float32(1.0)})
    with pytest.raises(TypeError, match="round trip"):
        check_json_safe({"v": (1, 2)})

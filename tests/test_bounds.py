"""Nothing unbounded from data: recorded params checked against the declared bounds on replay.

Each test reproduces a failure the hardening issue lists (a replayed blur kernel of 2,000,001)."""

from __future__ import annotations

import json
import math
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import augkit
from augkit.core import modalities, registry
from augkit.core.errors import InvalidParams
from augkit.core.streams import stream

ROOT = Path(__file__).resolve().parent.parent
#: Far more than any message needs, far less than a quoted value from data could make it.
SHORT = 1000


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (rather than hang) when the body runs longer than ``seconds``: hang detection, not timing."""
    def fail(signum: int, frame: Any) -> None:
        raise TimeoutError(f"ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- recorded params: every op's bounds on replay ----------------------------------------------------------


def _fired(name: str) -> tuple[Any, Any, dict[str, Any]]:
    aug = registry.get(name).example()
    x = modalities.get(aug.modality).example()
    for seed in range(200):
        record = aug.sample(x, stream(seed, 0, 0, 0))
        if record["applied"]:
            return aug, x, record
    raise AssertionError(f"{name} never fired")


def _far_values(cls: Any, key: str, value: Any) -> list[Any]:
    """Values of ``key`` outside what its declared argument (or any 64-bit field) allows."""
    far: list[Any] = [10**30, -(10**30)] if isinstance(value, int) else [math.inf, -math.inf, math.nan]
    declared = {a.name: a.check for a in cls._declared}
    bounds = declared[key].bounds() if key in declared else None
    if bounds is not None:
        low, high = bounds[0], bounds[1]
        if high is not None:
            far += [high + 1, high * 1000 + 10**6] if isinstance(value, int) else [high + 1.0, 1e300]
        if low is not None:
            far += [low - 1, low * 1000 - 10**6] if isinstance(value, int) else [low - 1.0, -1e300]
    return far


RECORDING_OPS = [n for n in registry.names() if registry.get(n).modality and registry.get(n).drawn]


@pytest.mark.parametrize("name", RECORDING_OPS)
def test_every_op_refuses_a_replayed_value_outside_its_declared_range_naming_the_key(name: str) -> None:
    aug, x, record = _fired(name)
    checked = 0
    for key in type(aug).drawn:
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue  # lists (edits, order) are checked against the input by the op
        for far in _far_values(type(aug), key, value):
            with pytest.raises(InvalidParams, match=rf"\[{key!r}\]"):
                aug.apply(x, {**record, key: far})
            checked += 1
    numbers = [k for k, kind in type(aug).drawn.items() if kind is not list]
    assert checked or numbers in ([], ["seed"])  # EDA records lists; back-translation's seed is None here


def test_a_replayed_blur_kernel_of_two_million_is_refused() -> None:
    blur = augkit.image.GaussianBlur(sigma=(0.1, 2.0), p=1.0)
    x = modalities.get("image").example()
    with time_limit(20), pytest.raises(InvalidParams, match=r"\['kernel_size'\]=2000001 must lie in \[1, 601\]"):
        blur.apply(x, {"applied": True, "sigma": 1.0, "kernel_size": 2_000_001})
    # the largest kernel a drawn sigma can ask for still replays
    big = augkit.image.GaussianBlur(sigma=100.0, p=1.0)
    record = big.sample(x, np.random.default_rng(0))
    assert record["kernel_size"] == 601
    assert big.apply(x, record).shape == x.shape


def test_the_generator_replay_refuses_an_out_of_range_record_by_key() -> None:
    vg = augkit.image.simclr(32, seed=0)
    x = modalities.get("image").example()
    views = vg.generate(x, index=0)
    records = json.loads(json.dumps(views.params))

    def blur_records(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if "kernel_size" in node:
                yield node
            for v in node.values():
                yield from blur_records(v)
        elif isinstance(node, list):
            for v in node:
                yield from blur_records(v)

    found = list(blur_records(records))
    assert found
    for r in found:
        r.update({"applied": True, "sigma": 1.0, "kernel_size": 2_000_001})
    with time_limit(20), pytest.raises(InvalidParams, match="kernel_size"):
        vg.replay(x, records)

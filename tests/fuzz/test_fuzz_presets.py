"""Every registered preset under generated arguments: at, inside and past their bounds, of wrong
types, and unknown keyword names.

Property: either the preset builds a ViewGenerator whose views of the modality's example sample
are made within the deadline and the memory bound, or construction raises one augkit error (a
ValueError/TypeError) whose message names an argument that was given. Values are drawn from the
type of each argument's default, so a new preset is covered as soon as it is registered. Builds
and views run in a persistent worker process (restarted when a signal kills it), where each
case's peak memory (``VmHWM``) is measured: a size past the bound must be refused at construction,
never reach cv2.

``make test`` runs the quick profile (30 cases per preset); ``make fuzz`` (``AUGKIT_FUZZ=long``)
runs 1,250 per preset and prints the counts (``AUGKIT_FUZZ_EXAMPLES`` sets another number).
"""

from __future__ import annotations

import collections
import inspect
import math
import os
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from augkit.audio.presets import MAX_VIEW_SAMPLES
from augkit.core import registry
from augkit.core.args import MAX_SIDE, MAX_VIEWS
from augkit.core.errors import AugkitError, InvalidInput
from tests.fuzz._worker import Worker

LONG = os.environ.get("AUGKIT_FUZZ") == "long"
EXAMPLES = int(os.environ.get("AUGKIT_FUZZ_EXAMPLES", 1250 if LONG else 30))
DEADLINE_S = 120.0  # one build and its views; the worker is killed (and the case fails) past it
PRESETS = registry.presets()
#: Views of at most this many pixels or samples in all are made in the fuzz cases; larger builds
#: (a size near MAX_SIDE) are checked at construction there and made once in test_the_bounds_*.
VIEW_BUDGET = 2**23

WORKER = r'''
import math, os, time
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np, torch
from augkit.core import modalities
from augkit.core import registry
from augkit.core.errors import AugkitError
from augkit.views.generator import ViewGenerator

def elements(vg):
    """The pixels or samples the generator's views hold, from each pipeline's leading crop."""
    total = 0
    for pipeline in vg.pipelines:
        first = pipeline.ops[0] if getattr(pipeline, "ops", None) else pipeline
        size, length = getattr(first, "size", None), getattr(first, "length", None)
        total += math.prod(size) if isinstance(size, tuple) else int(length or 0)
    return total

def finite(v):
    if isinstance(v, torch.Tensor):
        return not v.is_floating_point() or bool(torch.isfinite(v).all())
    if isinstance(v, np.ndarray):
        return v.dtype.kind != "f" or bool(np.isfinite(v).all())
    return True

def run(case):
    preset = registry.get_preset(case["name"])
    reply = {"built": False, "generated": False}
    try:
        vg = preset(*case.get("args", ()), **case["kwargs"])
    except Exception as err:
        reply.update(error=type(err).__name__, message=str(err)[:400], augkit=isinstance(err, AugkitError),
                     value_or_type=isinstance(err, (ValueError, TypeError)),
                     missing_file=isinstance(err, FileNotFoundError))
        return reply
    reply.update(built=True, generator=isinstance(vg, ViewGenerator))
    if not reply["generator"] or elements(vg) > case["budget"]:
        return reply
    modality = modalities.get(preset.modality)
    try:
        example = modality.example()
        source = [example, example] if vg.mixes and vg.source is None else None  # mixing presets' partners
        views = vg.generate(example, index=case["index"], source=source).items
    except Exception as err:
        reply.update(view_error=f"{type(err).__name__}: {str(err)[:300]}")
        return reply
    kinds = {"image": (torch.Tensor, np.ndarray), "audio": (torch.Tensor,), "text": (str,)}
    kind = kinds.get(preset.modality, (object,))
    views = [v["image"] if isinstance(v, dict) and "image" in v else v for v in views]  # masked views: the image
    reply.update(generated=True, n_views=vg.n_views, views=len(views),
                 kinds=all(isinstance(v, kind) for v in views), finite=all(finite(v) for v in views),
                 nonempty=all((v.numel() if isinstance(v, torch.Tensor) else len(v)) > 0 for v in views),
                 made_mb=sum(v.numel() * v.element_size() if isinstance(v, torch.Tensor) else
                             getattr(v, "nbytes", len(v)) for v in views) / 2**20)
    return reply

for case in read_cases():
    before = hwm()
    reply = run(case)
    reply["grew_mb"] = hwm() - before
    send(reply)
'''


COUNTS: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)


@pytest.fixture(scope="module")
def worker() -> Any:
    w = Worker(WORKER, DEADLINE_S)
    yield w
    w.close()
    if LONG:
        print("\npreset fuzz counts (cases: built, views made, refused with a named error):")
        for name in sorted(COUNTS):
            c = COUNTS[name]
            print(f"  {name}: {c['cases']} cases: {c['built']} built, {c['generated']} views made, "
                  f"{c['refused']} refused")
        total = collections.Counter[str]()
        for c in COUNTS.values():
            total.update(c)
        print(f"  all presets: {total['cases']} cases: {total['built']} built, {total['generated']} views made, "
              f"{total['refused']} refused")


# values of the wrong type for most arguments, drawn for every argument
WRONG: list[Any] = [True, False, "x", "", None, 1.5, math.nan, math.inf, -math.inf, 1e300, -1, 0, 10**12, 2**63,
                    [1, 2], ((1, 2), (3,)), (1, 2, 3), (), {}, b"x", 1j, np.float32("nan")]
UNKNOWN = ["sizee", "n_view", "Seed", "outputs", "p", "alpha_x", "views", "sample_rate_hz"]


def _edges(default: Any) -> list[Any]:
    """Values at, inside and past the plausible bounds of an argument whose default is ``default``."""
    if isinstance(default, bool):
        return [True, False, 0, 1, np.bool_(True)]
    if isinstance(default, int):
        d = default
        return [0, 1, 2, 3, -1, d - 1, d, d + 1, 2 * d, MAX_SIDE, MAX_SIDE + 1, MAX_VIEWS, MAX_VIEWS + 1,
                10**12, np.int64(d), float(d), np.uint8(d % 256)]
    if isinstance(default, float):
        f = default
        return [0.0, -0.0, 1e-300, 5e-324, f, f / 2, 2 * f, 0.5, 1.0, 1.0000001, 2.5, 2.5000001, -1e-9, 1e300,
                math.nan, math.inf, -math.inf, np.float32(f), int(f), 10**12]
    if isinstance(default, str):
        return [default, "", default.upper(), default + " ", "x"]
    if isinstance(default, tuple) and all(isinstance(v, (int, float)) for v in default):
        n = len(default)
        return [default, list(default), tuple(reversed(default)), default[:1], default * 2, default[0],
                tuple(2 * v for v in default), tuple(-v for v in default), (math.nan,) * n, (0.0,) * n,
                (1.0,) * n, (1e-300,) * n, np.asarray(default), tuple(str(v) for v in default), (default,),
                (True,) * n]
    # None (seed, optional per-op values, optional recordings): ints, numbers and lists of things
    return [None, 0, 1, 2**64, 0.0, 0.5, 1.0, [np.zeros(100, np.float32)], [np.full(10, np.nan, np.float32)],
            ["/nonexistent/noise.wav"], [[0.1, 0.2]]]


def _parameters(name: str) -> dict[str, Any]:
    return {p.name: p.default for p in inspect.signature(registry.get_preset(name)).parameters.values()}


def _accepted_type(default: Any, value: Any) -> bool:
    """Whether a built preset took ``value`` of a plausible type for an argument defaulting to ``default``."""
    is_bool = isinstance(value, (bool, np.bool_))
    if isinstance(default, bool):
        return is_bool
    if isinstance(default, int):  # an integral float may stand for its int (a sample rate of 16000.0)
        integral = isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value)
        return (isinstance(value, (int, np.integer)) or integral) and not is_bool
    if isinstance(default, float):
        return isinstance(value, (int, float, np.integer, np.floating)) and not is_bool
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, tuple):
        return not isinstance(value, (str, bytes, bool, dict)) and value is not None
    return True


@st.composite
def cases(draw: Any, name: str) -> dict[str, Any]:
    params = _parameters(name)
    chosen = draw(st.lists(st.sampled_from(sorted(params)), max_size=3, unique=True))
    kwargs: dict[str, Any] = {"seed": 0}
    for arg in chosen:
        pool = _edges(params[arg])
        kwargs[arg] = draw(st.sampled_from(pool) if draw(st.integers(0, 3)) else st.sampled_from(WRONG))
    if draw(st.integers(0, 9)) == 0:  # one case in ten also passes an unknown keyword
        unknown = draw(st.sampled_from(UNKNOWN))
        kwargs[unknown] = draw(st.sampled_from([1, 0.5, "x", None]))
        chosen.append(unknown)
    return {"name": name, "kwargs": kwargs, "given": chosen, "budget": VIEW_BUDGET,
            "index": draw(st.integers(0, 2**31))}


def _check(reply: dict[str, Any], case: dict[str, Any]) -> None:
    name, given_args = case["name"], case["given"]
    assert "hung" not in reply, f"{name}: no reply within {DEADLINE_S:.0f} s on {case['kwargs']}"
    assert "crashed" not in reply, f"{name}: the worker died (code {reply['crashed']}) on {case['kwargs']}"
    counts = COUNTS[name]
    counts["cases"] += 1
    if not reply["built"]:
        counts["refused"] += 1
        where = f"{name}({case['kwargs']}) raised {reply['error']}: {reply['message']}"
        missing_file = reply["missing_file"]  # augkit's MissingFile is a FileNotFoundError too
        assert reply["augkit"] or missing_file, f"not an augkit error: {where}"
        assert reply["value_or_type"] or missing_file, f"neither a ValueError nor a TypeError: {where}"
        assert given_args, f"the defaults were refused: {where}"
        assert any(arg in reply["message"] for arg in given_args), f"the message names no argument given: {where}"
        return
    counts["built"] += 1
    assert reply["generator"], f"{name}({case['kwargs']}) did not return a ViewGenerator"
    params = _parameters(name)
    for arg in given_args:
        assert arg in params, f"{name} accepted the unknown keyword {arg!r}"
        assert _accepted_type(params[arg], case["kwargs"][arg]), \
            f"{name} silently accepted {arg}={case['kwargs'][arg]!r} (default {params[arg]!r})"
    assert "view_error" not in reply, f"{name}({case['kwargs']}) built, but its views raised {reply['view_error']}"
    if not reply["generated"]:
        return
    counts["generated"] += 1
    assert reply["views"] == reply["n_views"], f"{name}: {reply['views']} views for n_views={reply['n_views']}"
    assert reply["kinds"] and reply["nonempty"], f"{name}({case['kwargs']}) made views of the wrong kind"
    assert reply["finite"], f"{name}({case['kwargs']}) made non-finite views of a finite sample"
    allowed = 400 + 6 * reply["made_mb"]
    assert reply["grew_mb"] < allowed, \
        f"{name}({case['kwargs']}): peak memory grew by {reply['grew_mb']:.0f} MB (> {allowed:.0f})"


def test_every_modality_has_a_fuzzed_preset() -> None:
    assert {registry.get_preset(n).modality for n in PRESETS} >= {"image", "text", "audio"}


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_builds_and_makes_views_or_names_the_argument(worker: Worker, name: str, fuzzed: Any) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(case=cases(name))
    def check(case: dict[str, Any]) -> None:
        fuzzed[f"presets ({name.split('.')[0]})"] += 1
        _check(worker.run(case), case)

    check()


@pytest.mark.parametrize("name", PRESETS)
def test_too_many_positional_arguments_are_refused(worker: Worker, name: str) -> None:
    reply = worker.run({"name": name, "args": tuple(range(1, 12)), "kwargs": {"seed": 0}, "budget": 0, "index": 0})
    assert not reply["built"] and reply["augkit"] and reply["value_or_type"], reply
    assert "positional" in reply["message"], reply


@pytest.mark.parametrize("name", PRESETS)
def test_view_counts_past_the_bound_are_refused_by_name(worker: Worker, name: str) -> None:
    reply = worker.run({"name": name, "kwargs": {"seed": 0, "n_views": MAX_VIEWS + 1}, "budget": 0, "index": 0})
    assert not reply["built"] and reply["augkit"] and "n_views" in reply["message"], reply


def test_the_bound_on_views_is_reachable(worker: Worker) -> None:
    case = {"name": "image.simclr", "kwargs": {"size": 8, "seed": 0, "n_views": MAX_VIEWS, "output": "uint8"},
            "given": ["size", "n_views", "output"], "budget": VIEW_BUDGET, "index": 3}
    reply = worker.run(case)
    _check(reply, case)
    assert reply["generated"] and reply["views"] == MAX_VIEWS


def _sized(name: str) -> list[str]:
    return [arg for arg in ("size", "local_size") if arg in _parameters(name)]


@pytest.mark.parametrize("name", [n for n in PRESETS if _sized(n)])
def test_sizes_past_the_bound_are_refused_before_any_allocation(worker: Worker, name: str) -> None:
    for arg in _sized(name):
        for size in (MAX_SIDE + 1, (MAX_SIDE + 1, 8), (8, 10**9), 10**12):
            reply = worker.run({"name": name, "kwargs": {"seed": 0, arg: size}, "budget": 0, "index": 0})
            assert not reply["built"] and reply["augkit"] and arg in reply["message"], reply
            assert str(MAX_SIDE) in reply["message"], f"the error does not say the bound: {reply['message']}"
            assert reply["grew_mb"] < 50, reply


def test_audio_views_past_the_bound_are_refused(worker: Worker) -> None:
    over = {"seed": 0, "sample_rate": 16000, "seconds": (MAX_VIEW_SAMPLES + 1) / 16000}
    reply = worker.run({"name": "audio.audio_pairs", "kwargs": over, "budget": 0, "index": 0})
    assert not reply["built"] and reply["augkit"] and "seconds" in reply["message"], reply
    at = {**over, "seconds": MAX_VIEW_SAMPLES / 16000}
    assert worker.run({"name": "audio.audio_pairs", "kwargs": at, "budget": 0, "index": 0})["built"]


@pytest.mark.skipif(not LONG, reason="views of 16384×16384 pixels: the long profile only")
def test_the_bounds_on_sizes_make_views_within_memory(worker: Worker) -> None:
    case = {"name": "image.simclr", "kwargs": {"size": MAX_SIDE, "seed": 0, "output": "uint8"},
            "given": ["size", "output"], "budget": 2 * MAX_SIDE**2, "index": 0}
    reply = worker.run(case)
    _check(reply, case)
    assert reply["generated"], reply


@st.composite
def mixed_images(draw: Any) -> list[np.ndarray]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kinds = draw(st.lists(st.sampled_from(["gray", "rgb", "rgba", "gray1"]), min_size=1, max_size=6))
    shapes = {"gray": (), "rgb": (3,), "rgba": (4,), "gray1": (1,)}
    return [rng.integers(0, 256, (draw(st.integers(1, 40)), draw(st.integers(1, 40)), *shapes[k]), dtype=np.uint8)
            for k in kinds]


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(images=mixed_images(), output=st.sampled_from(["uint8", "normalized", "numpy"]), seed=st.integers(0, 9))
def test_generate_batch_over_mixed_gray_and_rgb_images(images: list[np.ndarray], output: str, seed: int,
                                                       fuzzed: Any) -> None:
    from augkit.image import generate_batch, simclr_cifar

    fuzzed["image batch"] += 1
    vg = simclr_cifar(16, seed=seed, output=output)
    channels = [1 if x.ndim == 2 or x.shape[2] == 1 else 3 for x in images]  # alpha is dropped
    try:
        batch = generate_batch(vg, images, range(len(images)))
    except InvalidInput as err:
        odd = next(i for i, c in enumerate(channels) if c != channels[0])
        assert "images[0]" in str(err) and f"images[{odd}]" in str(err), str(err)
        return
    except AugkitError as err:  # pragma: no cover - the message says what else was refused
        raise AssertionError(f"generate_batch refused {[x.shape for x in images]}: {err}") from None
    assert len(set(channels)) == 1, "images of mixed channel counts gave a batch"
    for item in batch.items:
        shape = tuple(item.shape)
        expected = (len(images), 16, 16, channels[0]) if output == "numpy" else (len(images), channels[0], 16, 16)
        if output == "numpy" and channels[0] == 1:
            assert shape in (expected, expected[:3]), shape
        else:
            assert shape == expected, shape
    # the batch engine (RGB and grayscale alike) gives generate's views and records, bit for bit
    for i, x in enumerate(images):
        views = vg.generate(x, index=i)
        assert batch.params[i] == views.params, i
        for k, view in enumerate(views.items):
            got = batch.items[k][i]
            assert np.array_equal(np.asarray(got), np.asarray(view).reshape(np.asarray(got).shape)), (i, k)

"""Audio and image I/O under generated odd inputs, in a persistent worker process: a crash inside
libsndfile or a decoder fails one case (the worker is restarted) instead of the run, and each
case's peak memory (``VmHWM``) is measured."""

from __future__ import annotations

import math
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz._worker import Worker

LONG = os.environ.get("AUGKIT_FUZZ") == "long"
EXAMPLES = int(os.environ.get("AUGKIT_FUZZ_EXAMPLES", 1000 if LONG else 20))

WORKER = r'''
import io, os, tempfile
import numpy as np, torch
import augkit
from augkit.core import modalities
from augkit.core.errors import AugkitError

tmp = tempfile.mkdtemp()
for case in read_cases():
    rng = np.random.default_rng(case["seed"])
    before = hwm()
    reply = {"ok": True, "error": None}
    try:
        if case["kind"] == "audio":
            clip = rng.uniform(-1.5, 1.5, (case["channels"], case["length"])).astype(case["dtype"])
            if case["special"] is not None and clip.size:
                clip.flat[0] = case["special"]
            path = os.path.join(tmp, "clip" + case["suffix"])
            augkit.audio.save(path, clip, case["rate"])
            wav, rate = augkit.audio.load(path, sample_rate=case["load_rate"])
            reply["shape"] = list(wav.shape)
        else:
            path = os.path.join(tmp, "img" + case["suffix"])
            data = bytes(rng.integers(0, 256, case["length"], dtype=np.uint8))
            if case["valid"]:
                from PIL import Image
                arr = rng.integers(0, 256, (case["channels"] * 3 + 1, case["length"] % 97 + 1, 3), dtype=np.uint8)
                kind = {"jpg": "JPEG", "png": "PNG"}.get(case["suffix"][1:], "PNG")
                buf = io.BytesIO(); Image.fromarray(arr).save(buf, format=kind)
                data = buf.getvalue()[: None if case["whole"] else max(1, len(buf.getvalue()) // 2)]
            open(path, "wb").write(data)
            reply["shape"] = list(modalities.get("image").load(path).shape)
    except (AugkitError, ValueError, TypeError, FileNotFoundError) as err:
        reply = {"ok": False, "error": type(err).__name__, "message": str(err)[:200],
                 "augkit": isinstance(err, AugkitError)}
    except Exception as err:
        reply = {"ok": False, "error": type(err).__name__, "message": str(err)[:200], "unexpected": True}
    reply["grew_mb"] = hwm() - before
    send(reply)
'''


@pytest.fixture(scope="module")
def worker() -> Any:
    w = Worker(WORKER)
    yield w
    w.close()


def _check(reply: dict[str, Any], case: dict[str, Any]) -> None:
    assert "crashed" not in reply, f"the worker died (signal {-reply['crashed']}) on {case}"
    assert "hung" not in reply, f"the worker took over its deadline on {case}"
    assert not reply.get("unexpected"), f"{reply['error']}: {reply['message']} on {case}"
    if not reply["ok"]:
        assert reply["message"], case
    made = 4 * math.prod(reply.get("shape", [0])) / 2**20  # the result's own float32 size
    given = 8 * case.get("channels", 1) * case["length"] / 2**20
    allowed = 300 + 4 * (made + given)
    assert reply["grew_mb"] < allowed, f"peak memory grew by {reply['grew_mb']:.0f} MB (> {allowed:.0f}) on {case}"


audio_cases = st.fixed_dictionaries({
    "kind": st.just("audio"), "seed": st.integers(0, 2**32 - 1), "channels": st.sampled_from([1, 2, 3, 8, 9, 64, 65]),
    "length": st.sampled_from([0, 1, 2, 100, 4000]), "dtype": st.sampled_from(["float32", "float64", "int16"]),
    "special": st.sampled_from([None, float("nan"), float("inf"), 1e20]),
    "suffix": st.sampled_from([".wav", ".flac", ".ogg", ".mp3", ".aiff"]),
    "rate": st.sampled_from([1, 50, 8000, 16000, 44100, 384000]), "load_rate": st.sampled_from([None, 16000, 44099]),
})
image_cases = st.fixed_dictionaries({
    "kind": st.just("image"), "seed": st.integers(0, 2**32 - 1), "length": st.integers(0, 3000),
    "channels": st.integers(0, 30), "suffix": st.sampled_from([".jpg", ".png", ".bmp", ".webp", ".tif"]),
    "valid": st.booleans(), "whole": st.booleans(),
})


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=audio_cases)
def test_audio_save_and_load(worker: Worker, case: dict[str, Any], fuzzed: Any) -> None:
    fuzzed["audio I/O"] += 1
    _check(worker.run(case), case)


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=image_cases)
def test_image_files_load_or_are_named(worker: Worker, case: dict[str, Any], fuzzed: Any) -> None:
    fuzzed["image I/O"] += 1
    _check(worker.run(case), case)

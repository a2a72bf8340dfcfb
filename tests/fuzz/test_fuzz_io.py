"""Audio and image I/O under generated odd inputs, in a persistent worker process: a crash inside
libsndfile or a decoder fails one case (the worker is restarted) instead of the run, and each
case's peak memory (``VmHWM``) is measured.

Clips are saved from reversed arrays too (negative strides, one-frame ones included) and loaded
under a frame cap (``augkit.audio.io.MAX_FRAMES``) that is sometimes lowered below the clip: the
load is then refused before decoding. Images are written from PIL images in rare modes (``LA``,
``1``, ``I;16``, palettes with transparency, ``CMYK``, ...) and must load as the in-memory image
reads."""

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
default_cap = augkit.audio.io.MAX_FRAMES
for case in read_cases():
    rng = np.random.default_rng(case["seed"])
    before = hwm()
    reply = {"ok": True, "error": None}
    try:
        if case["kind"] == "audio":
            clip = rng.uniform(-1.5, 1.5, (case["channels"], case["length"])).astype(case["dtype"])
            if case["special"] is not None and clip.size:
                clip.flat[0] = case["special"]
            if case["reversed"] == "channels":
                clip = clip[::-1]
            elif case["reversed"] == "time":
                clip = clip[:, ::-1]
            elif case["reversed"] == "mono":
                clip = clip[0][::-1]
            path = os.path.join(tmp, "clip" + case["suffix"])
            augkit.audio.save(path, clip, case["rate"])
            augkit.audio.io.MAX_FRAMES = case["max_frames"] or default_cap
            try:
                wav, rate = augkit.audio.load(path, sample_rate=case["load_rate"])
            except AugkitError as err:
                assert not case["max_frames"] or "MAX_FRAMES" in str(err) or "holds no samples" in str(err), str(err)
                raise
            finally:
                augkit.audio.io.MAX_FRAMES = default_cap
            reply["shape"] = list(wav.shape)
        else:
            path = os.path.join(tmp, "img" + case["suffix"])
            data = bytes(rng.integers(0, 256, case["length"], dtype=np.uint8))
            img = None
            if case["valid"]:
                from PIL import Image
                arr = rng.integers(0, 256, (case["channels"] * 3 + 1, case["length"] % 97 + 1, 3), dtype=np.uint8)
                kind = {"jpg": "JPEG", "png": "PNG", "tif": "TIFF"}.get(case["suffix"][1:], "PNG")
                img = Image.fromarray(arr)
                if case["mode"] == "P-transparency":
                    img = img.convert("P"); img.info["transparency"] = bytes(range(256))
                elif case["mode"] == "I;16":
                    img = Image.fromarray(arr[..., 0].astype(np.uint16) * 257)
                elif case["mode"] != "RGB":
                    img = img.convert(case["mode"])
                for kind in (kind, "PNG", "TIFF"):  # a mode the format does not hold: PNG, else TIFF (CMYK, F)
                    buf = io.BytesIO()
                    try:
                        img.save(buf, format=kind)
                        break
                    except (OSError, ValueError, KeyError):
                        pass
                data = buf.getvalue()[: None if case["whole"] else max(1, len(buf.getvalue()) // 2)]
            open(path, "wb").write(data)
            loaded = modalities.get("image").load(path, color="keep")  # the file's own layout
            if img is not None and case["whole"] and kind != "JPEG":  # lossless: the picture in memory
                from PIL import Image
                with Image.open(path) as back:
                    assert np.array_equal(loaded, modalities.get("image").check(back)), (loaded.shape, back.mode)
            reply["shape"] = list(loaded.shape)
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
    "reversed": st.sampled_from([None, "channels", "time", "mono"]), "max_frames": st.sampled_from([None, None, 1, 50]),
})
image_cases = st.fixed_dictionaries({
    "kind": st.just("image"), "seed": st.integers(0, 2**32 - 1), "length": st.integers(0, 3000),
    "channels": st.integers(0, 30), "suffix": st.sampled_from([".jpg", ".png", ".bmp", ".webp", ".tif"]),
    "valid": st.booleans(), "whole": st.booleans(),
    "mode": st.sampled_from(["RGB", "1", "L", "LA", "P", "P-transparency", "RGBA", "CMYK", "I;16", "F"]),
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

"""Writing two-view datasets: ``write_pairs`` against the same views made in memory, and against
the same job written by hand with WebDataset's ``ShardWriter`` over albumentations views.

Run: ``python benchmarks/generate.py [--images 800] [--lines 6000] [--clips 200]``. Prints samples
per second for images, text lines and audio clips, the share of a job's time spent encoding and
writing, and the ratios measured in the same run:

- ``write_pairs --workers 2`` / in-memory augmentation in 2 processes (goal: ≥ 0.80). Both
  include starting their 2 worker processes;
- ``write_pairs --workers 1`` / WebDataset ``ShardWriter`` + albumentations, one process.

Inputs are made from the bundled data: 256×256 crops of the photos (JPEG files), the sentences
repeated, the audio clips repeated.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import shutil
import tarfile
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import numpy as np
from PIL import Image

import augkit
from augkit.core import modalities
from augkit.generate import write_pairs

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

_VIEWS: Any = None
_SAMPLES: list[Any] = []


def _init(views: Any, samples: list[Any]) -> None:
    global _VIEWS, _SAMPLES
    import cv2
    import torch

    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    _VIEWS, _SAMPLES = views, samples


def _augment(indices: list[int]) -> int:
    for i in indices:
        _VIEWS.generate(_SAMPLES[i], index=i, with_output=False)
    return len(indices)


def in_memory(views: Any, samples: list[Any], processes: int) -> float:
    """Seconds to make every sample's views in ``processes`` spawned processes (start included)."""
    start = time.perf_counter()
    chunks = [list(range(k, len(samples), processes)) for k in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"), initializer=_init,
                             initargs=(views, samples)) as pool:
        assert sum(pool.map(_augment, chunks)) == len(samples)
    return time.perf_counter() - start


def job(source: Any, views: Any, workers: int, tmp: Path) -> float:
    out = tmp / f"out-{time.monotonic_ns()}"
    start = time.perf_counter()
    summary = write_pairs(source, out, views, workers=workers, shard_size=250, progress=False)
    seconds = time.perf_counter() - start
    assert summary.failed == 0
    shutil.rmtree(out)
    return seconds


def shares(views: Any, samples: list[Any]) -> tuple[float, float, float]:
    """Seconds augmenting, encoding and writing tar members, in this process, for ``samples``."""
    form = modalities.get(views.modality)
    context = form.context(views)
    t0 = time.perf_counter()
    made = [views.generate(x, index=i, with_output=False).items for i, x in enumerate(samples)]
    t1 = time.perf_counter()
    encoded = [[form.encode(v, None, **context)[0] for v in item] for item in made]
    t2 = time.perf_counter()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for i, item in enumerate(encoded):
            for k, data in enumerate(item):
                info = tarfile.TarInfo(f"{i:08d}.view{k}.bin")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    with tempfile.NamedTemporaryFile() as fh:
        fh.write(buf.getvalue())
        fh.flush()
        os.fsync(fh.fileno())
    return t1 - t0, t2 - t1, time.perf_counter() - t2


def webdataset_by_hand(samples: list[np.ndarray], tmp: Path) -> float:
    """The same two-view image job written by hand: albumentations SimCLR-like views, JPEG q95,
    ``webdataset.ShardWriter``, one process."""
    import albumentations as A
    import cv2
    import webdataset as wds

    aug = A.Compose([
        A.RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0)),
        A.HorizontalFlip(),
        A.ColorJitter(0.8, 0.8, 0.8, 0.2, p=0.8),
        A.ToGray(p=0.2),
        A.GaussianBlur(sigma_limit=(0.1, 2.0), blur_limit=(23, 23), p=0.5),
    ], seed=0)
    out = tmp / f"wds-{time.monotonic_ns()}"
    out.mkdir(parents=True)
    start = time.perf_counter()
    with wds.ShardWriter(str(out / "pairs-%06d.tar"), maxcount=250, verbose=0) as sink:
        for i, x in enumerate(samples):
            sample = {"__key__": f"{i:08d}", "json": {"index": i}}
            for k in range(2):
                view = aug(image=x)["image"]
                ok, data = cv2.imencode(".jpg", cv2.cvtColor(view, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
                assert ok
                sample[f"view{k}.jpg"] = data.tobytes()
            sink.write(sample)
    return time.perf_counter() - start


def make_images(n: int, folder: Path) -> list[np.ndarray]:
    photos = [np.asarray(Image.open(p).convert("RGB")) for p in sorted((DATA / "images").glob("*.jpg"))]
    rng = np.random.default_rng(0)
    folder.mkdir()
    crops = []
    for i in range(n):
        photo = photos[i % len(photos)]
        top, left = (int(rng.integers(0, s - 256)) for s in photo.shape[:2])
        crop = np.ascontiguousarray(photo[top : top + 256, left : left + 256])
        Image.fromarray(crop).save(folder / f"{i:05d}.jpg", quality=95)
        crops.append(crop)
    return crops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=800)
    parser.add_argument("--lines", type=int, default=6000)
    parser.add_argument("--clips", type=int, default=200)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="augkit-bench-"))
    try:
        images = make_images(args.images, tmp / "images")
        lines = (DATA / "sentences.txt").read_text().splitlines() * (args.lines // 1500 + 1)
        (tmp / "lines.txt").write_text("\n".join(lines[: args.lines]) + "\n")
        clip_files = sorted((DATA / "audio").glob("*.flac"))
        (tmp / "audio").mkdir()
        for i in range(args.clips):
            shutil.copy(clip_files[i % len(clip_files)], tmp / "audio" / f"{i:05d}.flac")
        cases = [
            ("images 224 (SimCLR)", augkit.image.simclr(224, seed=0), tmp / "images", images),
            ("text lines (EDA)", augkit.text.eda(seed=0), tmp / "lines.txt", lines[: args.lines]),
            ("audio clips 1 s (audio_pairs)", augkit.audio.audio_pairs(16000, seed=0), tmp / "audio",
             [modalities.get("audio").load(p, sample_rate=16000) for p in sorted((tmp / "audio").glob("*.flac"))]),
        ]
        print(f"{'job':<32} {'n':>6} {'mem x2/s':>9} {'gen x2/s':>9} {'ratio':>6} {'gen x1/s':>9} "
              f"{'aug%':>5} {'enc%':>5} {'write%':>6}")
        for name, views, source, samples in cases:
            n = len(samples)
            shares(views, samples[:20])  # warm up: imports, lexicons, kernels, caches
            mem2 = n / in_memory(views, samples, 2)
            gen2 = n / job(source, views, 2, tmp)
            gen1 = n / job(source, views, 1, tmp)
            aug, enc, write = shares(views, samples[: min(n, 300)])
            total = aug + enc + write
            print(f"{name:<32} {n:>6} {mem2:>9.1f} {gen2:>9.1f} {gen2 / mem2:>6.2f} {gen1:>9.1f} "
                  f"{100 * aug / total:>5.0f} {100 * enc / total:>5.0f} {100 * write / total:>6.0f}")
        webdataset_by_hand(images[:20], tmp / "warm")  # warm up
        by_hand = args.images / webdataset_by_hand(images, tmp)
        own = args.images / job(tmp / "images", augkit.image.simclr(224, seed=0), 1, tmp)
        print(f"\nimages, one process: write_pairs {own:.1f}/s, WebDataset ShardWriter + albumentations "
              f"{by_hand:.1f}/s: ratio {own / by_hand:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

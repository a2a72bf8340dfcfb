"""SimCLR two-view generation: augkit vs a plain albumentations Compose (called twice) vs lightly.

Run: python benchmarks/image.py [--quick]

Every figure is measured in this run, so the ratios compare like with like on a noisy machine.
Per-core figures pin torch and OpenCV to one thread and count samples per CPU second; contenders
run interleaved, best of several rounds. The DataLoader figure counts float32 normalized batches
reaching the loop per wall-clock second. Inputs are real photos (sklearn's and scikit-image's
bundled ones) cropped to 375×500, and the same photos shrunk to 32×32.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

import augkit
from augkit.datasets import BatchCollate, SourceDataset
from augkit.image import normalize_batch


def photos_375x500() -> list[np.ndarray]:
    from skimage import data
    from sklearn.datasets import load_sample_images

    images = [*list(load_sample_images().images), data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    out = []
    for img in images:
        h, w = img.shape[:2]
        grow = max(375 / h, 500 / w, 1.0)
        if grow > 1.0:
            img = cv2.resize(img, (round(w * grow), round(h * grow)))
            h, w = img.shape[:2]
        top, left = (h - 375) // 2, (w - 500) // 2
        out.append(np.ascontiguousarray(img[top : top + 375, left : left + 500]))
    return out


def albumentations_simclr(size: int, strength: float, blur: bool) -> Callable[[np.ndarray], list[Any]]:
    import albumentations as A
    from albumentations.pytorch import ToTensorV2

    s = strength
    ops: list[Any] = [
        A.RandomResizedCrop((size, size), scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
        A.HorizontalFlip(p=0.5),
        A.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s, p=0.8),
        A.ToGray(p=0.2),
    ]
    if blur:
        k = round(0.1 * size) | 1
        ops.append(A.GaussianBlur(blur_limit=(k, k), sigma_limit=(0.1, 2.0), p=0.5))
    pipeline = A.Compose([*ops, A.Normalize(), ToTensorV2()])
    return lambda img: [pipeline(image=img)["image"], pipeline(image=img)["image"]]


def augkit_like_peers(size: int, strength: float, blur: bool, output: str = "normalized") -> Any:
    """augkit's SimCLR pipeline with the peers' maths: bilinear crops, torchvision's colour jitter and
    a reflected blur of 10 % of the side, as ``albumentations_simclr`` and lightly run it. The
    ``simclr()`` preset follows SimCLR's own code instead (bicubic crops, ``tf.image``'s jitter, a
    zero-padded blur), which costs more per view: it is timed as its own row."""
    from augkit.image.presets import paper_kernel_size, simclr_pipeline

    s = strength
    pipeline = simclr_pipeline(size, (0.08, 1.0), (0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s), 0.5 if blur else 0.0,
                               kernel=paper_kernel_size)
    return augkit.ViewGenerator(pipeline, n_views=2, seed=0, output=output)


def lightly_simclr(size: int, strength: float, blur: bool) -> Callable[[np.ndarray], list[Any]] | None:
    try:
        from lightly.transforms import SimCLRTransform
    except ImportError:
        return None
    from PIL import Image

    t = SimCLRTransform(input_size=size, cj_strength=strength, min_scale=0.08, gaussian_blur=0.5 if blur else 0.0)
    return lambda img: t(Image.fromarray(img))


def kornia_simclr(size: int, strength: float, blur: bool) -> Callable[[torch.Tensor], list[Any]] | None:
    """kornia 0.9's ``AugmentationSequential`` with the same ops and probabilities, per-sample params,
    on a ``[B, 3, H, W]`` uint8 batch (converted to float once per batch, as kornia expects)."""
    try:
        import kornia.augmentation as K
    except ImportError:
        return None
    s = strength
    ops: list[Any] = [
        K.RandomResizedCrop((size, size), scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
        K.RandomHorizontalFlip(p=0.5),
        K.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s, p=0.8),
        K.RandomGrayscale(p=0.2),
    ]
    if blur:
        k = round(0.1 * size) | 1
        ops.append(K.RandomGaussianBlur((k, k), (0.1, 2.0), p=0.5))
    mean, std = torch.tensor(augkit.image.IMAGENET_MEAN), torch.tensor(augkit.image.IMAGENET_STD)
    pipeline = K.AugmentationSequential(*ops, K.Normalize(mean=mean, std=std))

    def views(batch: torch.Tensor) -> list[Any]:
        x = batch.float().div_(255.0)
        return [pipeline(x), pipeline(x)]

    return views


def rate(step: Callable[[int], int], seconds: float, gpu: bool = False) -> float:
    """Samples per second of calling ``step(samples so far)``, which returns how many samples it
    made (0: nothing left to make), until ``seconds`` have passed: per CPU second of this process,
    or per synchronized wall-clock second on a GPU.

    With torch and OpenCV at one thread the CPU figure is the per-core rate, and CPU time (unlike
    wall time) does not count the time other processes on a shared machine hold the core.
    """
    clock = time.perf_counter if gpu else time.process_time
    n, start = 0, clock()
    while True:
        made = step(n)
        if gpu:
            torch.cuda.synchronize()
        n += made
        elapsed = clock() - start
        if elapsed >= seconds or not made:
            return n / elapsed


def kornia_rate(fn: Callable[[torch.Tensor], Any], images: list[np.ndarray], seconds: float, batch: int,
                device: str = "cpu") -> float:
    """Samples per second through kornia, ``batch`` images a call (per CPU second on the CPU, per
    synchronized wall-clock second on a GPU), like :func:`batch_rate`."""
    pool = torch.from_numpy(np.stack([images[i % len(images)] for i in range(batch)])).permute(0, 3, 1, 2)
    pool = pool.contiguous().to(device)

    def step(n: int) -> int:
        fn(pool)
        return batch

    return rate(step, seconds, gpu=device == "cuda")


def drawn_records(vg: Any, images: list[np.ndarray], indices: list[int], chunk: int = 1024) -> list[Any]:
    """The records ``vg.generate`` draws for ``images`` in epoch 1 (through the batch engine, in chunks)."""
    out: list[Any] = []
    for start in range(0, len(images), chunk):
        out += vg.generate_batch(images[start : start + chunk], indices[start : start + chunk], epoch=1).params
    return out


def bare_kernel_rate(vg: Any, images: list[np.ndarray], seconds: float) -> float:
    """The bare kernels of the per-sample path: each op's ``transform`` on records drawn beforehand,
    then the output step; no streams, no draws, no records, no checks. Records are never reused
    (a repeated blur sigma or jitter factor would hit the kernels' table caches): enough are drawn
    for the time the loop runs, with the batch engine's draws (the records ``generate`` makes)."""
    count = 4000 if images[0].shape[0] > 64 else 40000  # more than `seconds` of samples at either size
    params = drawn_records(vg, [images[i % len(images)] for i in range(count)], list(range(count)))
    drawn = [(images[i % len(images)], p) for i, p in enumerate(params)]

    def views(x: np.ndarray, params: list[Any]) -> None:
        for chain, record in zip(vg.pipelines, params, strict=True):
            y = x
            for op, step in zip(chain.ops, record["ops"], strict=True):
                if step["params"]["applied"]:
                    y = op.transform(y, step["params"])
            vg.output(y)

    def step(n: int) -> int:  # 32 samples a step, so that reading the clock costs nothing
        for x, record in drawn[n : n + 32]:
            views(x, record)
        return len(drawn[n : n + 32])

    return rate(step, seconds)


def bare_batch_rate(vg: Any, images: list[np.ndarray], seconds: float, batch: int = 256) -> float:
    """The bare kernels of the OpenCV batch engine: its kernels and output step over batches whose
    records were drawn beforehand, never reused (enough batches for ``seconds`` at either size)."""
    from augkit.core import modalities
    from augkit.core.engine import Batch

    form = modalities.get("image")
    pool = [images[i % len(images)] for i in range(batch)]
    count = 40 if images[0].shape[0] > 64 else 120
    drawn = [drawn_records(vg, pool, list(range(b * batch, (b + 1) * batch))) for b in range(count)]

    def step(n: int) -> int:
        if n // batch >= len(drawn):
            return 0
        params = drawn[n // batch]
        for k, chain in enumerate(vg.pipelines):
            stack = Batch(form, pool)
            for j, op in enumerate(chain.ops):
                records = [row[k]["ops"][j]["params"] for row in params]
                rows = [i for i, r in enumerate(records) if r["applied"]]
                stack.apply(op, rows, [records[i] for i in rows])
            form.finish_batch(stack.value, vg.output)
        return batch

    return rate(step, seconds)


def cpu_rate(fn: Callable[[np.ndarray], Any], images: list[np.ndarray], seconds: float) -> float:
    """Samples (two views each) per CPU second of ``fn`` over the photos, as :func:`rate` counts."""

    def step(n: int) -> int:
        for img in images:
            fn(img)
        return len(images)

    return rate(step, seconds)


def best_of_rounds(contenders: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Run every contender once per round, in a rotating order, and keep each one's best rate.

    Interleaving spreads slow spells of a shared machine over all contenders instead of whichever
    happened to run then; the best round is the least disturbed one.
    """
    best = dict.fromkeys(contenders, 0.0)
    names = list(contenders)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            best[name] = max(best[name], contenders[name]())
    return best


class Photos(Dataset[Any]):
    def __init__(self, images: list[np.ndarray], n: int, transform: Callable[[np.ndarray, int], Any]) -> None:
        self.images, self.n, self.transform = images, n, transform

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        return self.transform(self.images[i % len(self.images)], i)


def loader_rate(dataset: Any, finish: Callable[[Any], Any], batch_size: int = 64,
                collate: Callable[[Any], Any] | None = None) -> tuple[float, float]:
    """Samples delivered to the training loop as float32 normalized batches: per wall-clock
    second, and per CPU second of the whole pipeline (this process plus its reaped workers).

    The CPU figure counts what the pipeline costs (augmenting, pickling, shared-memory copies,
    the final normalization) without the time other processes hold the cores.
    """
    loader = DataLoader(dataset, batch_size=batch_size, num_workers=2, collate_fn=collate)
    before, start, n = os.times(), time.perf_counter(), 0
    for batch in loader:
        views = finish(batch)
        if views[0].dtype != torch.float32:
            raise TypeError(f"the loop must receive float32 batches, got {views[0].dtype}")
        n += views[0].shape[0]
    wall = time.perf_counter() - start
    del loader  # shuts the workers down and reaps them, so their CPU time is counted below
    after = os.times()
    cpu = sum(after[k] - before[k] for k in range(4))  # user, system, children's user and system
    return n / wall, n / cpu


class NormalizeIntoBuffers:
    """``normalize_batch(views, out=buffer)`` with one float32 buffer per view position, kept across
    batches: a fresh 38.5 MB tensor per batch costs more in page faults than the arithmetic."""

    def __init__(self) -> None:
        self.buffers: dict[int, torch.Tensor] = {}

    def __call__(self, batch: list[torch.Tensor]) -> list[torch.Tensor]:
        out = []
        for k, views in enumerate(batch):
            buf = self.buffers.get(k)
            if buf is None or buf.shape != views.shape:
                buf = self.buffers[k] = torch.empty(views.shape, dtype=torch.float32)
            out.append(normalize_batch(views, out=buf))
        return out


class FirstOf:
    """The views of a ``(views, labels)`` batch (what :class:`augkit.datasets.BatchCollate` gives), finished."""

    def __init__(self, finish: Callable[[Any], Any]) -> None:
        self.finish = finish

    def __call__(self, batch: tuple[Any, Any]) -> Any:
        return self.finish(batch[0])


def batch_rate(vg: Any, images: list[np.ndarray], seconds: float, batch: int = 256, device: Any = None) -> float:
    """Samples per second through ``vg.generate_batch``, ``batch`` images a call: per CPU second on
    the CPU engines, per wall-clock second (synchronized) on a GPU."""
    pool = [images[i % len(images)] for i in range(batch)]

    def step(n: int) -> int:
        vg.generate_batch(pool, range(n, n + batch), device=device)
        return batch

    return rate(step, seconds, gpu=device is not None and torch.device(device).type == "cuda")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short timings (noisier)")
    args = parser.parse_args()
    seconds, rounds = (0.5, 2) if args.quick else (1.5, 5)
    torch.set_num_threads(1)
    cv2.setNumThreads(1)

    big = photos_375x500()
    small = [cv2.resize(img, (32, 32), interpolation=cv2.INTER_AREA) for img in big]
    rows: list[tuple[str, str, float]] = []
    for label, images, size, strength, blur in (("224 from 375x500", big, 224, 1.0, True),
                                                ("32 from 32x32", small, 32, 0.5, False)):
        ours = augkit_like_peers(size, strength, blur)
        ours_u8 = augkit_like_peers(size, strength, blur, output="uint8")
        contenders: dict[str, Callable[[np.ndarray], Any] | None] = {
            "augkit (float32 out)": ours,
            "augkit (uint8 out)": ours_u8,
            "augkit simclr() preset": augkit.image.simclr(size, strength=strength, blur=blur, seed=0),
            "albumentations x2": albumentations_simclr(size, strength, blur),
            "lightly SimCLRTransform": lightly_simclr(size, strength, blur),
        }
        timed: dict[str, Callable[[], float]] = {}
        for name, fn in contenders.items():
            if fn is None:
                print(f"  {name}: not installed (pip install 'augkit[bench]'), skipped")
                continue
            for img in images[:2]:  # warm-up: first-call imports and caches
                fn(img)
            timed[name] = functools.partial(cpu_rate, fn, images, seconds)
        # the batch engines draw per-sample params; OpenCV's applies ops per group of samples, torch's
        # runs each op once over the batch (on the CPU here, and on a GPU where there is one)
        engines: list[tuple[str, Any, Any]] = []
        engines += [("augkit batch (float32 out)", ours, None), ("augkit batch (uint8 out)", ours_u8, None)]
        engines.append(("augkit torch batch, cpu", ours, "cpu"))
        if torch.cuda.is_available():
            engines.append(("augkit torch batch, cuda *", ours, "cuda"))
        batch = 256 if size == 32 else 64
        for name, vg, device in engines:
            batch_rate(vg, images, 0.05, batch, device)
            timed[name] = functools.partial(batch_rate, vg, images, seconds, batch, device)
        # the framework's cost: the same kernels on records drawn beforehand
        timed["bare kernels, per sample"] = functools.partial(bare_kernel_rate, ours, images, seconds)
        timed["bare kernels, batch"] = functools.partial(bare_batch_rate, ours, images, seconds, batch)
        kornia = kornia_simclr(size, strength, blur)
        if kornia is None:
            print("  kornia AugmentationSequential: not installed (pip install 'augkit[bench]'), skipped")
        else:
            for device in ("cpu", "cuda") if torch.cuda.is_available() else ("cpu",):
                name = f"kornia batch, {device}" + (" *" if device == "cuda" else "")
                kornia_rate(kornia, images, 0.05, batch, device)
                timed[name] = functools.partial(kornia_rate, kornia, images, seconds, batch, device)
        rows.extend((label, name, r) for name, r in best_of_rounds(timed, rounds).items())

    print(f"\nPer core (torch and OpenCV at 1 thread), samples per CPU second, two views per sample, "
          f"{len(big)} photos, best of {rounds} interleaved rounds")
    print(f"{'case':<18} {'contender':<28} {'samples/s':>10}")
    for label, name, r in rows:
        print(f"{label:<18} {name:<28} {r:>10.0f}")
    if torch.cuda.is_available():
        print(f"* {torch.cuda.get_device_name()}: samples per wall-clock second, synchronized")
    table = {(label, name): r for label, name, r in rows}

    # Through a DataLoader with 2 workers: float32 normalized batches delivered to the loop, at 224
    # (photos, per-sample views) and at 32x32 (CIFAR-sized, where the batch path pays).
    torch.set_num_threads(2)
    loaders: dict[str, dict[str, Callable[[], tuple[float, float]]]] = {}
    for label, images, size, strength, blur, n_items in (
            ("224", big, 224, 1.0, True, 256 if args.quick else 768),
            ("32x32", small, 32, 0.5, False, 4096 if args.quick else 12288)):
        alb = albumentations_simclr(size, strength, blur)
        ours_u8 = augkit_like_peers(size, strength, blur, output="uint8")
        batch = 64 if size == 224 else 256
        def by_albumentations(img: np.ndarray, i: int, alb: Callable[[np.ndarray], Any] = alb) -> Any:
            return alb(img)

        def by_augkit(img: np.ndarray, i: int, vg: Any = ours_u8) -> Any:
            return vg(img, index=i)

        def normalize_each(views: list[torch.Tensor]) -> list[torch.Tensor]:
            return [normalize_batch(v) for v in views]

        loaders[label] = {
            "albumentations (float32 in workers)": functools.partial(
                loader_rate, Photos(images, n_items, by_albumentations), lambda b: b, batch),
            "augkit (uint8 + normalize_batch)": functools.partial(
                loader_rate, Photos(images, n_items, by_augkit), normalize_each, batch),
            "augkit (uint8 + normalize_batch out=)": functools.partial(
                loader_rate, Photos(images, n_items, by_augkit), NormalizeIntoBuffers(), batch),
            "augkit BatchCollate (+ out=)": functools.partial(
                loader_rate, SourceDataset([images[i % len(images)] for i in range(n_items)], labelled=False),
                FirstOf(NormalizeIntoBuffers()), batch, BatchCollate(ours_u8)),
        }
    wall: dict[tuple[str, str], float] = {}
    cpu: dict[tuple[str, str], float] = {}
    for label, contenders_at in loaders.items():
        names = list(contenders_at)
        for r in range(2 if args.quick else 3):  # interleaved rounds, best of each, as above
            for name in names[r % len(names) :] + names[: r % len(names)]:
                w, c = contenders_at[name]()
                wall[label, name] = max(wall.get((label, name), 0.0), w)
                cpu[label, name] = max(cpu.get((label, name), 0.0), c)
        print(f"\nDataLoader(num_workers=2), {label} views delivered as float32, best round")
        print(f"  {'':<42} {'samples/s':>9} {'per CPU s':>10}")
        for name in names:
            print(f"  {name:<42} {wall[label, name]:>9.0f} {cpu[label, name]:>10.0f}")

    def ratio(a: float, b: float) -> float:
        return a / b

    checks = [
        ("224 per core vs albumentations", ("224 from 375x500", "augkit (float32 out)"),
         ("224 from 375x500", "albumentations x2"), 1.3),
        ("224 per core vs lightly", ("224 from 375x500", "augkit (float32 out)"),
         ("224 from 375x500", "lightly SimCLRTransform"), 5.0),
        ("224 batch path vs albumentations", ("224 from 375x500", "augkit batch (float32 out)"),
         ("224 from 375x500", "albumentations x2"), 1.3),
        ("32x32 batch path vs albumentations", ("32 from 32x32", "augkit batch (float32 out)"),
         ("32 from 32x32", "albumentations x2"), 3.0),
        ("224 per core vs kornia (cpu)", ("224 from 375x500", "augkit (float32 out)"),
         ("224 from 375x500", "kornia batch, cpu"), 1.5),
        ("32x32 batch path vs kornia (cpu)", ("32 from 32x32", "augkit batch (float32 out)"),
         ("32 from 32x32", "kornia batch, cpu"), 1.5),
    ]
    print("\nRatios (augkit / peer) against the goals")
    for title, ours_key, peer_key, goal in checks:
        if ours_key in table and peer_key in table:
            r = ratio(table[ours_key], table[peer_key])
            print(f"  {title:<36} {r:5.2f}x  goal >= {goal}x  {'met' if r >= goal else 'MISSED'}")
    reference = (("32 from 32x32", "augkit (float32 out)"), ("32 from 32x32", "albumentations x2"))
    if all(key in table for key in reference):
        r = ratio(table[reference[0]], table[reference[1]])
        print(f"  {'32x32 per sample vs albumentations':<36} {r:5.2f}x  (for reference: at 32, call the batch path)")
    print("\nFramework overhead (time over the bare kernels on records drawn beforehand; goal <= 10 %)")
    for label, ours_name, bare_name in (("224 from 375x500", "augkit (float32 out)", "bare kernels, per sample"),
                                        ("224 from 375x500", "augkit batch (float32 out)", "bare kernels, batch"),
                                        ("32 from 32x32", "augkit (float32 out)", "bare kernels, per sample"),
                                        ("32 from 32x32", "augkit batch (float32 out)", "bare kernels, batch")):
        if (label, ours_name) in table and (label, bare_name) in table:
            over = table[(label, bare_name)] / table[(label, ours_name)] - 1
            print(f"  {label:<18} {ours_name:<28} {100 * over:5.1f} %  {'met' if over <= 0.10 else 'MISSED'}")
    print("\nDataLoader with 2 workers vs albumentations (goal >= 1.5x)")
    for (label, name), w in wall.items():
        if name.startswith("augkit"):
            peer = (label, "albumentations (float32 in workers)")
            r, r_cpu = w / wall[peer], cpu[label, name] / cpu[peer]
            print(f"  {label:<6} {name:<38} {r:5.2f}x wall {r_cpu:5.2f}x CPU  {'met' if r >= 1.5 else 'MISSED'}")

if __name__ == "__main__":
    main()

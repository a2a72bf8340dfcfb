"""Pretrain a small CNN with SimCLR on Fashion-MNIST using augkit's views, then linear-probe it.

Data: Debian's `dataset-fashion-mnist` package (offline), installed with
    sudo apt-get install dataset-fashion-mnist
It puts the four idx files under /usr/share/datasets/fashion-mnist/.

Run:  python examples/simclr_fashion_mnist.py            (defaults: ≈ 10 min on 2 CPU cores)
      python examples/simclr_fashion_mnist.py --images 2000 --epochs 1   (a quick look)
      python examples/simclr_fashion_mnist.py --views crop   (ablation: crop only, colour only, none)

It prints three linear-probe test accuracies on the same fixed subsets: the pretrained encoder,
the same architecture randomly initialized, and raw pixels.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

import augkit
from augkit.datasets import BatchCollate, SourceDataset
from augkit.image import normalize_batch
from augkit.losses import NTXentLoss, ProjectionHead

DATA_DIR = Path("/usr/share/datasets/fashion-mnist")
# Fashion-MNIST's own statistics (one channel), for normalize_batch.
MEAN, STD = (0.286,), (0.353,)


def read_idx(path: Path) -> np.ndarray:
    """Read one gzip'd idx file (images: [N, 28, 28] uint8; labels: [N] uint8)."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(data_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    missing = [f for f in files if not (data_dir / f).exists()]
    if missing:
        sys.exit(f"Fashion-MNIST not found in {data_dir} (missing {', '.join(missing)}).\n"
                 "Install it offline from Debian:  sudo apt-get install dataset-fashion-mnist")
    x_train, y_train, x_test, y_test = (read_idx(data_dir / f) for f in files)
    return x_train, y_train, x_test, y_test


class Encoder(nn.Module):
    """Three conv blocks to a 128-d feature vector."""

    def __init__(self, width: int = 32) -> None:
        super().__init__()

        def block(c_in: int, c_out: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())

        self.net = nn.Sequential(
            block(1, width), nn.MaxPool2d(2),
            block(width, 2 * width), nn.MaxPool2d(2),
            block(2 * width, 4 * width), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.dim = 4 * width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


@torch.no_grad()
def features(encoder: Encoder, images: np.ndarray, batch: int = 1000) -> np.ndarray:
    encoder.eval()
    out = []
    for i in range(0, len(images), batch):
        x = torch.from_numpy(images[i : i + batch])[:, None]
        out.append(encoder(normalize_batch(x, MEAN, STD)).numpy())
    return np.concatenate(out)


def probe(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray, iters: int) -> float:
    """Logistic regression on standardized features, a fixed number of iterations; test accuracy."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(train_x)
    clf = LogisticRegression(max_iter=iters, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stopping at max_iter is the point: a fixed budget
        clf.fit(scaler.transform(train_x), train_y)
    return float(clf.score(scaler.transform(test_x), test_y))


VIEWS = ("full", "crop", "color", "none")


def make_views(kind: str, crop_scale: float, seed: int, strength: float = 0.5) -> augkit.ViewGenerator:
    """Two uint8 views per image: SimCLR's small-image recipe (``full``), or one part of it;
    ``strength`` is SimCLR's colour strength s (jitter 0.8·s, hue 0.2·s; 0.5 on CIFAR-10)."""
    if kind == "full" and strength == 0.5:
        return augkit.image.simclr_cifar(28, scale=(crop_scale, 1.0), seed=seed, output="uint8")
    from augkit.image import ops

    s = strength
    crop = [ops.RandomResizedCrop(28, scale=(crop_scale, 1.0)), ops.HorizontalFlip(p=0.5)]
    color = [ops.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s, p=0.8), ops.ToGray(p=0.2)]
    parts: dict[str, list[augkit.Augmenter]] = {"full": crop + color, "crop": crop, "color": color,
                                                "none": [augkit.Identity()]}
    uint8 = augkit.core.modalities.get("image").output({"type": "uint8"})
    return augkit.ViewGenerator(augkit.Compose(parts[kind]), n_views=2, seed=seed, output=uint8, modality="image")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=15000, help="training images used for pretraining")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--temperature", type=float, default=0.5)
    parser.add_argument("--probe-train", type=int, default=5000, help="fixed probe training subset")
    parser.add_argument("--probe-test", type=int, default=2000, help="fixed probe test subset")
    parser.add_argument("--probe-iters", type=int, default=300)
    parser.add_argument("--crop-scale", type=float, default=0.2, help="smallest crop area (SimCLR: 0.08)")
    parser.add_argument("--workers", type=int, default=1, help="DataLoader workers making the views")
    parser.add_argument("--strength", type=float, default=0.5, help="colour strength s (SimCLR on CIFAR-10: 0.5)")
    parser.add_argument("--views", choices=VIEWS, default="full",
                        help="the ablation of SimCLR's Figure 5: full views, crop (+ flip) only, colour only, none")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args()

    start = time.perf_counter()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_train, y_train, x_test, y_test = load(args.data_dir)
    pretrain = x_train[rng.permutation(len(x_train))[: args.images]]
    probe_idx = rng.permutation(len(x_train))[: args.probe_train]
    test_idx = rng.permutation(len(x_test))[: args.probe_test]

    # SimCLR's small-image recipe (no blur, colour strength 0.5) with milder crops for 28×28 clothes;
    # grayscale input gives 1-channel uint8 views, normalized after the loader in this process.
    # The batch path: each worker makes a whole batch's views at once (generate_batch, the same
    # views as per sample, in a fraction of the time at 28×28).
    views = make_views(args.views, args.crop_scale, args.seed, args.strength)
    dataset = SourceDataset(list(pretrain), labelled=False)
    collate = BatchCollate(views)
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        num_workers=args.workers, collate_fn=collate)

    encoder = Encoder()
    random_encoder = Encoder()
    random_encoder.load_state_dict(encoder.state_dict())  # the same initialization, never trained
    head = ProjectionHead(encoder.dim, 256, 64)
    model = nn.Sequential(encoder, head)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-6)
    steps = max(1, args.epochs * len(loader))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=steps, pct_start=0.1)
    criterion = NTXentLoss(args.temperature)
    print(f"pretraining on {len(dataset)} images, {args.epochs} epochs, batch {args.batch_size}, "
          f"views: {args.views}, colour strength {args.strength}", flush=True)
    for epoch in range(args.epochs):
        collate.set_epoch(epoch)
        model.train()
        total, count, t0 = 0.0, 0, time.perf_counter()
        for batch_views, _ in loader:
            z = [model(normalize_batch(v, MEAN, STD)) for v in batch_views]
            loss = criterion(z)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total, count = total + loss.item(), count + 1
        print(f"epoch {epoch + 1}/{args.epochs}  loss {total / max(count, 1):.4f}  "
              f"({time.perf_counter() - t0:.1f}s)", flush=True)

    print("linear probes (logistic regression on standardized features, "
          f"{args.probe_train} train / {args.probe_test} test images, {args.probe_iters} iterations)", flush=True)
    tr_x, tr_y, te_x, te_y = x_train[probe_idx], y_train[probe_idx], x_test[test_idx], y_test[test_idx]
    acc_pre = probe(features(encoder, tr_x), tr_y, features(encoder, te_x), te_y, args.probe_iters)
    acc_rand = probe(features(random_encoder, tr_x), tr_y, features(random_encoder, te_x), te_y, args.probe_iters)
    acc_pix = probe(tr_x.reshape(len(tr_x), -1).astype(np.float32), tr_y,
                    te_x.reshape(len(te_x), -1).astype(np.float32), te_y, args.probe_iters)
    print(f"accuracy pretrained encoder:  {acc_pre:.4f}")
    print(f"accuracy random-init encoder: {acc_rand:.4f}")
    print(f"accuracy raw pixels:          {acc_pix:.4f}")
    print(f"gap pretrained - random-init: {100 * (acc_pre - acc_rand):+.1f} points")
    print(f"total time {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    main()

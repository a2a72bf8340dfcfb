"""BYOL-A on synthesized speech: a tiny encoder trained on augkit's BYOL-A views, then a linear probe.

The data: ten spoken digits ("zero" to "nine") × eight espeak-ng voices × three speeds, made by
espeak-ng when the script runs (nothing stored), read at 16 kHz. A small CNN is trained with BYOL
(an online network with a predictor, a target network updated as an exponential moving average;
Grill et al. 2020) on the two views of ``augkit.spectrogram.byol_a(version=2)`` (log-mel input
step with dataset statistics, 0.95 s crops, log-mixup-exp with partners from the dataset, random
resize crop, linear fader), each batch normalised after augmentation as BYOL-A does. No labels
are used in training. Then a logistic-regression probe on the frozen features predicts the word,
trained on six voices and tested on the two others, against the same encoder left at its random
initialisation. One CPU thread.

    python examples/byol_a_speech.py                 # 3 seeds, the README's table
    python examples/byol_a_speech.py --quick         # a smoke run
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from augkit import audio, spectrogram

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-029", "en-us+f3", "en-gb+m3", "en-gb-x-rp+f2", "en-us+m7")
TEST_VOICES = ("en-gb+m3", "en-us+m7")  # held out from the probe's training
SPEEDS = (120, 160, 200)  # words per minute
FULL = {"epochs": 25, "batch_size": 48}
QUICK = {"epochs": 2, "batch_size": 8}


def synthesize(folder: Path) -> list[dict]:
    """Every word × voice × speed as a 16 kHz mono clip, with its labels."""
    if shutil.which("espeak-ng") is None:
        sys.exit("this example needs espeak-ng (Debian: apt-get install espeak-ng)")
    rows = []
    for word in WORDS:
        for voice in VOICES:
            for speed in SPEEDS:
                path = folder / f"{word}-{voice}-{speed}.wav"
                subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), word], check=True,
                               capture_output=True)
                wav = audio.load(path, sample_rate=16000, mono=True)[0]
                rows.append({"wav": wav, "word": WORDS.index(word), "voice": voice, "speed": speed})
    return rows


class Encoder(nn.Module):
    """Three conv blocks over the [1, 64, 96] log-mel, then mean and max over time: a 128-d feature
    (a small AudioNTT2020 of BYOL-A, ``byol_a/models.py``)."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 1
        for _ in range(3):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2)]
            channels = width
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(width * 8, 64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x)  # [B, width, 8, 12]
        h = h.reshape(h.shape[0], -1, h.shape[-1])  # [B, width*8, 12]
        h = torch.relu(self.fc(h.transpose(1, 2)))  # [B, 12, 64]
        return torch.cat([h.mean(1), h.amax(1)], dim=1)  # [B, 128]


def mlp(dim_in: int, hidden: int = 256, out: int = 64) -> nn.Module:
    return nn.Sequential(nn.Linear(dim_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, out))


def byol_loss(p: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    return (2 - 2 * nn.functional.cosine_similarity(p, z.detach(), dim=-1)).mean()


def normalize_batch(x: torch.Tensor) -> torch.Tensor:
    """BYOL-A's NormalizeBatch (``byol_a/augmentations.py``): over the batch, time and frequency."""
    return (x - x.mean(dim=(0, 2, 3), keepdim=True)) / x.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)


def train(log_mels: list[torch.Tensor], vg, seed: int, epochs: int, batch_size: int) -> Encoder:
    torch.manual_seed(seed)
    online = nn.ModuleDict({"encoder": Encoder(), "projector": mlp(128), "predictor": mlp(64)})
    target = copy.deepcopy(nn.ModuleDict({"encoder": online["encoder"], "projector": online["projector"]}))
    for p in target.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.Adam(online.parameters(), lr=1e-3)
    order = np.random.default_rng(seed)
    for epoch in range(epochs):
        perm = order.permutation(len(log_mels))
        for start in range(0, len(perm) - batch_size + 1, batch_size):
            idx = perm[start:start + batch_size].tolist()
            views = vg.generate_batch([log_mels[i] for i in idx], idx, epoch=epoch, source=log_mels).items
            both = normalize_batch(torch.cat([views[0], views[1]]))
            a, b = both[:batch_size], both[batch_size:]
            p = online["predictor"](online["projector"](online["encoder"](torch.cat([a, b]))))
            with torch.no_grad():
                z = target["projector"](target["encoder"](torch.cat([b, a])))
            loss = byol_loss(p, z)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with torch.no_grad():  # BYOL-A's moving average decay 0.99 (config.yaml: ema_decay)
                for t, o in zip(target.parameters(), [*online["encoder"].parameters(),
                                                      *online["projector"].parameters()], strict=True):
                    t.mul_(0.99).add_(o, alpha=0.01)
    return online["encoder"]


def features(encoder: Encoder, log_mels: list[torch.Tensor]) -> np.ndarray:
    """The encoder's features of each clip's centre 96 frames (padded with its minimum when shorter)."""
    crop = spectrogram.RandomCrop(frames=96)
    centred = torch.stack([crop.apply(x, {"applied": True, "offset": (x.shape[-1] - 96) // 2}) for x in log_mels])
    encoder.eval()
    with torch.no_grad():
        return encoder(normalize_batch(centred)).numpy()


def probe(feats: np.ndarray, rows: list[dict]) -> float:
    """Word accuracy of a logistic regression trained on the other voices, tested on TEST_VOICES."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    test = np.array([r["voice"] in TEST_VOICES for r in rows])
    labels = np.array([r["word"] for r in rows])
    scaler = StandardScaler().fit(feats[~test])
    model = LogisticRegression(max_iter=2000, C=1.0).fit(scaler.transform(feats[~test]), labels[~test])
    return float((model.predict(scaler.transform(feats[test])) == labels[test]).mean())


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help=f"a smoke run: {QUICK}")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    budget = {**(QUICK if args.quick else FULL), **({"epochs": args.epochs} if args.epochs else {})}
    with tempfile.TemporaryDirectory() as tmp:
        rows = synthesize(Path(tmp))
    waves = [r["wav"] for r in rows]
    mean, std = spectrogram.norm_stats(waves, spectrogram.LogMel())
    vg = spectrogram.byol_a(version=2, mean=mean, std=std, seed=0)
    log_mels = [vg.input(w) for w in waves]  # the input step once per clip; views pass log-mels through it
    results = []
    for seed in args.seeds:
        started = time.perf_counter()
        torch.manual_seed(seed)
        random_acc = probe(features(Encoder(), log_mels), rows)
        encoder = train(log_mels, vg, seed, budget["epochs"], budget["batch_size"])
        results.append({"seed": seed, "random_init": random_acc, "byol_a": probe(features(encoder, log_mels), rows),
                        "seconds": round(time.perf_counter() - started, 1)})
        print(f"seed {seed}: random init {random_acc:.3f}, BYOL-A {results[-1]['byol_a']:.3f} "
              f"({results[-1]['seconds']} s)", flush=True)
    summary = {"clips": len(rows), "test_voices": list(TEST_VOICES), "norm_stats": [mean, std], **budget,
               "runs": results}
    print("| encoder | word accuracy, held-out voices (mean over seeds) | per seed |")
    print("| --- | --- | --- |")
    for key, label in (("random_init", "random init"), ("byol_a", "BYOL-A views, trained")):
        accs = [r[key] for r in results]
        print(f"| {label} | {np.mean(accs):.3f} | {', '.join(f'{a:.3f}' for a in accs)} |")
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=1))
    return summary


if __name__ == "__main__":
    main()

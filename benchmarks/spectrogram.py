"""Spectrogram ops: augkit's masks and LogMel against torchaudio, measured in one run, one core.

Run: .venv/bin/python benchmarks/spectrogram.py [--quick]

Batches: 64 log-mels of BYOL-A's shape ``[1, 64, 96]`` and 64 of SpecAugment's LibriSpeech shape
(80 bands, 1000 frames: 10 s), made from real speech (data/audio). Masks: torchaudio's
``FrequencyMasking``/``TimeMasking`` with ``iid_masks=True`` (a mask per example, like augkit's)
against augkit's ``FrequencyMask``/``TimeMask`` with ``fill="zero"`` (torchaudio's ``mask_value``),
measured two ways: the kernel alone (``transform_batch`` on records drawn beforehand) and the
whole batch path a training loop calls (``ViewGenerator.generate_batch``: every record drawn
from its stream, the kernel, the views split back), which torchaudio has no counterpart of
(its draws are one ``torch.rand`` call, not recorded). LogMel: ``LogMel.batch`` against
``torchaudio.transforms.MelSpectrogram`` then ``(x + eps).log()`` on 64 waveforms of 0.95 s and
of 10 s. Times are the best call of interleaved rounds (each round calls every contender 3
times), so load from other processes on a shared machine hits them alike.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torchaudio

ROOT = Path(__file__).resolve().parent.parent
EPS = torch.finfo(torch.float32).eps


def best(contenders: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    times = {name: float("inf") for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            for _ in range(3):
                start = time.perf_counter()
                fn()
                times[name] = min(times[name], time.perf_counter() - start)
    return times


def waves(seconds: float, count: int = 64) -> torch.Tensor:
    from augkit.audio import load

    paths = sorted((ROOT / "data/audio").glob("speech*"))
    speech = torch.cat([load(p, sample_rate=16000, mono=True)[0] for p in paths], -1)
    n = round(seconds * 16000)
    long = speech.repeat(1, -(-(n + count * 797) // speech.shape[-1]))
    return torch.stack([long[:, k * 797: k * 797 + n] for k in range(count)])  # [count, 1, n]: 64 segments


def masks(rounds: int) -> list[dict]:
    from augkit import ViewGenerator
    from augkit import spectrogram as S
    from augkit.core.streams import stream

    rows = []
    for label, front, seconds in (("BYOL-A [64, 96]", S.LogMel(), 0.95),
                                  ("LibriSpeech [80, 1000]", S.LogMel(16000, 400, 160, 80, 0, 8000), 9.99)):
        batch = front.batch(waves(seconds))  # [64, 1, mels, frames]
        items = list(batch)
        for kind, ours, theirs in (
                ("frequency mask F=27", S.FrequencyMask(27, 1, fill="zero"),
                 torchaudio.transforms.FrequencyMasking(27, iid_masks=True)),
                ("time mask T=100, p=1.0", S.TimeMask(100, 1, 1.0, fill="zero"),
                 torchaudio.transforms.TimeMasking(100, iid_masks=True, p=1.0))):
            records = [ours.sample(x, stream(0, 0, i, 0)) for i, x in enumerate(items)]
            vg = ViewGenerator(ours, n_views=1, seed=0)
            indices = list(range(len(items)))
            times = best({"torchaudio": lambda t=theirs, b=batch: t(b),
                          "kernel": lambda o=ours, r=records, b=batch: o.transform_batch(b, r),
                          "generate_batch": lambda v=vg, x=items, i=indices: v.generate_batch(x, i)}, rounds)
            rows.append({"input": label, "op": kind, **{k: round(v * 1e3, 3) for k, v in times.items()},
                         "kernel_ratio": round(times["torchaudio"] / times["kernel"], 2),
                         "generate_batch_ratio": round(times["torchaudio"] / times["generate_batch"], 2)})
    return rows


def log_mel(rounds: int) -> list[dict]:
    from augkit import spectrogram as S

    rows = []
    for seconds in (0.95, 10.0):
        w = waves(seconds)
        ours = S.LogMel(16000, 1024, 160, 64, 60, 7800)
        ref = torchaudio.transforms.MelSpectrogram(16000, n_fft=1024, hop_length=160, f_min=60, f_max=7800, n_mels=64)
        flat = w[:, 0]
        gap = float((ours.batch(w)[:, 0] - (ref(flat) + EPS).log()).abs().max())
        times = best({"torchaudio": lambda r=ref, f=flat: (r(f) + EPS).log(),
                      "augkit": lambda o=ours, x=w: o.batch(x)}, rounds)
        rows.append({"input": f"64 x {seconds} s", **{k: round(v * 1e3, 3) for k, v in times.items()},
                     "ratio": round(times["torchaudio"] / times["augkit"], 2), "max_abs_diff": gap})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rounds = 3 if args.quick else 10
    result = {"torch": torch.__version__, "torchaudio": torchaudio.__version__, "threads": 1,
              "masks": masks(rounds), "log_mel": log_mel(rounds)}
    print("| input | op | torchaudio ms | augkit kernel ms | ratio | augkit generate_batch ms | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in result["masks"]:
        print(f"| {r['input']} | {r['op']} | {r['torchaudio']} | {r['kernel']} | {r['kernel_ratio']}x | "
              f"{r['generate_batch']} | {r['generate_batch_ratio']}x |")
    print("\n| waveforms | torchaudio MelSpectrogram + log ms | augkit LogMel ms | ratio | max abs diff |")
    print("| --- | --- | --- | --- | --- |")
    for r in result["log_mel"]:
        print(f"| {r['input']} | {r['torchaudio']} | {r['augkit']} | {r['ratio']}x | {r['max_abs_diff']:.1e} |")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

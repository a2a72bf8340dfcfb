"""Audio ops: augkit vs librosa and torchaudio, measured in one run, one core.

Run: python benchmarks/audio.py [--quick] [--skip-torchaudio-pitch]

Clips: 1 s and 4 s at 16 kHz of synthesized speech (data/audio) and of a 220 Hz harmonic tone.
torchaudio.functional.pitch_shift is timed once, in a child process (it takes seconds and GBs).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
SR = 16000


def clips() -> dict[str, torch.Tensor]:
    from augkit.audio import load

    speech = torch.cat([load(p, sample_rate=SR, mono=True)[0] for p in sorted((ROOT / "data/audio").glob("speech*"))], -1)
    out = {}
    for seconds in (1, 4):
        n = seconds * SR
        out[f"speech {seconds}s"] = speech.repeat(1, -(-n // speech.shape[-1]))[:, :n].contiguous()
        t = torch.arange(n, dtype=torch.float64) / SR
        out[f"tone {seconds}s"] = sum((0.4 / k) * torch.sin(2 * torch.pi * 220 * k * t) for k in range(1, 6))[None].float()
    return out


def best_time(fn: Callable[[], object], seconds: float) -> float:
    fn()
    times: list[float] = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 3:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def f0(x: np.ndarray) -> float:
    y = x.reshape(-1).astype(np.float64) * np.hanning(x.size)
    n = 1 << 20
    mag = np.abs(np.fft.rfft(y, n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    a, b = np.searchsorted(freqs, 100), np.searchsorted(freqs, 450)
    k = a + int(np.argmax(mag[a:b]))
    left, mid, right = np.log(mag[k - 1 : k + 2])
    return float(freqs[k] + 0.5 * (left - right) / (left - 2 * mid + right) * (freqs[1] - freqs[0]))


def cents(x: np.ndarray, n_steps: float) -> float:
    return 1200 * float(np.log2(f0(x) / (220 * 2 ** (n_steps / 12))))


CHILD_MEMORY = """
import resource, sys, json, torch
torch.set_num_threads(1)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from augkit.audio import PitchShift
x = torch.randn(1, 4 * 16000) * 0.1
op = PitchShift(semitones=3, sample_rate=16000)
for n in (-4, -1, 1, 3, 7):
    PitchShift(semitones=n, sample_rate=16000)(x)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"after_torch_mb": base / 1024, "peak_mb": peak / 1024}))
"""

CHILD_TORCHAUDIO = """
import resource, time, json, torch, torchaudio.functional as AF
torch.set_num_threads(1)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = torch.arange(16000) / 16000
x = (0.4 * torch.sin(2 * torch.pi * 220 * t))[None]
t0 = time.perf_counter(); AF.pitch_shift(x, 16000, 3); dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": dt, "extra_mb": (peak - base) / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-torchaudio-pitch", action="store_true", help="skip the slow torchaudio timing")
    args = parser.parse_args()
    seconds = 0.5 if args.quick else 2.0
    torch.set_num_threads(1)
    import librosa
    import torchaudio.functional as AF

    from augkit.audio import AddNoise, PitchShift, TimeStretch

    rows = []
    for name, x in clips().items():
        y = x[0].numpy()
        ps = PitchShift(semitones=3, sample_rate=SR)
        p = ps.sample(x, np.random.default_rng(0))
        ours = best_time(lambda ps=ps, x=x, p=p: ps.apply(x, p), seconds)
        theirs = best_time(lambda y=y: librosa.effects.pitch_shift(y, sr=SR, n_steps=3), seconds)
        err = ""
        if name.startswith("tone"):
            err = (f"error {cents(ps.apply(x, p).numpy(), 3):+.2f} / "
                   f"{cents(librosa.effects.pitch_shift(y, sr=SR, n_steps=3), 3):+.2f} cents")
        rows.append(("pitch shift +3", name, ours, theirs, "librosa", err))

        ts = TimeStretch(rate=1.2)
        ours = best_time(lambda ts=ts, x=x: ts(x), seconds)
        theirs = best_time(lambda y=y: librosa.effects.time_stretch(y, rate=1.2), seconds)
        rows.append(("time stretch 1.2", name, ours, theirs, "librosa", ""))

        noise = AddNoise(snr_db=10)
        pn = noise.sample(x, np.random.default_rng(0))
        ours = best_time(lambda noise=noise, x=x, pn=pn: noise.apply(x, pn), seconds)
        snr = torch.tensor([10.0])
        theirs = best_time(lambda x=x, snr=snr: AF.add_noise(x, torch.randn_like(x), snr), seconds)
        rows.append(("noise at 10 dB SNR", name, ours, theirs, "torchaudio add_noise + randn", ""))

    # batch of 16 one-second clips
    batch = torch.stack([clips()["speech 1s"]] * 16)
    ps = PitchShift(semitones=(-4, 4), sample_rate=SR)
    pb = ps.sample(batch, np.random.default_rng(0))
    ours = best_time(lambda: ps.apply(batch, pb), seconds)
    steps = [q["semitones"] for q in pb["batch"]]
    arr = batch[:, 0].numpy()
    theirs = best_time(lambda: [librosa.effects.pitch_shift(arr[i], sr=SR, n_steps=steps[i]) for i in range(16)], seconds)
    rows.append(("pitch shift, batch of 16", "speech 1s x16", ours, theirs, "librosa loop", ""))

    print("\nmedian ms per call, one core")
    print(f"{'op':<26} {'clip':<14} {'augkit':>9} {'peer':>9} {'ratio':>7}  peer")
    for op, clip, ours, theirs, peer, extra in rows:
        print(f"{op:<26} {clip:<14} {ours * 1e3:9.2f} {theirs * 1e3:9.2f} {theirs / ours:6.1f}x  {peer} {extra}")

    mem = json.loads(subprocess.run([sys.executable, "-c", CHILD_MEMORY], capture_output=True, text=True,
                                    check=True).stdout)
    extra = mem["peak_mb"] - mem["after_torch_mb"]
    print(f"\npeak memory of 5 pitch shifts of a 4 s clip: {extra:.0f} MB above the process after importing torch "
          f"({'met' if extra <= 512 else 'MISSED'} goal <= 512 MB; ru_maxrss, child process)")
    if not args.skip_torchaudio_pitch:
        ta = json.loads(subprocess.run([sys.executable, "-c", CHILD_TORCHAUDIO], capture_output=True, text=True,
                                       check=True).stdout)
        ours_1s = next(r[2] for r in rows if r[0] == "pitch shift +3" and r[1] == "tone 1s")
        print(f"torchaudio.functional.pitch_shift, 1 s tone, once: {ta['seconds']:.2f} s, "
              f"+{ta['extra_mb']:.0f} MB; augkit is {ta['seconds'] / ours_1s:.0f}x faster")

    print("\nRatios against the goals")
    for op, goal in (("pitch shift +3", 2.0), ("time stretch 1.2", 1.5), ("noise at 10 dB SNR", 1.0)):
        worst = min(theirs / ours for o, _, ours, theirs, _, _ in rows if o == op)
        print(f"  {op:<22} worst {worst:5.1f}x  goal >= {goal}x  {'met' if worst >= goal else 'MISSED'}")


if __name__ == "__main__":
    main()

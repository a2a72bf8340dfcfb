"""Audio effects: augkit against audiomentations (per clip) and torch-audiomentations (per batch),
measured in one run, one core.

Run: .venv/bin/python benchmarks/audio_effects.py [--seconds-per-row S]

Clip: 1 s of espeak-ng speech at 16 kHz (data/audio), mono; batches of 16 such clips. Every
contender draws its own parameters on each call (augkit ``augment``, audiomentations ``__call__``
with p=1, torch-audiomentations ``forward`` with p=1, per example). Times are the best call of
interleaved rounds (each round calls every contender 5 times in a row, so load from other processes
hits them alike; the minimum is the least disturbed figure on a shared machine). Ratios are
peer / augkit: above 1 augkit is faster.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
ROOT = Path(__file__).resolve().parent.parent
SR = 16000


def race(contenders: dict[str, Callable[[], object]], seconds: float, run: int = 5) -> dict[str, float]:
    """Best seconds per call of each contender, from interleaved rounds of ``run`` calls each."""
    for fn in contenders.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or min(len(v) for v in times.values()) < 3 * run:
        for name, fn in contenders.items():
            for _ in range(run):
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
    return {name: float(np.min(v)) for name, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-per-row", type=float, default=1.5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    import audiomentations as A
    import soundfile as sf
    import torch_audiomentations as TA

    from augkit import audio
    from augkit.audio.reverb import synthetic_impulse_response
    from augkit.core.streams import stream

    paths = sorted((ROOT / "data/audio").glob("speech*"))
    speech = torch.cat([audio.load(p, sample_rate=SR, mono=True)[0] for p in paths], -1)
    clip = speech[:, :SR].contiguous()
    samples = clip[0].numpy().copy()
    batch = torch.stack([speech[:, i * 4000 : i * 4000 + SR] for i in range(16)]).contiguous()
    tmp = Path(tempfile.mkdtemp())
    ir = synthetic_impulse_response(0.5, SR, torch.Generator().manual_seed(0)).numpy()
    sf.write(tmp / "room.wav", ir, SR, subtype="FLOAT")

    per_clip = [  # (row, augkit op, audiomentations transform)
        ("low-pass (order 4)", audio.LowPass((150, 7500), 4, SR), A.LowPassFilter(150, 7500, 24, 24, p=1.0)),
        ("high-pass (order 4)", audio.HighPass((20, 2400), 4, SR), A.HighPassFilter(20, 2400, 24, 24, p=1.0)),
        ("band-pass (order 2)", audio.BandPass(sample_rate=SR),
         A.BandPassFilter(min_rolloff=12, max_rolloff=12, p=1.0)),
        ("band-stop (order 2)", audio.BandStop(sample_rate=SR),
         A.BandStopFilter(min_rolloff=12, max_rolloff=12, p=1.0)),
        ("peaking EQ, 1 band", audio.PeakingEQ(sample_rate=SR), A.PeakingFilter(p=1.0)),
        ("peaking EQ, 7 bands", audio.PeakingEQ(bands=7, sample_rate=SR), A.SevenBandParametricEQ(p=1.0)),
        ("impulse response (file)", audio.ApplyImpulseResponse([str(tmp / "room.wav")], wet=1.0, sample_rate=SR),
         A.ApplyImpulseResponse(str(tmp / "room.wav"), p=1.0)),
        ("impulse response (synthetic)", audio.ApplyImpulseResponse(rt60=(0.2, 1.0), sample_rate=SR),
         A.ApplyImpulseResponse(str(tmp / "room.wav"), p=1.0)),
        ("MP3 8-64 kbps", audio.Mp3Compression((8, 64), SR), A.Mp3Compression(8, 64, p=1.0)),
        ("MP3 8-64 kbps, libsndfile", audio.Mp3Compression((8, 64), SR, "libsndfile"), A.Mp3Compression(8, 64, p=1.0)),
        ("clipping distortion", audio.ClippingDistortion(), A.ClippingDistortion(p=1.0)),
        ("tanh distortion", audio.TanhDistortion(), A.TanhDistortion(p=1.0)),
        ("bit crush", audio.BitCrush(), A.BitCrush(p=1.0)),
        ("time mask (silence)", audio.TimeMask(), A.TimeMask(fade_duration=0.0, p=1.0)),
        ("polarity inversion", audio.PolarityInversion(), A.PolarityInversion(p=1.0)),
        ("reverse", audio.Reverse(), A.Reverse(p=1.0)),
    ]
    print(f"best ms per call, one core; torch {torch.__version__}, audiomentations {A.__version__}, "
          f"torch-audiomentations {TA.__version__ if hasattr(TA, '__version__') else '0.12'}")
    print(f"{'op':30s} {'input':16s} {'augkit':>8s} {'peer':>8s} {'ratio':>7s}  peer")
    for row, ours, theirs in per_clip:
        times = race({"augkit": lambda op=ours: op.augment(clip, stream(1, 0, 0, 0)),
                      "peer": lambda t=theirs: t(samples, SR)}, args.seconds_per_row)
        print(f"{row:30s} {'speech 1s':16s} {times['augkit'] * 1e3:8.3f} {times['peer'] * 1e3:8.3f} "
              f"{times['peer'] / times['augkit']:6.2f}x  audiomentations")
    per_batch = [
        ("low-pass (order 4)", audio.LowPass((150, 7500), 4, SR), TA.LowPassFilter(150, 7500, p=1.0, sample_rate=SR,
                                                                                  output_type="tensor")),
        ("high-pass (order 4)", audio.HighPass((20, 2400), 4, SR),
         TA.HighPassFilter(20, 2400, p=1.0, sample_rate=SR, output_type="tensor")),
        ("band-pass (order 2)", audio.BandPass(sample_rate=SR),
         TA.BandPassFilter(p=1.0, sample_rate=SR, output_type="tensor")),
        ("band-stop (order 2)", audio.BandStop(sample_rate=SR),
         TA.BandStopFilter(p=1.0, sample_rate=SR, output_type="tensor")),
        ("polarity inversion", audio.PolarityInversion(), TA.PolarityInversion(p=1.0, output_type="tensor")),
        ("reverse", audio.Reverse(), TA.TimeInversion(p=1.0, output_type="tensor")),
    ]
    for row, ours, theirs in per_batch:
        times = race({"augkit": lambda op=ours: op.augment(batch, stream(1, 0, 0, 0)),
                      "peer": lambda t=theirs: t(batch, sample_rate=SR)}, args.seconds_per_row)
        print(f"{row + ', batch':30s} {'speech 1s x16':16s} {times['augkit'] * 1e3:8.3f} {times['peer'] * 1e3:8.3f} "
              f"{times['peer'] / times['augkit']:6.2f}x  torch-audiomentations")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

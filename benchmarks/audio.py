"""Audio ops: augkit against librosa, audiomentations and torchaudio, measured in one run, one core.

Run: .venv/bin/python benchmarks/audio.py [--quick] [--skip-torchaudio-pitch]

Clips: 1 s and 4 s at 16 kHz of synthesized speech (espeak-ng, data/audio) and of a 220 Hz
harmonic tone. Times are the best call of interleaved rounds (each round calls every contender 5
times in a row, so load from other processes hits them alike; the minimum is the least disturbed
figure on a shared machine, as timeit recommends). Calling contenders strictly in turn instead
(cold caches) slows augkit more than librosa: ~1.1-1.6 ms instead of ~0.8 ms for a 1 s stretch.

Pitch errors are measured on the tone with a Blackman-Harris window, a 2^20-point FFT and
parabolic interpolation. Memory is measured in child processes from /proc/self/status: VmRSS
after ``import torch``, then the peak (VmHWM, reset through /proc/self/clear_refs right after that
reading) while the ops run. torch's CPU allocator returns large blocks to the OS, so resident
memory is what the op costs the process.
"""

from __future__ import annotations

import argparse
import json
import math
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

    paths = sorted((ROOT / "data/audio").glob("speech*"))
    speech = torch.cat([load(p, sample_rate=SR, mono=True)[0] for p in paths], -1)
    out = {}
    for seconds in (1, 4):
        n = seconds * SR
        out[f"speech {seconds}s"] = speech.repeat(1, -(-n // speech.shape[-1]))[:, :n].contiguous()
        t = torch.arange(n, dtype=torch.float64) / SR
        tone = sum((0.4 / k) * torch.sin(2 * math.pi * 220 * k * t) for k in range(1, 6))
        out[f"tone {seconds}s"] = tone[None].float()
    return out


def race(contenders: dict[str, Callable[[], object]], seconds: float, run: int = 5,
         statistic: Callable[[list[float]], object] = np.min) -> dict[str, float]:
    """Best (or another statistic's) seconds per call of each contender, from interleaved rounds of
    ``run`` calls each."""
    for fn in contenders.values():
        fn()  # warm-up: caches, kernels, lazy imports
    times: dict[str, list[float]] = {name: [] for name in contenders}
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or min(len(v) for v in times.values()) < 3 * run:
        for name, fn in contenders.items():
            for _ in range(run):
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
    return {name: float(statistic(v)) for name, v in times.items()}  # type: ignore[arg-type]


def f0(x: np.ndarray) -> float:
    y = np.asarray(x, dtype=np.float64).reshape(-1)
    k = np.arange(y.size)
    w = (0.35875 - 0.48829 * np.cos(2 * np.pi * k / y.size) + 0.14128 * np.cos(4 * np.pi * k / y.size)
         - 0.01168 * np.cos(6 * np.pi * k / y.size))
    size = 1 << 20
    mag = np.abs(np.fft.rfft(y * w, size)) + 1e-12
    df = SR / size
    a, b = round(100 / df), round(450 / df)
    i = a + int(np.argmax(mag[a:b]))
    left, mid, right = np.log(mag[i - 1 : i + 2])
    return float((i + 0.5 * (left - right) / (left - 2 * mid + right)) * df)


def cents(y: np.ndarray, n_steps: float) -> float:
    y = np.asarray(y).reshape(-1)[2000:-2000]  # away from the edges
    return 1200 * math.log2(f0(y) / (220 * 2 ** (n_steps / 12)))


# Both child scripts start the same way: torch imported, the resident size noted, the peak reset.
CHILD_PROLOGUE = """
import json, time, torch
torch.set_num_threads(1)
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
after_torch = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current resident size
"""

CHILD_MEMORY = CHILD_PROLOGUE + """
from augkit.audio import PitchShift, TimeStretch
t = torch.arange(4 * 16000) / 16000
tone = (0.4 * torch.sin(2 * torch.pi * 220 * t))[None]
noise = torch.randn(1, 4 * 16000, generator=torch.Generator().manual_seed(0)) * 0.1
for x in (tone, noise):
    for n in (-4, -1, 1, 3, 7, 2.37, -3.61):
        PitchShift(semitones=n, sample_rate=16000)(x)
    TimeStretch(rate=0.8)(x)
batch = torch.randn(16, 1, 16000, generator=torch.Generator().manual_seed(1)) * 0.1
import numpy as np
PitchShift(semitones=(-4, 4), sample_rate=16000)(batch, np.random.default_rng(0))
print(json.dumps({"after_torch_mb": after_torch, "peak_mb": status("VmHWM")}))
"""

CHILD_TORCHAUDIO = CHILD_PROLOGUE + """
import torchaudio.functional as AF
t = torch.arange(16000) / 16000
x = (0.4 * torch.sin(2 * torch.pi * 220 * t))[None]
t0 = time.perf_counter()
AF.pitch_shift(x, 16000, 3)
print(json.dumps({"seconds": time.perf_counter() - t0, "extra_mb": status("VmHWM") - after_torch}))
"""


def child(code: str) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter timings (noisier)")
    parser.add_argument("--skip-torchaudio-pitch", action="store_true", help="skip the slow torchaudio timing")
    args = parser.parse_args()
    seconds = 0.3 if args.quick else 1.5
    torch.set_num_threads(1)
    import audiomentations
    import librosa
    import torchaudio.functional as AF

    from augkit.audio import AddNoise, PitchShift, TimeStretch

    rows: list[tuple[str, str, str, float, float]] = []  # op, clip, peer, augkit s, peer s
    errors: list[str] = []
    data = clips()
    for name, x in data.items():
        y = x[0].numpy()
        ps = PitchShift(semitones=3, sample_rate=SR)
        p = ps.sample(x, np.random.default_rng(0))
        am_ps = audiomentations.PitchShift(3, 3, p=1.0)
        t = race({"augkit": lambda ps=ps, x=x, p=p: ps.apply(x, p),
                  "librosa": lambda y=y: librosa.effects.pitch_shift(y, sr=SR, n_steps=3),
                  "audiomentations": lambda y=y, am=am_ps: am(y, sample_rate=SR)}, seconds)
        rows += [("pitch shift +3", name, peer, t["augkit"], t[peer]) for peer in ("librosa", "audiomentations")]
        if name.startswith("tone"):
            errors.append(f"  {name}: augkit {cents(ps.apply(x, p).numpy(), 3):+.2f}, "
                          f"librosa {cents(librosa.effects.pitch_shift(y, sr=SR, n_steps=3), 3):+.2f}, "
                          f"audiomentations {cents(am_ps(y, sample_rate=SR), 3):+.2f} cents")

        ts = TimeStretch(rate=1.2)
        am_ts = audiomentations.TimeStretch(1.2, 1.2, leave_length_unchanged=False, p=1.0)
        t = race({"augkit": lambda ts=ts, x=x: ts.apply(x, {"applied": True, "rate": 1.2}),
                  "librosa": lambda y=y: librosa.effects.time_stretch(y, rate=1.2),
                  "audiomentations": lambda y=y, am=am_ts: am(y, sample_rate=SR)}, seconds)
        rows += [("time stretch 1.2", name, peer, t["augkit"], t[peer]) for peer in ("librosa", "audiomentations")]

        noise = AddNoise(snr_db=10)
        pn = noise.sample(x, np.random.default_rng(0))
        snr = torch.tensor([10.0])
        t = race({"augkit": lambda noise=noise, x=x, pn=pn: noise.apply(x, pn),
                  "torchaudio": lambda x=x, snr=snr: AF.add_noise(x, torch.randn_like(x), snr)}, seconds)
        rows.append(("noise at 10 dB SNR", name, "torchaudio add_noise+randn", t["augkit"], t["torchaudio"]))

    # Shifts drawn afresh for every call (the kernel cache mostly misses): what a training loop sees.
    x = data["speech 1s"]
    y = x[0].numpy()
    ps = PitchShift(semitones=(-4, 4), sample_rate=SR)
    draws = np.random.default_rng(5).uniform(-4, 4, 4096).tolist()
    counter = iter(range(10**9))
    t = race({"augkit": lambda: ps.apply(x, {"applied": True, "semitones": draws[next(counter) % 4096]}),
              "librosa": lambda: librosa.effects.pitch_shift(y, sr=SR, n_steps=draws[next(counter) % 4096])},
             seconds, statistic=np.mean)  # the work varies with the shift: mean, not best
    rows.append(("pitch shift, fresh ±4*", "speech 1s", "librosa", t["augkit"], t["librosa"]))

    batch = torch.stack([data["speech 1s"]] * 16)
    arr = batch[:, 0].numpy()
    ps = PitchShift(semitones=(-4, 4), sample_rate=SR)
    pb = ps.sample(batch, np.random.default_rng(0))
    steps = [q["semitones"] for q in pb["batch"]]
    t = race({"augkit": lambda: ps.apply(batch, pb),
              "librosa": lambda: [librosa.effects.pitch_shift(arr[i], sr=SR, n_steps=steps[i]) for i in range(16)]},
             seconds)
    rows.append(("pitch shift ±4, batch", "speech 1s x16", "librosa loop", t["augkit"], t["librosa"]))
    ts = TimeStretch(rate=(0.8, 1.25), keep_length=True)
    pt = ts.sample(batch, np.random.default_rng(0))
    rates = [q["rate"] for q in pt["batch"]]
    t = race({"augkit": lambda: ts.apply(batch, pt),
              "librosa": lambda: [librosa.util.fix_length(librosa.effects.time_stretch(arr[i], rate=rates[i]),
                                                          size=SR) for i in range(16)]}, seconds)
    rows.append(("time stretch, batch", "speech 1s x16", "librosa loop", t["augkit"], t["librosa"]))
    short = batch[..., : SR // 2].contiguous()  # short clips: one vocoder pass over the batch on the CPU too
    short_arr = short[:, 0].numpy()
    ps_short = ts.sample(short, np.random.default_rng(1))
    short_rates = [q["rate"] for q in ps_short["batch"]]

    def librosa_short() -> list[np.ndarray]:
        return [librosa.util.fix_length(librosa.effects.time_stretch(short_arr[i], rate=short_rates[i]), size=SR // 2)
                for i in range(16)]

    t = race({"augkit": lambda: ts.apply(short, ps_short), "librosa": librosa_short}, seconds)
    rows.append(("time stretch, batch", "speech 0.5s x16", "librosa loop", t["augkit"], t["librosa"]))
    # through ViewGenerator.generate_batch: draws, records (equal to generate's) and kernels, 16 clips
    from augkit import ViewGenerator

    sixteen = list(batch)
    vg = ViewGenerator(PitchShift(semitones=(-4, 4), sample_rate=SR), n_views=1, seed=0)
    made = vg.generate_batch(sixteen, list(range(16)))
    assert made.params == [vg.generate(c, index=i).params for i, c in enumerate(sixteen)]
    steps = [r[0]["semitones"] for r in made.params]
    t = race({"augkit": lambda: vg.generate_batch(sixteen, list(range(16))),
              "librosa": lambda: [librosa.effects.pitch_shift(arr[i], sr=SR, n_steps=steps[i]) for i in range(16)]},
             seconds)
    rows.append(("pitch shift ±4, generate_batch", "speech 1s x16", "librosa loop", t["augkit"], t["librosa"]))
    vg = ViewGenerator(TimeStretch(rate=1.2), n_views=1, seed=0)
    t = race({"augkit": lambda: vg.generate_batch(sixteen, list(range(16))),
              "librosa": lambda: [librosa.effects.time_stretch(arr[i], rate=1.2) for i in range(16)]}, seconds)
    rows.append(("time stretch 1.2, generate_batch", "speech 1s x16", "librosa loop", t["augkit"], t["librosa"]))
    noise = AddNoise(snr_db=(5, 20))
    pnb = noise.sample(batch, np.random.default_rng(0))
    snrs = torch.tensor([[q["snr_db"]] for q in pnb["batch"]])
    t = race({"augkit": lambda: noise.apply(batch, pnb),
              "torchaudio": lambda: AF.add_noise(batch, torch.randn_like(batch), snrs)}, seconds)
    rows.append(("noise, batch", "speech 1s x16", "torchaudio add_noise+randn", t["augkit"], t["torchaudio"]))

    print(f"\nbest ms per call, one core (torch.set_num_threads(1)); torch {torch.__version__}, "
          f"librosa {librosa.__version__}, audiomentations {audiomentations.__version__}")
    print(f"{'op':<33} {'clip':<14} {'augkit':>8} {'peer':>8} {'speed-up':>8}  peer")
    for op, clip, peer, ours, theirs in rows:
        print(f"{op:<33} {clip:<14} {ours * 1e3:8.2f} {theirs * 1e3:8.2f} {theirs / ours:7.2f}x  {peer}")
    print("* mean over shifts drawn afresh for every call (kernel cache misses included), not the best call")
    print("\npitch error of +3 semitones on the 220 Hz tone (goal: |error| <= 5 cents)")
    print("\n".join(errors))

    mem = child(CHILD_MEMORY)
    extra = mem["peak_mb"] - mem["after_torch_mb"]
    print(f"\npeak memory, pitch shifts and stretches of 4 s clips and a batch of 16: {extra:.0f} MB above the "
          f"{mem['after_torch_mb']:.0f} MB held after importing torch (goal <= 512 MB: "
          f"{'met' if extra <= 512 else 'MISSED'}; VmHWM - VmRSS, child process)")
    if not args.skip_torchaudio_pitch:
        ta = child(CHILD_TORCHAUDIO)
        ours_1s = next(r[3] for r in rows if r[0] == "pitch shift +3" and r[1] == "tone 1s")
        print(f"torchaudio.functional.pitch_shift, 1 s tone, +3, timed once: {ta['seconds']:.2f} s and "
              f"{ta['extra_mb']:.0f} MB above the process after importing torch; augkit is "
              f"{ta['seconds'] / ours_1s:.0f}x faster")

    print("\nworst speed-up per goal")
    for op, peer, goal in (("pitch shift +3", "librosa", 2.0), ("time stretch 1.2", "librosa", 1.5),
                           ("noise at 10 dB SNR", "torchaudio add_noise+randn", 1.0),
                           ("pitch shift ±4, batch", "librosa loop", 3.0),
                           ("time stretch, batch", "librosa loop", 3.0),
                           ("pitch shift ±4, generate_batch", "librosa loop", 3.0),
                           ("time stretch 1.2, generate_batch", "librosa loop", 3.0)):
        worst = min(theirs / ours for o, _, p, ours, theirs in rows if o == op and p == peer)
        print(f"  {op:<32} vs {peer:<28} {worst:5.2f}x  goal >= {goal}x  {'met' if worst >= goal else 'MISSED'}")


if __name__ == "__main__":
    main()

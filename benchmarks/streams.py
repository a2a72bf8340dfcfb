"""The cost of one stream: ``augkit.core.streams.stream`` against the ways numpy makes a keyed generator.

Run: ``python benchmarks/streams.py``. Prints microseconds per call (best of 7 rounds, one core)
and each contender's cost as a multiple of ``stream``'s, measured in the same run. The goal is at
most 3 µs a call on an idle core where ``default_rng([...])`` takes ≈ 9.7 µs; on a slower or shared
core compare the ratio (≥ 3.2×).
"""

from __future__ import annotations

import timeit

import numpy as np

from augkit.core.streams import digests, stream, uniforms

KEY = (0, 3, 12345, 1)
ROUNDS, CALLS = 7, 20000


def _per_call(fn: object) -> float:
    return min(timeit.repeat(fn, number=CALLS, repeat=ROUNDS)) / CALLS * 1e6  # type: ignore[arg-type]


def main() -> None:
    words = np.array([1, 2], dtype=np.uint64)
    contenders = {
        "augkit stream(seed, epoch, index, view)": lambda: stream(*KEY),
        "augkit stream(..., keep=True) (an owned generator)": lambda: stream(*KEY, keep=True),
        "augkit stream with a field name and an op place": lambda: stream(*KEY, "image", 3),
        "numpy default_rng([seed, epoch, index, view]) (augkit 0.1)": lambda: np.random.default_rng(list(KEY)),
        "numpy Generator(Philox(key=...))": lambda: np.random.Generator(np.random.Philox(key=words)),
    }
    times = {name: _per_call(fn) for name, fn in contenders.items()}
    # the batch engine's way: 2,048 streams (256 samples x 2 views x 4 ops) keyed and drawn at once
    indices, places = list(range(256)), [(view, op) for view in range(2) for op in range(4)]
    batch = min(timeit.repeat(lambda: uniforms(digests(KEY[:2], indices, places), 8), number=20, repeat=ROUNDS))
    times["augkit digests + uniforms, 2048 streams at once (8 doubles)"] = batch / 20 / 2048 * 1e6
    one = min(timeit.repeat(lambda: stream(*KEY).random(8), number=CALLS, repeat=ROUNDS)) / CALLS * 1e6
    times["augkit stream(...).random(8), one at a time"] = one
    base = times["augkit stream(seed, epoch, index, view)"]
    print(f"{'contender':<62} {'µs/call':>8} {'x stream':>9}")
    for name, t in times.items():
        print(f"{name:<62} {t:>8.2f} {t / base:>9.2f}")


if __name__ == "__main__":
    main()

"""The one stream function: every random draw in augkit comes from ``stream(*key)``.

A key is a tuple of non-negative ints and strings, e.g. ``(seed, epoch, index, view)`` for a view
and ``(seed, epoch, index, view, 2)`` for the third op of its pipeline (later, a field name of a
multimodal sample: ``(seed, epoch, index, view, "image", 2)``). The stream is a pure function of
its key: the 128-bit BLAKE2b digest of the key's canonical bytes is the key of a counter-based
Philox generator with counter 0. It does not depend on the process, the thread, the number of
DataLoader workers, their order or the DDP rank. Philox streams with distinct keys are independent
by construction (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3").

Cost. Building a ``numpy.random.Generator`` costs ≈ 10 µs, mostly in the ``SeedSequence`` its
constructor builds. :func:`stream` instead re-keys a generator kept per thread and per key length
(≈ 2 µs in all). The price is a lifetime rule: **a stream returned by** :func:`stream` **stays
valid until the next call with a key of the same length on the same thread.** augkit's own code
keeps to it by construction: a view's ops run one after another and each is done with its stream
before the next op's stream is made; a composite draws from its own stream before it derives its
children's (one element longer). Pass ``keep=True`` for a generator of your own that is never
re-keyed (the same numbers, at the price of a fresh object).

Many streams at once: the batch engine needs the first few doubles of thousands of streams per
call. :func:`digests` keys them all (hashing each shared prefix once) and :func:`uniforms` /
:func:`uniform_blocks` compute numpy's Philox over every key in one vectorized pass: the same
doubles ``stream(*key).random(n)`` gives, bit for bit, at a fraction of a re-keying per stream.

Example:
    >>> from augkit.core.streams import stream
    >>> float(stream(0, 0, 7, 1).random()) == float(stream(0, 0, 7, 1, keep=True).random())
    True
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.random.bit_generator import ISpawnableSeedSequence

__all__ = ["Key", "Stream", "children", "digest", "digest_starts", "digests", "digests_from", "stream",
           "uniform_blocks", "uniforms"]

Key = tuple[int | str, ...]

_local = threading.local()


#: ``b"%d;...;%d"`` for a key of n plain non-negative ints, the common case (a view's, an op's)
_INT_FORMATS = [b";".join([b"%d"] * n) for n in range(12)]
_WORDS = struct.Struct("=QQ").unpack  # a 16-byte digest as two uint64 words, native order as in digest()
_ZEROS = (0, 0, 0, 0)


def _encode(key: tuple[Any, ...]) -> bytes:
    """The canonical bytes of a key: ints in decimal, strings as length-prefixed UTF-8."""
    if len(key) < len(_INT_FORMATS):
        for part in key:
            if type(part) is not int or part < 0:
                break
        else:
            return _INT_FORMATS[len(key)] % key
    parts = []
    for part in key:
        if type(part) is int:  # the common case first; bool is refused below
            if part < 0:
                raise ValueError(f"stream key {key!r}: ints must be non-negative, got {part}")
            parts.append(b"%d" % part)
        elif isinstance(part, str):
            data = part.encode("utf-8")
            parts.append(b"s%d:%s" % (len(data), data))
        elif isinstance(part, (int, np.integer)) and not isinstance(part, (bool, np.bool_)):
            if part < 0:
                raise ValueError(f"stream key {key!r}: ints must be non-negative, got {part}")
            parts.append(b"%d" % int(part))
        else:
            raise TypeError(f"stream key {key!r}: every part must be a non-negative int or a str, "
                            f"got {type(part).__name__} {part!r}")
    return b";".join(parts)


def digest(key: tuple[Any, ...]) -> np.ndarray:
    """The Philox key (two uint64 words) of a stream key."""
    return np.frombuffer(hashlib.blake2b(_encode(key), digest_size=16).digest(), dtype=np.uint64)


class _KeySeed(ISpawnableSeedSequence):
    """A seed sequence that hands Philox a ready 128-bit key, so no entropy is gathered."""

    __slots__ = ("_words", "key", "n_children_spawned")

    def __init__(self, words: np.ndarray, key: Key) -> None:
        self._words, self.key, self.n_children_spawned = words, key, 0

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        words = self._words.view(np.dtype(dtype))
        if n_words > len(words):
            raise ValueError(f"a stream key holds 128 bits, {n_words} words of {np.dtype(dtype)} were asked for")
        return words[:n_words].copy()

    def spawn(self, n_children: int) -> list[_KeySeed]:
        start = self.n_children_spawned
        self.n_children_spawned += n_children
        keys = [(*self.key, "spawn", start + i) for i in range(n_children)]
        return [_KeySeed(digest(k), k) for k in keys]


class Stream(np.random.Generator):
    """A ``numpy.random.Generator`` that knows its key, so composites derive child streams from it.

    ``spawn`` is supported (children are keyed ``(*key, "spawn", i)``), so third-party code that
    spawns keeps working and stays reproducible.
    """

    __slots__ = ("_spawned", "key")

    key: Key
    _spawned: int

    def spawn(self, n_children: int) -> list[np.random.Generator]:
        start = getattr(self, "_spawned", 0)
        self._spawned = start + n_children
        return [stream(*self.key, "spawn", start + i, keep=True) for i in range(n_children)]


def _fresh(words: np.ndarray, key: Key) -> Stream:
    gen = Stream(np.random.Philox(_KeySeed(words, key)))  # type: ignore[arg-type]  # any ISeedSequence works
    gen.key, gen._spawned = key, 0
    return gen


def stream(*key: int | str, keep: bool = False) -> Stream:
    """The random stream of ``key`` (non-negative ints and strings), a pure function of it.

    Args:
        key: e.g. ``seed, epoch, index, view`` and then the op's place in its pipeline.
        keep: return a generator that is never re-keyed. Without it the generator is shared and
            stays valid until the next ``stream`` call with a key of the same length on this
            thread (see the module docstring).

    Raises:
        ValueError: for an empty key or a negative int; TypeError for a part of another type.

    Example:
        >>> stream(0, 0, 12, 1).random()   # view 1 of sample 12, epoch 0, seed 0
    """
    if not key:
        raise ValueError("stream() needs a key: seed, epoch, index, view and the op's place")
    if keep:
        return _fresh(digest(key), key)
    # the key as two Python ints and a state of tuples: numpy's state setter reads them element by
    # element, and Python ints are 3x cheaper to read than numpy scalars
    words = _WORDS(hashlib.blake2b(_encode(key), digest_size=16).digest())
    pool: list[Stream | None] | None = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = [None] * 16
    depth = len(key)
    if depth >= len(pool):
        pool.extend([None] * (depth + 1 - len(pool)))
    gen = pool[depth]
    if gen is None:
        gen = pool[depth] = _fresh(np.array(words, dtype=np.uint64), key)
        return gen
    gen.bit_generator.state = {
        "bit_generator": "Philox",
        "state": {"counter": _ZEROS, "key": words},
        "buffer": _ZEROS,
        "buffer_pos": 4,
        "has_uint32": 0,
        "uinteger": 0,
    }
    gen.key, gen._spawned = key, 0
    return gen


def children(rng: np.random.Generator) -> Key:
    """The key prefix of a composite call's children: the parent's key, or one drawn integer.

    A composite calls it once, after drawing what it draws itself, and makes child ``i``'s stream
    with ``stream(*prefix, i)``.
    """
    if isinstance(rng, Stream):
        return rng.key
    return ("bare", int(rng.integers(2**63)))


# -- many streams at once ----------------------------------------------------------------------

_M = np.array([[0xD2E7470EE14C6C93], [0xCA5A826395121157]], dtype=np.uint64)  # Philox4x64 multipliers
_W = np.array([[0x9E3779B97F4A7C15], [0xBB67AE8584CAA73B]], dtype=np.uint64)  # and key increments (Weyl)
_M_LO, _M_HI = _M & np.uint64(0xFFFFFFFF), _M >> np.uint64(32)
_LOW32, _32, _11 = np.uint64(0xFFFFFFFF), np.uint64(32), np.uint64(11)


def digests(prefix: Key, middle: list[int], suffixes: list[Key]) -> np.ndarray:
    """The Philox keys of the streams ``(*prefix, i, *suffix)`` for every suffix and every ``i`` of
    ``middle``, as an ``(len(suffixes) * len(middle), 2)`` uint64 array, suffix by suffix: row
    ``s * len(middle) + r`` is ``digest((*prefix, middle[r], *suffixes[s]))``.

    ``middle`` holds non-negative Python ints (a batch's indices, checked by the caller). Each
    ``(*prefix, i)`` is hashed once and its hash state copied for each suffix.
    """
    starts = digest_starts(prefix, middle)
    return np.concatenate([digests_from(starts, suffix) for suffix in suffixes]) if suffixes \
        else np.zeros((0, 2), dtype=np.uint64)


def digest_starts(prefix: Key, middle: Sequence[int]) -> list[Any]:
    """The hash states of ``(*prefix, i)`` for each ``i`` of ``middle``, to finish with :func:`digests_from`."""
    head = _encode(prefix) + b";" if prefix else b""
    return [hashlib.blake2b(b"%s%d" % (head, i), digest_size=16) for i in middle]


def digests_from(starts: list[Any], suffix: Key) -> np.ndarray:
    """The Philox keys of ``(*prefix, i, *suffix)`` from the states :func:`digest_starts` gave, ``(n, 2)`` uint64."""
    tail = b";" + _encode(suffix) if suffix else b""
    out = []
    for start in starts:
        h = start.copy()
        h.update(tail)
        out.append(h.digest())
    return np.frombuffer(b"".join(out), dtype=np.uint64).reshape(-1, 2)


def uniforms(keys: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` doubles of many streams at once: row ``r`` equals ``Stream.random(n)`` of the
    stream whose Philox key is ``keys[r]`` (an ``(rows, 2)`` uint64 array from :func:`digests`)."""
    blocks = -(-n // 4)
    return uniform_blocks(keys, np.full(len(keys), blocks)).reshape(len(keys), 4 * blocks)[:, :n]


def uniform_blocks(keys: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """The first ``4 * blocks[r]`` doubles of the stream of each key row ``r``, one after another in
    one flat array: streams that need different numbers of doubles, in one pass.

    numpy's Philox4x64-10 computed over all (row, block) counters together: a stream's uint64
    words are the blocks of counters 1, 2, ... (four words each), and ``random()`` is a word's
    top 53 bits over 2^53.
    """
    total = int(blocks.sum())
    # lanes (0, 2) and (1, 3) of every (row, block) counter, side by side; counter = block + 1
    even = np.zeros((2, total), dtype=np.uint64)
    ends = np.cumsum(blocks)
    even[0] = np.arange(1, total + 1, dtype=np.uint64) - np.repeat(ends - blocks, blocks).astype(np.uint64)
    odd = np.zeros_like(even)
    key = np.repeat(keys, blocks, axis=0).T.copy()
    lo, hi, a_lo, a_hi, cross_1, cross_2, spare = (np.empty_like(even) for _ in range(7))
    for r in range(10):
        if r:
            key += _W
        # the 64x64-bit products of lanes 0 and 2 with their multipliers: low words directly,
        # high words from 32-bit halves
        np.multiply(even, _M, out=lo)
        np.bitwise_and(even, _LOW32, out=a_lo)
        np.right_shift(even, _32, out=a_hi)
        np.multiply(a_hi, _M_LO, out=cross_1)
        np.multiply(a_lo, _M_HI, out=cross_2)
        np.multiply(a_lo, _M_LO, out=spare)
        spare >>= _32
        spare += np.bitwise_and(cross_1, _LOW32, out=a_lo)
        spare += np.bitwise_and(cross_2, _LOW32, out=a_lo)
        spare >>= _32
        np.multiply(a_hi, _M_HI, out=hi)
        cross_1 >>= _32
        cross_2 >>= _32
        hi += cross_1
        hi += cross_2
        hi += spare
        # (c0, c1, c2, c3) <- (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        np.bitwise_xor(hi[::-1], odd, out=even)
        even ^= key
        odd[...] = lo[::-1]
    words = np.empty((total, 4), dtype=np.uint64)
    words[:, 0], words[:, 1], words[:, 2], words[:, 3] = even[0], odd[0], even[1], odd[1]
    return (words.reshape(-1) >> _11) * (1.0 / 9007199254740992.0)

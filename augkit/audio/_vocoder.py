"""The maths behind TimeStretch and PitchShift: a phase vocoder and a cached rational resampler.

Everything works on float32 tensors ``[..., time]`` on any device. Nothing here draws random
numbers.

Why not torchaudio: ``torchaudio.functional.pitch_shift`` resamples between ``sr`` and the coprime
rate ``round(sr * 2^(-n/12))``, which builds a kernel of tens of thousands of phases (seconds and
gigabytes for one clip). Here the ratio is rounded to the simplest fraction ``p/q`` within
:data:`MAX_CENTS` of it (median ``q`` about 40 for shifts within 4 semitones), whose kernel is small,
cheap to build and cached.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import torch

from augkit.audio._waveform import fit

__all__ = ["HOP", "MAX_CENTS", "N_FFT", "phase_vocoder", "rational", "resample_by", "stretch", "stretch_batch"]

N_FFT = 1024
"""STFT size of the vocoder: 64 ms at 16 kHz (librosa: 2048 at 22.05 kHz, 93 ms)."""
HOP = N_FFT // 4
"""75 % overlap, the usual minimum for a clean phase-vocoder resynthesis."""
MAX_CENTS = 1.0
"""Largest pitch error the rational rounding of a resampling ratio may add (1 cent = 1/100 semitone)."""
ZERO_CROSSINGS = 8
"""Half-length of the resampling kernel in zero crossings of its sinc (quality vs cost)."""
ROLLOFF = 0.95
"""Cut-off of the resampling low-pass, as a fraction of the lower of the two Nyquist rates."""
LOCK_JUMPS = 3
"""Phase locking reach of the vocoder: bins up to 2^3 = 8 bins from a peak follow it."""
_TWO_PI = 2.0 * math.pi


@lru_cache(maxsize=16)
def _window(n_fft: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    return torch.hann_window(n_fft, device=device, dtype=dtype)


@lru_cache(maxsize=16)
def _phase_advance(n_fft: int, hop: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    # Expected phase advance per hop of each bin's centre frequency, shaped [bins, 1].
    return torch.linspace(0, math.pi * hop, n_fft // 2 + 1, device=device, dtype=dtype)[:, None]


def phase_vocoder(spec: torch.Tensor, rate: float, phase_advance: torch.Tensor) -> torch.Tensor:
    """Time-scale a complex STFT ``[..., bins, frames]`` by ``rate`` (> 1: fewer frames).

    Output frame ``k`` reads input position ``k * rate``: magnitudes are interpolated linearly
    between the two neighbouring frames, and each spectral peak's phase accumulates the measured
    phase increment of its bin (its instantaneous frequency), as in
    ``torchaudio.functional.phase_vocoder`` and librosa. Unlike them, the bins around a peak are
    then phase-locked to it (identity phase locking, Laroche and Dolson 1999): they keep the phase
    offsets the input frame has relative to the peak. Without it, neighbouring bins of one partial
    drift apart and cancel in the overlap-add: a slowed-down steady tone loses ~9 % of its level,
    and a tone that starts after a silence can lose most of its energy (measured in the tests).

    Args:
        spec: complex STFT, bins first (torch.stft's layout).
        rate: speed factor.
        phase_advance: expected phase advance per hop of each bin, ``[bins, 1]``.

    Returns:
        Complex tensor ``[..., bins, ceil(frames / rate)]``.
    """
    frames = spec.transpose(-1, -2)
    flat = frames.reshape(-1, *frames.shape[-2:])
    steps = torch.arange(0, frames.shape[-2], rate, dtype=torch.float64, device=spec.device)
    out = _vocode(flat, steps, phase_advance.reshape(-1))
    return out.reshape(*frames.shape[:-2], *out.shape[-2:]).transpose(-1, -2)


def _frames(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    # Frames [..., index, :] of x [n, frames, bins]: one index for all rows, or one per row.
    if index.ndim == 1:
        return x.index_select(-2, index)
    # one row selection over the flattened frames (whole contiguous rows), 5x faster than a gather
    n, frames, bins = x.shape
    rows = (index + torch.arange(n, device=x.device)[:, None] * frames).reshape(-1)
    return x.reshape(n * frames, bins).index_select(0, rows).reshape(n, -1, bins)


def _vocode(spec: torch.Tensor, steps: torch.Tensor, advance: torch.Tensor) -> torch.Tensor:
    # The phase vocoder on [n, frames, bins], reading input positions ``steps`` (float64,
    # [out_frames] for every row or [n, out_frames]): frame selections copy contiguous rows and
    # the scans over bins are contiguous. In-place steps keep the temporaries few (cache-bound).
    index = steps.long()
    alpha = (steps - index).to(spec.real.dtype)[..., None]
    # The expected advance modulo 2 pi: same phasors, but the accumulated phases stay small, where
    # cos and sin take their fast path (5x faster than on phases of 10^5 radians).
    advance = advance - _TWO_PI * torch.round(advance / _TWO_PI)
    magnitude = torch.nn.functional.pad(spec.abs(), (0, 0, 0, 2))
    angle = torch.nn.functional.pad(spec.angle(), (0, 0, 0, 1))
    # Increment from frame i to i + 1 (past the end: to a silent frame, as torchaudio does),
    # wrapped around the expected advance so that it measures the deviation from the bin centre.
    taken = index[..., :-1]
    delta = (_frames(angle, taken + 1) - _frames(angle, taken)).sub_(advance)
    delta.sub_(torch.round(delta * (1 / _TWO_PI)).mul_(_TWO_PI)).add_(advance)
    phase = torch.cat([angle[..., :1, :].expand(delta.shape[0], 1, -1), delta], dim=-2).cumsum_(-2)
    mag = _frames(magnitude, index)
    mag.lerp_(_frames(magnitude, index + 1), alpha)
    # Identity phase locking: each bin follows the peak it reaches by climbing to its larger
    # neighbour (the peak's "region of influence"); pointer jumping climbs 2^LOCK_JUMPS bins.
    edges = torch.nn.functional.pad(mag, (1, 1))
    up = (edges[..., 2:] > mag) & (edges[..., 2:] >= edges[..., :-2])
    down = (edges[..., :-2] > mag) & ~up
    # (int8 steps, one widening; the jumps gather int32 values, torch's int64 gather is slower)
    step = up.to(torch.int8).sub_(down.to(torch.int8))
    peak = torch.arange(mag.shape[-1], device=spec.device, dtype=torch.int32).add(step)
    for _ in range(LOCK_JUMPS):
        peak = peak.gather(-1, peak.long())
    peak = peak.long()
    reference = _frames(angle, index)
    locked = phase.gather(-1, peak).sub_(reference.gather(-1, peak)).add_(reference)
    # torch.polar is ~3x slower than this on the CPU (torch 2.14)
    return torch.complex(torch.cos(locked).mul_(mag), locked.sin_().mul_(mag))


def _stft(x: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor) -> torch.Tensor:
    # [n, time] -> [n, frames, bins]; centred frames (zero padding of n_fft / 2 on both sides).
    padded = torch.nn.functional.pad(x, (n_fft // 2, n_fft // 2))
    return torch.fft.rfft(padded.unfold(-1, n_fft, hop) * window)


def _istft(spec: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor, length: int,
           valid: torch.Tensor | None = None) -> torch.Tensor:
    # [n, frames, bins] -> [n, length]: windowed overlap-add divided by the summed squared window
    # (torch.istft's maths; ~3x faster here because hop divides n_fft, so the overlap-add is a few
    # shifted additions of [frames, hop] blocks). ``valid`` [n, frames] limits each row's window
    # sum to its own frames (a batch whose rows have different frame counts, zero-padded).
    n, frames = spec.shape[0], spec.shape[1]
    parts = n_fft // hop
    blocks = (torch.fft.irfft(spec, n=n_fft) * window).reshape(n, frames, parts, hop)
    out = blocks.new_zeros(n, frames + parts - 1, hop)
    for j in range(parts):
        out[:, j : j + frames] += blocks[:, :, j]
    if valid is None and frames <= _CACHED_FRAMES:  # all rows have all their frames: one envelope per length
        envelope = _envelope(frames, n_fft, hop, window.device, window.dtype)
    elif valid is None:
        envelope = _window_sum(blocks.new_ones(1, frames, 1), window, frames, parts, hop)
    else:
        envelope = _window_sum(valid.to(blocks.dtype)[..., None], window, frames, parts, hop)
    y = out.reshape(n, -1) / envelope
    y = y[:, n_fft // 2 : n_fft // 2 + length]
    return torch.nn.functional.pad(y, (0, length - y.shape[-1])) if y.shape[-1] < length else y


def _window_sum(weights: torch.Tensor, window: torch.Tensor, frames: int, parts: int, hop: int) -> torch.Tensor:
    # the overlap-added squared window of frames weighted by ``weights`` [rows, frames, 1], floored
    squared = (window * window).reshape(parts, hop)
    envelope = weights.new_zeros(weights.shape[0], frames + parts - 1, hop)
    for j in range(parts):
        envelope[:, j : j + frames] += weights * squared[j]
    return envelope.reshape(envelope.shape[0], -1).clamp_min(1e-11)


#: envelopes of up to this many frames (≈ 33 s at 16 kHz, 2 MB) are kept, 16 lengths at most
_CACHED_FRAMES = 2048


@lru_cache(maxsize=16)
def _envelope(frames: int, n_fft: int, hop: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    window = _window(n_fft, device, dtype)
    return _window_sum(torch.ones(1, frames, 1, device=device, dtype=dtype), window, frames, n_fft // hop, hop)


def stretch(x: torch.Tensor, rate: float, n_fft: int = N_FFT) -> torch.Tensor:
    """Time-stretch ``x`` (``[..., time]``, float) by ``rate`` with a phase vocoder.

    The result has ``max(1, round(time / rate))`` samples: ``rate > 1`` is faster and shorter.
    Pitch is unchanged.

    Short clips: a clip shorter than ``n_fft`` is zero-padded to ``n_fft`` for the analysis and
    the result is cut to ``round(time / rate)``; a clip of fewer than 4 samples has no spectrum to
    speak of and is stretched by repeating (or dropping) samples.

    Example:
        >>> stretch(torch.randn(1, 16000), 1.25).shape
        torch.Size([1, 12800])
    """
    length = x.shape[-1]
    target = max(1, round(length / rate))
    if rate == 1.0:
        return x
    if length < 4:
        index = torch.clamp((torch.arange(target, device=x.device) * rate).long(), max=length - 1)
        return x[..., index]
    padded = torch.nn.functional.pad(x, (0, max(0, n_fft - length)))
    flat = padded.reshape(-1, padded.shape[-1])
    hop = n_fft // 4
    window = _window(n_fft, x.device, x.dtype)
    spec = _stft(flat, n_fft, hop, window)
    steps = torch.arange(0, spec.shape[-2], rate, dtype=torch.float64, device=x.device)
    spec = _vocode(spec, steps, _phase_advance(n_fft, hop, x.device, x.dtype).reshape(-1))
    return _istft(spec, n_fft, hop, window, target).reshape(*x.shape[:-1], target)


def stretch_batch(x: torch.Tensor, rates: list[float], n_fft: int = N_FFT, size: int | None = None) -> torch.Tensor:
    """Time-stretch each example of ``x`` (``[batch, channels, time]``) by its own rate in one pass,
    then crop or zero-pad every result to ``size`` samples (default: ``time``); equals :func:`stretch`
    per example, cut or padded the same way (within float rounding).

    Clips shorter than 4 samples and rates of exactly 1 take the per-example path.
    """
    length = x.shape[-1]
    size = length if size is None else size
    if length < 4 or any(rate == 1.0 for rate in rates):
        outs = [stretch(clip, rate, n_fft) for clip, rate in zip(x, rates, strict=True)]
        return torch.stack([fit(o, size) for o in outs])
    batch, channels = x.shape[0], x.shape[1]
    padded = torch.nn.functional.pad(x, (0, max(0, n_fft - length)))
    hop = n_fft // 4
    window = _window(n_fft, x.device, x.dtype)
    spec = _stft(padded.reshape(batch * channels, -1), n_fft, hop, window)
    frames = spec.shape[-2]
    counts = [len(torch.arange(0, frames, rate, dtype=torch.float64)) for rate in rates]
    positions = torch.arange(max(counts), dtype=torch.float64, device=x.device)
    # the float64 positions torch.arange(0, frames, rate) gives (as in stretch); rows with fewer
    # output frames are padded with the last frame and masked out below
    steps = torch.stack([
        torch.nn.functional.pad(torch.arange(0, frames, rate, dtype=torch.float64, device=x.device),
                                (0, max(counts) - count), value=float(frames - 1))
        for rate, count in zip(rates, counts, strict=True)])
    valid = positions[None, :] < torch.tensor(counts, device=x.device, dtype=torch.float64)[:, None]
    steps = steps.repeat_interleave(channels, 0)
    valid = valid.repeat_interleave(channels, 0)
    spec = _vocode(spec, steps, _phase_advance(n_fft, hop, x.device, x.dtype).reshape(-1))
    spec = spec * valid[..., None]
    targets = [max(1, round(length / rate)) for rate in rates]
    out = _istft(spec, n_fft, hop, window, max(max(targets), size), valid)
    keep = torch.arange(out.shape[-1], device=x.device)[None, :] < torch.tensor(targets, device=x.device)[:, None]
    out = out.reshape(batch, channels, -1) * keep[:, None, :]
    return out[..., :size]


@lru_cache(maxsize=1024)
def rational(ratio: float, max_cents: float = MAX_CENTS) -> Fraction:
    """The fraction with the smallest denominator within ``max_cents`` of ``ratio``.

    Small terms mean small kernels, cheap to build, and few distinct ones (they are cached). The
    search is exact (continued fractions), not a scan.

    Raises:
        ValueError: for a ratio that is not positive and finite.

    Example:
        >>> rational(2 ** (-3 / 12))  # a minor third up: 37/44 is 0.03 cents away
        Fraction(37, 44)
    """
    if not (ratio > 0 and math.isfinite(ratio)):
        raise ValueError(f"ratio={ratio!r} must be a positive finite number")
    factor = 2.0 ** (max_cents / 1200.0)
    return _simplest_between(Fraction(ratio / factor), Fraction(ratio * factor))


def _simplest_between(low: Fraction, high: Fraction) -> Fraction:
    # The simplest fraction in [low, high] (0 < low <= high), by continued fractions: if an
    # integer lies in the interval the smallest one wins; otherwise keep the common integer part
    # and recurse on the reciprocals of what is left.
    whole = math.floor(low)
    if whole == low:
        return Fraction(whole)
    if whole + 1 <= high:
        return Fraction(whole + 1)
    return whole + 1 / _simplest_between(1 / (high - whole), 1 / (low - whole))


@lru_cache(maxsize=32)
def _kernel(orig: int, new: int, device: torch.device, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Windowed-sinc low-pass for resampling by ``new / orig`` (coprime), cached per ratio.

    Output sample ``m = j + l * new`` sits at input time ``l * orig + j * orig / new``; phase ``j``
    weighs ``2 * half`` input samples around it with row ``j`` of a polyphase table.

    Returns:
        ``(weights, offsets, half)``. When the table is small the weights are a dense conv1d kernel
        ``[new, 1, orig + 2 * half]`` (one strided convolution does the whole job: fastest) and
        ``offsets`` is empty; otherwise ``weights`` is the table ``[new, 2 * half]`` and ``offsets``
        the positions of its taps inside an ``orig + 2 * half`` window, for a gather. Positions
        are in the input padded with ``half`` zeros on the left.
    """
    cutoff = ROLLOFF * min(1.0, new / orig)  # in units of the input Nyquist rate
    half = math.ceil(ZERO_CROSSINGS / cutoff)  # taps on each side of an output position
    j = torch.arange(new, dtype=torch.float64)
    start = torch.div(j * orig, new, rounding_mode="floor")
    frac = j * orig / new - start  # where the output falls between two inputs, in [0, 1)
    u = torch.arange(2 * half, dtype=torch.float64)
    t = frac[:, None] + (half - 1) - u[None, :]  # distance to taps start - half + 1 + u
    window = torch.where(t.abs() < half, torch.cos(math.pi * t / (2 * half)) ** 2, torch.zeros_like(t))
    table = cutoff * torch.special.sinc(cutoff * t) * window
    table = table / table.sum(-1, keepdim=True)  # unit DC gain in every phase: no ripple on a constant
    offsets = (start[:, None] + 1 + u[None, :]).long()
    size = orig + 2 * half
    if new * size <= _DENSE_LIMIT:
        dense = torch.zeros(new, size, dtype=torch.float64).scatter_(1, offsets, table)
        return dense[:, None].to(device=device, dtype=dtype), torch.empty(0, dtype=torch.long), half
    return table.to(device=device, dtype=dtype), offsets.to(device), half


_DENSE_LIMIT = 1 << 20
"""Largest dense kernel (weights): 4 MB in float32, which covers every ratio within 1 cent of a
shift of up to 24 semitones (terms up to ~900). A dense kernel costs ``orig + 2 * half``
multiply-adds per output sample but runs as one strided convolution, which beats a gather of only
the ``2 * half`` non-zero taps (measured: 0.7 vs 1.3 ms for 962/963 on a 1 s clip). The cache holds
32 kernels: typically ~10 KB each, under 90 MB at the very worst."""


def resample_by(x: torch.Tensor, ratio: Fraction) -> torch.Tensor:
    """Resample ``x`` (``[..., time]``) so that its length becomes ``ceil(time * ratio)``.

    ``ratio = new / orig`` should be a fraction with small terms (see :func:`rational`); the
    kernel is cached per ``(orig, new, device, dtype)``.

    Example:
        >>> resample_by(torch.randn(1, 16000), Fraction(3, 2)).shape
        torch.Size([1, 24000])
    """
    if ratio == 1:
        return x
    new, orig = ratio.numerator, ratio.denominator
    weights, offsets, half = _kernel(orig, new, x.device, x.dtype)
    length = x.shape[-1]
    target = -(-length * new // orig)
    blocks = -(-target // new)
    size = orig + 2 * half
    flat = x.reshape(-1, length)
    padded = torch.nn.functional.pad(flat, (half, max(0, (blocks - 1) * orig + size - (length + half))))
    if offsets.numel() == 0:
        out = torch.nn.functional.conv1d(padded[:, None], weights, stride=orig)[:, :, :blocks].transpose(1, 2)
    else:
        windows = padded.unfold(-1, size, orig)[:, :blocks]  # [n, blocks, size], a view
        out = torch.einsum("nbjt,jt->nbj", windows[:, :, offsets], weights)
    return out.reshape(flat.shape[0], blocks * new)[:, :target].reshape(*x.shape[:-1], target)

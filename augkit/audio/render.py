"""Pictures of clips: the waveform and the log-mel spectrogram the previews show (deterministic:
computed in float64 and rounded, so a page does not depend on how BLAS splits its sums), and on
the original's waveform the segment each view was cropped from, in that view's colour."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.audio.measure import op_kind
from augkit.views.display import view_colour

__all__ = ["channel_mean", "crop_spans", "log_mel", "marked_views", "spectrogram_picture", "waveform_picture"]

_RAMP = np.array([(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)], np.float64)
_N_MELS, _FLOOR_DB = 64, 80.0


def channel_mean(wave: Any) -> np.ndarray:
    """The channel mean of a checked clip ``[channels, time]``, as float64 numpy."""
    return wave.detach().cpu().double().mean(dim=0).numpy()


def crop_spans(view_params: Sequence[Any], view_items: Sequence[Any] | None, n: int,
               crop_lengths: Sequence[int | None] | None = None) -> list[tuple[int, int] | None]:
    """Where each view was cropped from in a clip of ``n`` samples: ``(start, stop)`` per view, None
    for a view whose first fired op is not an ``audio.random_crop`` (a later crop sees a changed clip).

    The record holds the offset; the segment's length is the crop's (``crop_lengths[k]``, the
    generator's context) or else the view's (``view_items[k]``), unless an op after the crop changed
    the length (a stretch or speed change: a record with a ``rate``), when only the start is known
    and ``stop == start``.
    """
    spans: list[tuple[int, int] | None] = []
    for k, params in enumerate(view_params):
        offset, steps = _crop_offset(params)
        if offset is None or not 0 <= offset < n:
            spans.append(None)
            continue
        known = crop_lengths[k] if crop_lengths is not None and k < len(crop_lengths) else None
        item = view_items[k] if view_items is not None and k < len(view_items) else None
        length = int(np.shape(item)[-1]) if item is not None and np.ndim(item) >= 1 else 0
        if any("rate" in later for _, later in steps[1:]):
            length = 0
        spans.append((offset, min(offset + (known if known is not None else length), n)))
    return spans


def marked_views(view_params: Sequence[Any]) -> list[int]:
    """The views whose segment :func:`waveform_picture` marks on the original (a crop came first)."""
    return [k for k, params in enumerate(view_params) if _crop_offset(params)[0] is not None]


def _crop_offset(params: Any) -> tuple[int | None, list[tuple[str, dict[str, Any]]]]:
    """The offset of the crop a view's record starts with (None when it starts otherwise), and its fired steps."""
    from augkit.core.composites import fired

    steps = fired(params) if params is not None else []
    if not steps or op_kind(*steps[0]) != "audio.random_crop":
        return None, steps
    offset = steps[0][1].get("offset")
    return (offset if isinstance(offset, int) and not isinstance(offset, bool) else None), steps


#: Height in pixels of each view's lane under a marked waveform.
LANE = 5


def waveform_picture(wave: np.ndarray, height: int = 64, width: int = 256,
                     spans: Sequence[tuple[int, int] | None] = ()) -> np.ndarray:
    """``wave`` drawn min to max per column on white, scaled to its peak, over a light axis line.

    With ``spans`` (:func:`crop_spans`), the columns of view ``k``'s segment are tinted in its
    colour (:func:`augkit.views.display.view_colour`) and a bar of that colour under the
    waveform, in a lane of :data:`LANE` pixels per marked view, shows where the segment lies (a
    segment whose length is unknown: a tick at its start).
    """
    marked = [(k, span) for k, span in enumerate(spans) if span is not None]
    lanes = len(marked) * LANE + (2 if marked else 0)
    canvas = np.full((height + lanes, width, 3), 255, np.uint8)
    columns = [(k, *_columns(span, wave.size, width)) for k, span in marked]
    for k, left, right in columns:  # tints first, blended so that overlapping segments both show
        tint = (np.asarray(view_colour(k), np.float64) * 0.18 + 255 * 0.82)
        area = canvas[:height, left:right].astype(np.float64)
        canvas[:height, left:right] = np.rint(np.minimum(area, tint)).astype(np.uint8)
    canvas[height // 2, :] = np.minimum(canvas[height // 2, :], 220)
    starts = (np.arange(width) * wave.size) // width
    peak = max(float(np.abs(wave).max()), 1e-12)
    highs = np.maximum.reduceat(wave, starts) / peak
    lows = np.minimum.reduceat(wave, starts) / peak
    half = (height - 1) / 2
    top = np.rint((1 - highs) * half).astype(int)
    bottom = np.rint((1 - lows) * half).astype(int)
    rows = np.arange(height)[:, None]
    canvas[:height][(rows >= top) & (rows <= bottom)] = (40, 90, 160)
    for lane, (k, left, right) in enumerate(columns):
        row = height + 2 + lane * LANE
        canvas[row : row + LANE - 1, left:right] = view_colour(k)
    return canvas


def _columns(span: tuple[int, int], n: int, width: int) -> tuple[int, int]:
    """The picture columns ``[left, right)`` of samples ``[start, stop)`` of ``n``; at least one column."""
    start, stop = span
    left = min(start * width // max(n, 1), width - 1)
    right = max(-(-stop * width // max(n, 1)), left + (1 if stop > start else 2))
    return left, min(right, width)


def log_mel(wave: np.ndarray, rate: int) -> np.ndarray:
    """``[64, frames]`` log-mel power in [0, 1]: 0 is 80 dB or more below the loudest band, 1 the loudest."""
    import torch
    import torchaudio

    n_fft = max(16, 2 * round(256 * rate / 16000))
    # float64, the projection summed by einsum's own loops (a threaded BLAS may split the sums
    # differently from one call to the next) and levels rounded below: the same picture every time
    x = torch.from_numpy(np.ascontiguousarray(wave, dtype=np.float64))
    power = torch.stft(x, n_fft, hop_length=n_fft // 4, window=torch.hann_window(n_fft, dtype=x.dtype),
                       center=True, pad_mode="constant", return_complex=True).abs().square()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # low rates leave some narrow mel bands without an FFT bin
        bank = torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, 0.0, rate / 2, _N_MELS, rate)
    mel = np.einsum("fm,ft->mt", bank.double().numpy(), power.numpy())
    if not mel.max() > 0:
        return np.zeros_like(mel)
    db = 10 * np.log10(np.maximum(mel, mel.max() * 10 ** (-_FLOOR_DB / 10)))
    return (db - db.max()) / _FLOOR_DB + 1


def spectrogram_picture(wave: np.ndarray, rate: int, height: int = 128, width: int = 256) -> np.ndarray:
    """The log-mel spectrogram of ``wave`` as an RGB uint8 ``height×width`` image, low bands at the bottom."""
    import torch

    bands = torch.from_numpy(np.ascontiguousarray(log_mel(wave, rate)[::-1]))
    # area: averages frames when shrinking a long clip, repeats them when stretching a short one
    levels = torch.nn.functional.interpolate(bands[None, None], size=(height, width), mode="area")[0, 0].numpy()
    levels = np.round(levels, 6)
    stops = np.linspace(0.0, 1.0, len(_RAMP))
    rgb = np.stack([np.interp(levels, stops, _RAMP[:, c]) for c in range(3)], axis=-1)
    return np.rint(rgb).astype(np.uint8)

"""How far an audio view moved from its source (what previews and ``augkit stats`` show): the view
aligned with the segment of the source it came from, and the SNR between them."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SNR_CAP_DB", "aligned", "numbers", "op_kind", "snr_db"]

# Ops recognised by their record's keys when the record carries no name (a one-op pipeline).
_KINDS_BY_KEYS = {
    frozenset({"offset"}): "audio.random_crop",
    frozenset({"shift"}): "audio.time_shift",
    frozenset({"gain_db"}): "audio.gain",
    frozenset({"rate"}): "audio.time_stretch",
    frozenset({"semitones", "applied_semitones"}): "audio.pitch_shift",
}
SNR_CAP_DB = 120.0


def op_kind(name: str, params: dict[str, Any]) -> str:
    return name or _KINDS_BY_KEYS.get(frozenset(params), "")


def numbers(steps: list[tuple[str, dict[str, Any]]], kind: str, key: str) -> list[float]:
    return [float(p[key]) for k, p in steps if k == kind and isinstance(p.get(key), (int, float))]


def aligned(src: np.ndarray, steps: list[tuple[str, dict[str, Any]]], length: int) -> tuple[np.ndarray, np.ndarray]:
    """The source replayed through the fired crops and shifts, and which of its samples are real.

    Returns ``(reference [channels, time], keep [time] bool)``: a crop takes ``length`` samples
    from its offset (zero-padded, as :class:`augkit.audio.RandomCrop` pads; padding counts as
    source), a shift moves them and marks the filled or wrapped end as not comparable.
    """
    ref, keep = src, np.ones(src.shape[-1], bool)
    for kind, params in steps:
        if kind == "audio.random_crop" and isinstance(params.get("offset"), int):
            offset = min(max(params["offset"], 0), ref.shape[-1])
            ref, kept = ref[:, offset: offset + length], keep[offset: offset + length]
            pad = length - ref.shape[-1]
            ref = np.pad(ref, ((0, 0), (0, pad)))
            keep = np.concatenate([kept, np.ones(pad, bool)])
        elif kind == "audio.time_shift" and isinstance(params.get("shift"), int):
            n = ref.shape[-1]
            # rollover or silence fill are not in the record: compare only the samples both keep
            shift = params["shift"] if abs(params["shift"]) < n else params["shift"] % n
            moved, kept = np.zeros_like(ref), np.zeros(n, bool)
            if shift >= 0:
                moved[:, shift:], kept[shift:] = ref[:, : n - shift], keep[: n - shift]
            else:
                moved[:, :shift], kept[:shift] = ref[:, -shift:], keep[-shift:]
            ref, keep = moved, kept
    return ref, keep


def snr_db(reference: np.ndarray, view: np.ndarray) -> float:
    """``10·log10(Σ reference² / Σ (view − reference)²)``, capped to ±120 dB."""
    signal = float(np.square(reference).sum())
    error = float(np.square(view - reference).sum())
    if error <= signal * 10 ** (-SNR_CAP_DB / 10):
        return SNR_CAP_DB
    if signal <= error * 10 ** (-SNR_CAP_DB / 10):
        return -SNR_CAP_DB
    return float(10 * np.log10(signal / error))


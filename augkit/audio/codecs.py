"""Lossy codec round trips (MP3, Ogg Vorbis, Ogg Opus): encode in memory, decode, keep alignment.

MP3 is encoded by LAME 3.100 through ``lameenc`` (a declared dependency: a compiled LAME wrapped as
a Python extension, LGPL-3.0, used as a separately installed library, which the LGPL allows from
MIT code) at quality 7, the setting audiomentations' default backend (fast-mp3-augment) uses, and
decoded by soundfile (libsndfile's mpg123). That takes about 2 ms a second of 16 kHz speech,
against 10 ms through libsndfile's own LAME writer (``encoder="libsndfile"``, kept for records made
with it; it needs soundfile >= 0.13 and libsndfile >= 1.1). The record names the encoder, so a
replay never depends on what happens to be installed.

lameenc writes no gapless header, so the decoded clip comes back :data:`MP3_DELAY` samples late
and up to a frame longer; those samples are dropped. libsndfile writes the encoder delay into the
stream (the LAME/Xing header, the Ogg pre-skip) and drops it on decoding, so the decoded clip
starts where the input started and has its length, except at the lowest constant MP3 bitrates (8
to 32 kbps at 16 and 44.1 kHz, measured with libsndfile 1.2.2), where the decoder finds no gapless
header and the same :data:`MP3_DELAY` is dropped. Alignment is checked by cross-correlation in the
tests; the result is cut or padded to the input length whatever a library version does. A codec
round trip is not vectorisable: a batch is encoded one clip at a time.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import torch

from augkit.audio._waveform import fit
from augkit.core import Augmenter, Params, expect, uniform
from augkit.core.args import Arg, Choice, Probability, Range, SampleRate
from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.registry import register

__all__ = ["MP3_DELAY", "CodecCompression", "Mp3Compression", "mp3_bitrates"]

#: Layer III bitrates (kbps) and the range libsndfile maps its compression level onto, per MPEG version.
_MPEG1 = ((32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320), (32000, 44100, 48000))
_MPEG2 = ((8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160), (16000, 22050, 24000))
_MPEG25 = ((8, 16, 24, 32, 40, 48, 56, 64), (8000, 11025, 12000))
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
#: The delay of an MP3 round trip without a gapless header: LAME's encoder delay (576 samples) plus
#: the mpg123 decoder's (529).
MP3_DELAY = 576 + 529
#: LAME's quality setting (0 best and slowest, 9 worst): 7 as fast-mp3-augment's default.
_LAME_QUALITY = 7
_ENCODERS = ("lameenc", "libsndfile")


def mp3_bitrates(sample_rate: int) -> tuple[int, ...]:
    """The constant bitrates (kbps) MP3 allows at ``sample_rate``; empty for a rate MP3 cannot store."""
    for rates, sample_rates in (_MPEG1, _MPEG2, _MPEG25):
        if sample_rate in sample_rates:
            return rates
    return ()


def _round_trip(x: np.ndarray, sample_rate: int, **write: Any) -> np.ndarray:
    """``x`` ``[channels, time]`` through one codec (MP3 and Ogg hold 1 or 2 channels: more are coded
    one by one), at the input's length; a clip louder than full scale is scaled into it and back."""
    import soundfile as sf

    if x.shape[0] > 2:
        return np.concatenate([_round_trip(channel[None], sample_rate, **write) for channel in x])
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    scale = peak if peak > 1.0 else 1.0  # the codecs clip at full scale, as audiomentations' pre-gain avoids
    buffer = io.BytesIO()
    sf.write(buffer, (x / scale).T, sample_rate, **write)
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32", always_2d=True)
    if write.get("format") == "MP3" and decoded.shape[0] > x.shape[-1]:  # no gapless header: still delayed
        decoded = decoded[MP3_DELAY:]
    return decoded.T * np.float32(scale)


def _lame_round_trip(x: np.ndarray, sample_rate: int, bitrate_kbps: int) -> np.ndarray:
    """``x`` ``[channels, time]`` through LAME (``lameenc``, 16-bit input) and mpg123 (soundfile),
    :data:`MP3_DELAY` samples dropped; as :func:`_round_trip` for loud clips and many channels."""
    import lameenc
    import soundfile as sf

    if x.shape[0] > 2:
        return np.concatenate([_lame_round_trip(channel[None], sample_rate, bitrate_kbps) for channel in x])
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    scale = peak if peak > 1.0 else 1.0
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_out_sample_rate(sample_rate)  # else LAME resamples at low bitrates
    encoder.set_channels(x.shape[0])
    encoder.set_quality(_LAME_QUALITY)
    pcm = np.clip(np.round(x.T * (32768.0 / scale)), -32768, 32767).astype(np.int16)  # interleaved
    data = encoder.encode(pcm.tobytes()) + encoder.flush()
    decoded, _ = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return decoded[MP3_DELAY:].T * np.float32(scale)


def _fitted(out: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return fit(torch.from_numpy(np.ascontiguousarray(out, dtype=np.float32)).to(like.device), like.shape[-1])


def _through(x: torch.Tensor, sample_rate: int, **write: Any) -> torch.Tensor:
    return _fitted(_round_trip(x.detach().cpu().numpy(), sample_rate, **write), x)


@register
class Mp3Compression(Augmenter[torch.Tensor]):
    """Encode the clip as constant-bitrate MP3 and decode it back: the artefacts of compressed audio.

    The bitrate is drawn uniformly among the MP3 bitrates in ``bitrate_kbps`` that ``sample_rate``
    allows (8–160 kbps at 16–24 kHz, 32–320 at 32–48 kHz, 8–64 at 8–12 kHz), as audiomentations'
    ``augmentations/mp3_compression.py`` draws them. The output is aligned with the input and has
    its length (module notes). The views are what the encoder gives: LAME through ``lameenc``
    (default) and libsndfile's LAME writer make different, equally plausible artefacts, so the
    record names the encoder and a replay uses that one.

    Args:
        bitrate_kbps: a ``(min, max)`` range or a fixed value, in kbps.
        sample_rate: of the clips, in Hz: one MP3 stores (8, 11.025, 12, 16, 22.05, 24, 32, 44.1
            or 48 kHz).
        encoder: "lameenc" (LAME 3.100 at quality 7, about 5x faster) or "libsndfile" (soundfile's
            MP3 writer).
        p: probability of compressing.

    Record: ``{"applied": True, "bitrate_kbps": int, "encoder": str}``.

    Raises:
        InvalidArgument: for a sample rate MP3 cannot store, or a range holding no bitrate allowed
            at that rate.
        InvalidParams: for a recorded bitrate that the rate does not allow, or an unknown encoder.

    Example:
        >>> phone_quality = Mp3Compression(bitrate_kbps=(8, 32), sample_rate=16000)(waveform)
    """

    name = "audio.mp3_compression"
    modality = "audio"
    args = (
        Arg("bitrate_kbps", Range(8, 320), (8.0, 64.0), "the constant bitrate in kbps"),
        Arg("sample_rate", SampleRate(), 16000, "of the clips, in Hz"),
        Arg("encoder", Choice(_ENCODERS), "lameenc", "the MP3 encoder (module notes)"),
        Arg("p", Probability(), 1.0, "probability of compressing"),
    )
    drawn = {"bitrate_kbps": int, "encoder": str}
    bitrate_kbps: tuple[float, float]
    sample_rate: int
    encoder: str

    def setup(self) -> None:
        allowed = mp3_bitrates(self.sample_rate)
        if not allowed:
            raise InvalidArgument(f"Mp3Compression sample_rate={self.sample_rate} is not a rate MP3 stores; use one of "
                                  "8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000 (resample first)")
        self._choices = [b for b in allowed if self.bitrate_kbps[0] <= b <= self.bitrate_kbps[1]]
        if not self._choices:
            raise InvalidArgument(f"Mp3Compression bitrate_kbps={self.bitrate_kbps!r} holds none of the bitrates MP3 "
                                  f"allows at {self.sample_rate} Hz: {list(allowed)}")

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"bitrate_kbps": int(self._choices[int(rng.integers(len(self._choices)))]), "encoder": self.encoder}

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        allowed = mp3_bitrates(self.sample_rate)
        bitrate = expect(params, "bitrate_kbps", int, self)
        if bitrate not in allowed:
            raise InvalidParams(f"Mp3Compression params['bitrate_kbps']={bitrate!r:.40} must be one of {list(allowed)} "
                                f"at {self.sample_rate} Hz; pass the record sample() drew")
        encoder = expect(params, "encoder", str, self)
        if encoder == "lameenc":
            return _fitted(_lame_round_trip(x.detach().cpu().numpy(), self.sample_rate, bitrate), x)
        if encoder != "libsndfile":
            raise InvalidParams(f"Mp3Compression params['encoder'] must be one of {list(_ENCODERS)}, not "
                                f"{encoder!r:.40}; pass the record sample() drew")
        # libsndfile maps its compression level linearly onto [lowest, highest] kbps (level 1 is refused)
        level = min((allowed[-1] - bitrate) / (allowed[-1] - allowed[0]), 0.9999)
        return _through(x, self.sample_rate, format="MP3", compression_level=level, bitrate_mode="CONSTANT")


@register
class CodecCompression(Augmenter[torch.Tensor]):
    """Encode the clip with Ogg Vorbis or Ogg Opus at a drawn compression level and decode it back.

    ``compression_level`` is libsndfile's (0: best quality, 1: smallest file): a variable bitrate
    from about 90 kbps down to 55 kbps for Vorbis at 16 kHz, 220 down to 40 kbps for Opus
    (measured on speech). Aligned and length-preserving like :class:`Mp3Compression`.

    Args:
        codec: "vorbis" or "opus" (Opus stores 8, 12, 16, 24 or 48 kHz only).
        compression_level: a ``(min, max)`` range or a fixed value in [0, 1].
        sample_rate: of the clips, in Hz.
        p: probability of compressing.

    Record: ``{"applied": True, "compression_level": float}``.

    Raises:
        InvalidArgument: for an unknown codec, a level outside [0, 1], or a rate Opus cannot store.

    Example:
        >>> streamed = CodecCompression("opus", compression_level=(0.5, 1.0), sample_rate=16000)(waveform)
    """

    name = "audio.codec_compression"
    modality = "audio"
    args = (
        Arg("codec", Choice(("vorbis", "opus")), "vorbis", "the Ogg codec"),
        Arg("compression_level", Range(0, 1), (0.3, 1.0), "0: best quality, 1: smallest file"),
        Arg("sample_rate", SampleRate(), 16000, "of the clips, in Hz"),
        Arg("p", Probability(), 1.0, "probability of compressing"),
    )
    drawn = {"compression_level": float}
    codec: str
    compression_level: tuple[float, float]
    sample_rate: int

    def setup(self) -> None:
        if self.codec == "opus" and self.sample_rate not in _OPUS_RATES:
            raise InvalidArgument(f"CodecCompression codec='opus' stores {list(_OPUS_RATES)} Hz, not sample_rate="
                                  f"{self.sample_rate}: use codec='vorbis' or resample first")

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"compression_level": uniform(rng, self.compression_level)}

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        level = float(params["compression_level"])
        return _through(x, self.sample_rate, format="OGG", subtype=self.codec.upper(), compression_level=level)

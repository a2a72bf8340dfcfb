"""Reading and writing audio with soundfile (WAV, FLAC, OGG Vorbis, MP3); no FFmpeg or torchcodec.

``torchaudio.load``/``save`` need torchcodec plus FFmpeg's shared libraries; soundfile's wheel
carries libsndfile, which reads and writes all four formats by itself.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import torch

from augkit.audio._waveform import as_waveform, restore
from augkit.core.args import SampleRate
from augkit.core.errors import InvalidArgument, InvalidInput, MissingFile

__all__ = ["CHANNELS", "FORMATS", "MAX_FRAMES", "load", "load_bytes", "resample", "save", "with_channels"]

_RATE = SampleRate()

FORMATS = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".mp3": "MP3"}
"""File suffixes :func:`save` writes, with the soundfile format each one selects."""

#: The most channels each format holds (FLAC's own limit; MP3 is mono or stereo); checked
#: before libsndfile is called, which fails obscurely (or worse) past them.
MAX_FORMAT_CHANNELS = {"WAV": 64, "FLAC": 8, "OGG": 64, "MP3": 2}

#: The most frames (samples per channel) :func:`load` decodes from one file, and the longest
#: segment :class:`~augkit.audio.RandomCrop` cuts: one hour at 48 kHz, 660 MiB of float32 per
#: channel. Like PIL's ``Image.MAX_IMAGE_PIXELS`` it is checked against the file's header before
#: anything is decoded: a FLAC of a few hundred kilobytes can hold hours of silence. Longer files
#: are meant to be cut first; to load them whole, raise it: ``augkit.audio.io.MAX_FRAMES = n``.
MAX_FRAMES = 3600 * 48000

#: The highest sample rate each format is written at: libvorbis crashes the interpreter
#: (SIGSEGV) on OGG above ~200 kHz, so OGG stops at Vorbis' 192 kHz.
MAX_FORMAT_RATE = {"WAV": 10_000_000, "FLAC": 655350, "OGG": 192000, "MP3": 48000}


def load(path: str | Path, sample_rate: int | None = None, mono: bool = False) -> tuple[torch.Tensor, int]:
    """Read an audio file into a float32 tensor ``[channels, time]`` in [-1, 1].

    Integer PCM is scaled to [-1, 1) (16-bit: divided by 32768).

    Args:
        path: a WAV, FLAC, OGG or MP3 file (any format libsndfile reads).
        sample_rate: resample to this rate in Hz (``torchaudio.functional.resample``, windowed
            sinc); None keeps the file's rate.
        mono: average the channels into one (the result is then ``[1, time]``).

    Returns:
        ``(waveform, sample_rate)``: the rate is the one of the returned waveform.

    Raises:
        FileNotFoundError: when ``path`` does not exist.
        InvalidInput: when the file cannot be decoded, holds no samples, or holds more than
            :data:`MAX_FRAMES` frames per channel (read from its header, before decoding).
        InvalidArgument / WrongArgumentType: for a ``sample_rate`` that is not a positive int.

    Example:
        >>> wav, sr = load("data/audio/speech_digits.flac", sample_rate=16000, mono=True)
    """
    target = None if sample_rate is None else _RATE(sample_rate, "sample_rate")
    path = Path(path)
    if not path.is_file():
        raise MissingFile(f"audio file {path} does not exist")
    return _decode(str(path), path, target, mono)


def load_bytes(data: bytes, name: str = "audio bytes", sample_rate: int | None = None,
               mono: bool = False) -> tuple[torch.Tensor, int]:
    """:func:`load` of an encoded file held in memory (a Hugging Face ``Audio(decode=False)`` cell, a
    WebDataset member): ``(waveform [channels, time], rate)``; ``name`` names it in errors."""
    target = None if sample_rate is None else _RATE(sample_rate, "sample_rate")
    return _decode(io.BytesIO(data), Path(name), target, mono)


def _decode(source: Any, path: Path, target: int | None, mono: bool) -> tuple[torch.Tensor, int]:
    import soundfile as sf

    try:
        with sf.SoundFile(source) as f:
            rate = f.samplerate
            _check_frames(path, f.frames, rate, f.channels)
            data = f.read(dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise InvalidInput(f"cannot decode audio file {path} (WAV, FLAC, OGG and MP3 are read): {exc}") from None
    if data.size == 0:
        raise InvalidInput(f"audio file {path} holds no samples")
    wav = torch.from_numpy(np.ascontiguousarray(data.T))
    if mono and wav.shape[0] > 1:
        wav = wav.mean(dim=0, keepdim=True)
    if target is not None and target != rate:
        wav = resample(wav, rate, target)
        rate = target
    return wav, int(rate)


def _check_frames(path: Path, frames: int, rate: int, channels: int) -> None:
    """Refuse a file whose header announces more than :data:`MAX_FRAMES` frames, naming it."""
    if frames > MAX_FRAMES:
        gib = frames * channels * 4 / 2**30
        raise InvalidInput(f"audio file {path} holds {frames} frames per channel ({frames / rate / 3600:.3g} h at "
                           f"{rate} Hz, {gib:.1f} GiB decoded), more than augkit.audio.io.MAX_FRAMES = {MAX_FRAMES}: "
                           "cut the file into shorter clips, or raise the cap (augkit.audio.io.MAX_FRAMES = n) to "
                           "load it whole")


def save(path: str | Path, waveform: Any, sample_rate: int, subtype: str | None = None) -> Path:
    """Write one clip to ``path``; the format follows the suffix.

    ``.wav`` and ``.flac`` are 16-bit PCM unless ``subtype`` says otherwise (e.g. "FLOAT" for a
    float WAV), ``.ogg`` is Vorbis and ``.mp3`` MPEG layer III (both lossy). Samples are clipped
    to [-1, 1] first: louder float audio would wrap round in integer formats.

    Args:
        path: the file to write (parent folders are created); suffix .wav, .flac, .ogg or .mp3.
        waveform: ``[time]`` or ``[channels, time]``, tensor or numpy, float32/float64/int16.
        sample_rate: in Hz.
        subtype: a soundfile subtype ("PCM_16", "PCM_24", "FLOAT", ...); None for the default.

    Returns:
        The path written.

    Raises:
        InvalidArgument: for another suffix, a sample rate ≤ 0 or a subtype the format refuses.
        InvalidInput / WrongInputType: for a batch or a bad waveform.

    Example:
        >>> save("view.flac", view, 16000)
    """
    import soundfile as sf

    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidArgument(f"cannot choose a format for {path}: use one of the suffixes {sorted(FORMATS)}")
    rate = _RATE(sample_rate, "sample_rate")
    wav, layout = as_waveform(waveform)
    if layout.batched:
        raise InvalidInput(f"save() writes one clip [time] or [channels, time], got a batch of shape "
                         f"{tuple(wav.shape)}; save the clips one by one")
    if rate > MAX_FORMAT_RATE[fmt]:
        raise InvalidArgument(f"{path}: {fmt} is written at up to {MAX_FORMAT_RATE[fmt]} Hz, got sample_rate={rate}; "
                              "resample first (augkit.audio.resample) or write WAV")
    most = MAX_FORMAT_CHANNELS[fmt]
    if wav.shape[1] > most:
        raise InvalidInput(f"{path}: {fmt} holds at most {most} channels, the clip has {wav.shape[1]}; "
                           "write WAV (up to 64) or mix the channels down")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = wav[0].clamp(-1.0, 1.0).T.detach().cpu().numpy()
    try:
        sf.write(str(path), data, rate, format=fmt, subtype=subtype)
    except (ValueError, TypeError, RuntimeError, sf.LibsndfileError) as exc:
        raise InvalidArgument(f"cannot write {path} as {fmt} at {rate} Hz (subtype={subtype!r}): {exc}") from None
    return path


def resample(waveform: Any, orig_freq: int, new_freq: int) -> Any:
    """Resample along the time axis with ``torchaudio.functional.resample`` (windowed sinc).

    Args:
        waveform: ``[time]``, ``[channels, time]`` or ``[batch, channels, time]``; tensor or numpy.
        orig_freq: the waveform's rate in Hz.
        new_freq: the rate wanted, in Hz.

    Returns:
        The resampled waveform in the caller's layout (numpy in, numpy float32 out), with
        ``ceil(time * new_freq / orig_freq)`` samples.

    Raises:
        InvalidArgument: for a rate ≤ 0 (WrongArgumentType: not a number).
        InvalidInput / WrongInputType: for a bad waveform.

    Example:
        >>> wav8k = resample(wav, 16000, 8000)
    """
    import math

    import torchaudio.functional as AF

    orig, new = _RATE(orig_freq, "orig_freq"), _RATE(new_freq, "new_freq")
    wav, layout = as_waveform(waveform)
    if orig == new:
        return restore(wav.clone(), layout)
    out_len = math.ceil(wav.shape[-1] * new / orig)
    if out_len * wav.shape[0] * wav.shape[1] > MAX_RESAMPLED:
        gib = out_len * wav.shape[0] * wav.shape[1] * 4 / 2**30
        raise InvalidInput(f"resampling {tuple(wav.shape)} from {orig} Hz to {new} Hz would make {out_len} samples "
                           f"per channel ({gib:.1f} GiB); at most {MAX_RESAMPLED} samples in all: check the rates, "
                           "or cut the clip first")
    if _filter_bank_cells(orig, new) > MAX_FILTER_BANK:
        # torchaudio builds one filter per output phase (new / gcd of them), each as long as the
        # input period (orig / gcd): for nearly coprime rates (44099 -> 44100) that is gigabytes.
        # Evaluate the same windowed sinc at each output instant instead, in chunks: memory stays
        # a small multiple of the output. Coprime rates with a small side (1 -> 44099 Hz) keep
        # torchaudio's bank, which is small and far faster per output.
        return restore(_resample_direct(wav, orig, new), layout)
    return restore(AF.resample(wav, orig, new), layout)


#: The most samples (all channels) :func:`resample` makes: 1 GiB of float32.
MAX_RESAMPLED = 2**28

#: Above this many cells in torchaudio's polyphase filter bank (:func:`_filter_bank_cells`, 16 MiB
#: of float32) :func:`resample` evaluates its filter per output sample instead of building the bank.
MAX_FILTER_BANK = 2**22
_WIDTH = 6  # zero crossings of the sinc on each side, as torchaudio's default
_ROLLOFF = 0.99  # torchaudio's default cutoff, as a fraction of the lower Nyquist frequency


def _filter_bank_cells(orig: int, new: int) -> int:
    """The size of the filter bank ``torchaudio.functional.resample`` builds for these rates:
    ``new / g`` phases of ``2 · width + orig / g`` taps (g their gcd), as its kernel is made."""
    import math

    g = math.gcd(orig, new)
    orig_g, new_g = orig // g, new // g
    width = math.ceil(_WIDTH * orig_g / (min(orig_g, new_g) * _ROLLOFF))
    return new_g * (2 * width + orig_g)
_CHUNK_BYTES = 16 << 20  # working memory of one step of the direct resampler


def _resample_direct(wav: torch.Tensor, orig: int, new: int) -> torch.Tensor:
    """Windowed-sinc (Hann) resampling evaluated at every output instant, ``[..., T]`` float32."""
    import math

    length = math.ceil(wav.shape[-1] * new / orig)
    cutoff = min(1.0, new / orig) * 0.99
    taps = math.ceil(_WIDTH / cutoff)
    flat = wav.reshape(-1, wav.shape[-1]).to(torch.float64)
    padded = torch.nn.functional.pad(flat, (taps, taps + 1))
    offsets = torch.arange(-taps + 1, taps + 1, dtype=torch.float64)
    out = torch.empty(flat.shape[0], length, dtype=torch.float32)
    # a chunk's gathered inputs (channels × chunk × 2·taps float64) stay within _CHUNK_BYTES
    chunk = max(64, _CHUNK_BYTES // (8 * flat.shape[0] * 2 * taps))
    for start in range(0, length, chunk):
        n = torch.arange(start, min(length, start + chunk), dtype=torch.float64)
        t = n * orig / new
        base = torch.floor(t)
        index = base[:, None] + offsets[None, :]                   # [chunk, 2·taps] input positions
        x = t[:, None] - index                                      # distances in input samples
        window = torch.where(x.abs() < taps, 0.5 + 0.5 * torch.cos(math.pi * x / taps), torch.zeros_like(x))
        kernel = cutoff * torch.special.sinc(cutoff * x) * window
        gathered = padded[:, (index.long() + taps)]                 # [channels, chunk, 2·taps]
        out[:, start : start + len(n)] = (gathered * kernel[None]).sum(-1)
    return out.reshape(*wav.shape[:-1], length)


#: How audio readers give channels: 1 (mixed down to mono), 2 (stereo), or "keep".
CHANNELS = (1, 2, "keep")


def with_channels(wav: torch.Tensor, channels: Any, mono: bool | None = None, name: str = "audio") -> torch.Tensor:
    """``wav`` with the channels a reader was asked for: 1 (mixed down), 2 (a mono clip duplicated),
    or ``"keep"``; ``mono=True``/``False`` is the older spelling of 1/``"keep"``."""
    if mono is not None:
        channels = 1 if mono else "keep"
    elif isinstance(channels, bool) or channels not in CHANNELS:
        raise InvalidArgument(f"channels={channels!r} must be 1 (mono), 2 (stereo) or 'keep'")
    if channels == "keep" or wav.shape[0] == channels:
        return wav
    if channels == 1:
        return wav.mean(dim=0, keepdim=True)
    if wav.shape[0] == 1:
        return wav.expand(2, -1).clone()
    raise InvalidInput(f"{name} has {wav.shape[0]} channels; channels=2 makes stereo of mono files only: "
                       "read it with channels=1 or 'keep'")

"""The audio modality: float32 ``[channels, time]`` waveforms (torch), one clip or a batch.

Files are read with :func:`augkit.audio.load` (``sample_rate=`` resamples; ``mono=True`` averages
the channels, otherwise every channel is kept). Views are stored as float32 WAV by default
(lossless, and peaks above 1.0 after a gain survive) or as 24-bit FLAC (clipped to [-1, 1]).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from augkit.audio.measure import SNR_CAP_DB, aligned, numbers, op_kind, snr_db
from augkit.audio.render import channel_mean, crop_spans, marked_views, spectrogram_picture, waveform_picture
from augkit.core.errors import InvalidArgument, InvalidInput
from augkit.core.modalities import BaseModality, register

__all__ = ["EXTENSIONS", "AudioModality"]

#: The file suffixes of each container libsndfile reads (``soundfile.available_formats()``).
_SUFFIXES = {"WAV": (".wav",), "FLAC": (".flac",), "OGG": (".ogg", ".oga", ".opus"), "MP3": (".mp3",),
             "AIFF": (".aiff", ".aif"), "AU": (".au",), "CAF": (".caf",), "W64": (".w64",)}


def _extensions() -> tuple[str, ...]:
    import soundfile

    formats = soundfile.available_formats()
    return tuple(e for name, suffixes in _SUFFIXES.items() if name in formats for e in suffixes)


#: File suffixes :meth:`AudioModality.load` reads: those of the containers this soundfile reads.
EXTENSIONS = _extensions()
_SUBTYPES = {"wav": ("WAV", "FLOAT"), "flac": ("FLAC", "PCM_24")}


class AudioModality(BaseModality):
    """Ops see one clip, a float32 tensor ``[channels, time]``.

    Accepted (:func:`augkit.audio._waveform.as_waveform`): float32, float64 or int16 tensors or
    numpy arrays shaped ``[time]``, ``[channels, time]`` or ``[batch, channels, time]``; an op's
    result goes back in the caller's layout and never shares memory with the input. A batch gets
    one record per example. A generator's sample is one clip, checked into ``[channels, time]``.
    """

    name = "audio"
    extensions = EXTENSIONS
    formats = ("wav", "flac")
    libraries = ("torchaudio", "soundfile")
    ops_modules = ("augkit.audio",)

    def check(self, x: Any, channels_last: bool = False, **options: Any) -> Any:
        """One clip as a float32 tensor ``[channels, time]`` (``[time]`` gets one channel).

        Raises:
            InvalidInput: for a batch, an empty clip, NaN/inf samples, or a ``[time, channels]``
                array (the message says to transpose it; ``channels_last=True`` does).
            WrongInputType: for another type or dtype.
        """
        from augkit.audio._waveform import as_waveform

        wav, layout = as_waveform(x, name="audio input", channels_last=channels_last)
        if layout.batched:
            raise InvalidInput(f"audio input of shape {tuple(wav.shape)} is a batch; a sample is one clip "
                               "[channels, time] (augment a batch through the ops themselves)")
        return wav[0]

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        from augkit.audio._waveform import as_waveform

        wav, layout = as_waveform(x, name=f"{where} input")
        ptr = wav.untyped_storage().data_ptr()
        if layout.batched:
            return wav, True, (layout, ptr)
        return wav[0], False, (layout, ptr)

    def leave(self, y: Any, ctx: Any) -> Any:
        from augkit.audio._waveform import restore

        layout, ptr = ctx
        if y.untyped_storage().data_ptr() == ptr:
            y = y.clone()  # an op that did not fire, a shift of 0, a crop: never hand out the input's memory
        return restore(y if layout.batched else y[None], layout)

    def stack(self, items: Sequence[Any], where: str) -> Any:
        import torch

        lengths = sorted({item.shape[-1] for item in items})
        if len(lengths) != 1:
            raise InvalidInput(f"{where} would give a ragged batch (lengths {lengths}): augment the clips one at a "
                               "time, or keep lengths equal (TimeStretch(keep_length=True); p=1 for RandomCrop)")
        return torch.stack(list(items))

    def load(self, path: str | Path, sample_rate: int | None = 16000, channels: int | str = 1,
             mono: bool | None = None, **options: Any) -> Any:
        """One clip ``[channels, time]`` at ``sample_rate`` Hz (see :func:`augkit.audio.load`).

        The clip holds no rate of its own, so it is resampled to 16 kHz unless told otherwise:
        a 44.1 kHz file then gives as many samples per second as one recorded at 16 kHz, and a
        "1 s" crop built for 16 kHz holds 1 s. ``sample_rate=None`` keeps each file's own rate
        (ask for it explicitly, and keep track of the rates yourself). ``channels=1`` (the default)
        mixes every file down to mono, so a folder mixing mono and stereo files gives clips of one
        kind; ``2`` gives stereo (a mono file duplicated); ``"keep"`` keeps each file's channels.
        ``mono=True`` is the older spelling of ``channels=1`` (``mono=False``: ``"keep"``).

        Raises:
            FileNotFoundError: when ``path`` does not exist.
            InvalidInput: when ``path`` is a folder, or a file that cannot be decoded, naming it.
            InvalidArgument: for ``channels`` other than 1, 2 or "keep".
        """
        from augkit.audio.io import load, with_channels

        if Path(path).is_dir():
            raise InvalidInput(f"audio path {path} is a folder, not an audio file")
        return with_channels(load(path, sample_rate=sample_rate)[0], channels, mono, str(path))

    def load_bytes(self, data: bytes, name: str = "", sample_rate: int | None = 16000, channels: int | str = 1,
                   mono: bool | None = None, **options: Any) -> Any:
        """One clip from an encoded file in memory, as :meth:`load` reads a file (resampled likewise)."""
        from augkit.audio.io import load_bytes, with_channels

        return with_channels(load_bytes(data, name or "audio bytes", sample_rate=sample_rate)[0], channels, mono,
                             name or "audio bytes")

    def encode(self, view: Any, format: str | None = None, sample_rate: int = 16000,
               **context: Any) -> tuple[bytes, str]:
        """A clip as float32 WAV (the default, lossless) or 24-bit FLAC (clipped to [-1, 1]), with
        ``sample_rate`` (the generator's, from :meth:`context`) in its header."""
        import soundfile as sf

        from augkit.core.args import SampleRate

        fmt = self.check_format(format)
        rate = SampleRate()(sample_rate, "sample_rate")
        data = self.check(view).detach().cpu().numpy().T
        if fmt == "flac":
            data = np.clip(data, -1.0, 1.0)
        container, subtype = _SUBTYPES[fmt]
        buf = io.BytesIO()
        sf.write(buf, data, rate, format=container, subtype=subtype)
        return _without_timestamp(buf.getvalue()) if container == "WAV" else buf.getvalue(), fmt

    def decode(self, data: bytes, extension: str) -> Any:
        import soundfile as sf
        import torch

        self.check_format(extension)
        try:
            values, _ = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
        except (RuntimeError, sf.LibsndfileError) as exc:
            raise InvalidInput(f"cannot decode a stored {extension} audio view: {exc}") from None
        return torch.from_numpy(np.ascontiguousarray(values.T))

    def collate(self, items: Sequence[Any], pad_value: float = 0.0, **options: Any) -> Any:
        """Clips of one length stacked into ``[B, C, T]``; otherwise a :class:`augkit.core.batching.Padded`
        (``values [B, C, T_max]`` padded with ``pad_value``, each clip's ``lengths``, and ``mask``),
        in the clips' common dtype.

        Raises:
            InvalidInput: when clips have different channel counts (mono with stereo), naming the
                items and their counts; or what :func:`augkit.core.batching.collate_items` raises.
            InvalidArgument: for options other than ``pad_value``.

        Example:
            >>> modalities.get("audio").collate([torch.zeros(1, 8000), torch.zeros(1, 6000)]).mask.shape
            torch.Size([2, 8000])
        """
        from augkit.core.batching import by_items, collate_items

        if options:
            raise InvalidArgument(f"audio collate takes pad_value only; got {sorted(options)}")
        shapes = [getattr(x, "shape", None) for x in items]
        channels = [int(s[0]) if s is not None and len(s) == 2 else None for s in shapes]
        if len({c for c in channels if c is not None}) > 1:
            seen = by_items(channels, lambda c: "not a [channels, time] clip" if c is None else
                             f"{c} channel{'s' if c != 1 else ''}")
            raise InvalidInput(f"audio clips of one batch have different channel counts ({seen}): give every clip "
                               "one count: read files with channels=1 (the readers' default; --channels 1) or 2, or "
                               "mix clips in memory down yourself (clip.mean(0, keepdim=True))")
        return collate_items(items, pad_value=pad_value)

    render_options = ("sample_rate",)

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str:
        """An HTML fragment: the waveform, the log-mel spectrogram and a player for the clip.

        The two pictures are PNG data URIs (``<img class='waveform'>``, 256×64, and
        ``<img class='spectrogram'>``, :meth:`picture`'s 256×128) of the channel mean; the player is
        ``<audio controls preload='none'>`` holding the clip itself as float32 WAV (:meth:`encode`,
        every channel, lossless). The same view always gives the same fragment.

        Args:
            view: one clip (anything :meth:`check` accepts).
            params: the view's record (unused: the preview writes the caption).
            source: the clip the view came from (unused).
            **context: needs ``sample_rate`` (Hz), the generator's (:meth:`context`); on an
                original, ``view_params`` and ``view_items`` (its views' records and clips) mark on
                its waveform the segment each view was cropped from, in the view's colour
                (:func:`augkit.audio.render.crop_spans`).

        Returns:
            ``<div class='audio'>`` holding the two ``<img>`` and the ``<audio>``.

        Raises:
            InvalidArgument: when ``sample_rate`` is missing from the context or not a positive integer.

        Example:
            >>> html = modalities.get("audio").render(wav, sample_rate=16000)
        """
        from augkit.core.html import data_uri, png_uri

        rate = self._rate(context)
        wave = self.check(view)
        mono = channel_mean(wave)
        data, _ = self.encode(wave, "wav", sample_rate=rate)
        spans = crop_spans(context.get("view_params", ()), context.get("view_items"), mono.size,
                           context.get("crop_lengths"))
        return ("<div class='audio'>"
                f"<img class='waveform' alt='waveform' src='{png_uri(waveform_picture(mono, spans=spans))}'>"
                f"<img class='spectrogram' alt='log-mel spectrogram' src='{png_uri(spectrogram_picture(mono, rate))}'>"
                f"<audio class='view' controls preload='none' src='{data_uri(data, 'audio/wav')}'></audio></div>")

    def marked_views(self, view_params: Sequence[Any], **context: Any) -> list[int]:
        """The views whose cropped segment :meth:`render` marks on the original's waveform (a page's legend)."""
        return marked_views(view_params)

    def picture(self, view: Any, **context: Any) -> np.ndarray:
        """The clip's log-mel spectrogram as an RGB uint8 image ``128×256×3`` (for a PNG grid).

        64 mel bands (HTK scale, 0 Hz to Nyquist, low frequencies at the bottom, each band two
        rows high) over time squeezed or stretched into 256 columns; power in dB relative to the
        clip's loudest band, floored 80 dB below it, drawn with a viridis-like colour ramp (dark
        purple: quiet, yellow: loud; a silent clip is all dark). The STFT uses a Hann window of
        512 samples at 16 kHz (scaled with the rate) and a hop of a quarter window. Stereo clips
        show the mean of their channels.

        Args:
            view: one clip (anything :meth:`check` accepts).
            **context: ``sample_rate`` (Hz) sets the mel scale; without one, 16000 Hz is assumed
                for the frequency axis only (a grid needs no player).

        Returns:
            ``np.ndarray`` of shape ``(128, 256, 3)``, dtype uint8.

        Raises:
            InvalidArgument: for a ``sample_rate`` that is not a positive integer.

        Example:
            >>> modalities.get("audio").picture(wav, sample_rate=16000).shape
            (128, 256, 3)
        """
        rate = self._rate(context) if context.get("sample_rate") is not None else 16000
        return spectrogram_picture(channel_mean(self.check(view)), rate)

    def moved(self, source: Any, view: Any, params: Any = None, **context: Any) -> dict[str, float]:
        """How far a view moved from its source: ``{"snr_db": ...}`` and the nominal sizes of changes.

        ``snr_db`` is ``10·log10(Σ source² / Σ (view − source)²)`` over the source samples the view
        came from, capped to ±120 dB (an untouched segment gives ``{"unchanged": 1.0}`` instead). The ops that fired
        (:func:`augkit.core.composites.fired`) align the two: an ``audio.random_crop`` takes the segment
        at its ``offset`` with the view's length (zero-padded past the end, as the crop pads a short
        clip), an ``audio.time_shift`` moves it and only the samples present in both count (so a
        wrapped or silence-filled end is left out); without a crop the clips are compared from the
        start over their common length. A gain or added noise shows in the SNR, and a fired gain
        is also reported as ``gain_db`` (summed over gains).

        After an ``audio.time_stretch`` or ``audio.pitch_shift`` the samples no longer line up, so
        there is no ``snr_db``; ``stretch_rate`` (the product of the rates) and ``semitones`` (the
        drawn shifts, summed) are reported instead. Records of a pipeline that is a single op carry
        no op name; such an op is recognised by its record's keys.

        Args:
            source: the clip the view was made from (anything :meth:`check` accepts: float or int16,
                tensor or numpy; int16 is scaled by 1/32768 like everywhere else).
            view: the view, before the generator's output step.
            params: the view's record (``vg.generate(...).params[k]``), or None.
            **context: unused (accepted for the Modality protocol).

        Returns:
            A dict of floats, e.g. ``{"snr_db": 9.98}`` or ``{"gain_db": 3.2, "stretch_rate": 0.91}``.

        Raises:
            InvalidInput, WrongInputType: for a source or view that is not one clip.

        Example:
            >>> modalities.get("audio").moved(wav, view, made.params[0])
            {'snr_db': 12.96}
        """
        from augkit.core.composites import fired

        src = self.check(source).detach().cpu().double().numpy()
        out = self.check(view).detach().cpu().double().numpy()
        steps = [(op_kind(name, step), step) for name, step in fired(params)]
        found: dict[str, float] = {}
        gains = numbers(steps, "audio.gain", "gain_db")
        if gains:
            found["gain_db"] = float(sum(gains))
        rates = numbers(steps, "audio.time_stretch", "rate")
        semitones = numbers(steps, "audio.pitch_shift", "semitones")
        if rates:
            found["stretch_rate"] = float(np.prod(rates))
        if semitones:
            found["semitones"] = float(sum(semitones))
        if rates or semitones:
            return found
        ref, keep = aligned(src, steps, out.shape[-1])
        n = min(ref.shape[-1], out.shape[-1])
        ref, out, keep = ref[:, :n], out[:, :n], keep[:n]
        if ref.shape[0] != out.shape[0]:
            ref, out = ref.mean(axis=0, keepdims=True), out.mean(axis=0, keepdims=True)
        if keep.any():
            snr = snr_db(ref[:, keep], out[:, keep])
            # an untouched segment: said so, rather than a sentinel SNR that would top the summary
            found = {"unchanged": 1.0, **found} if snr >= SNR_CAP_DB else {"snr_db": snr, **found}
        return found

    def context(self, vg: Any) -> dict[str, Any]:
        """``{"sample_rate": r}``: the rate the generator's ops were built for, when one declares it;
        and ``"crop_lengths"``: each view's crop length in samples (None without a crop), which
        places a view's segment on the original even when a stretch changed the view's length."""
        from augkit.core.modalities import walk

        pipelines = list(getattr(vg, "pipelines", ()))
        lengths = [next((op.length for op in walk([p]) if getattr(op, "name", "") == "audio.random_crop"), None)
                   for p in pipelines]
        out: dict[str, Any] = {"crop_lengths": lengths} if any(n is not None for n in lengths) else {}
        for op in walk(pipelines):
            rate = op.arguments().get("sample_rate") if hasattr(op, "arguments") else None
            if isinstance(rate, int):
                return {"sample_rate": rate, **out}
        return out

    def _rate(self, context: dict[str, Any]) -> int:
        rate = context.get("sample_rate")
        if rate is None:
            raise InvalidArgument("showing audio needs its sample_rate (Hz): pass sample_rate=, or use a generator "
                                  "whose ops declare one")
        from augkit.core.args import SampleRate

        return int(SampleRate()(rate, "sample_rate"))

    def example(self) -> Any:
        """One second of a 220 Hz + 440 Hz tone at 16 kHz, ``[1, 16000]``."""
        import torch

        t = torch.arange(16000, dtype=torch.float32) / 16000
        return (0.3 * torch.sin(2 * torch.pi * 220 * t) + 0.1 * torch.sin(2 * torch.pi * 440 * t))[None]

    def examples(self) -> list[tuple[str, Any]]:
        tone = self.example()
        return [("typical", tone), ("mono [time]", tone[0].clone()), ("stereo", tone.repeat(2, 1)),
                ("numpy", tone.numpy().copy())]


def _without_timestamp(wav: bytes) -> bytes:
    """``wav`` with the time stamp of its ``PEAK`` chunk set to 0: libsndfile writes the current second
    there, which would make a view's bytes (a shard, a preview page) depend on when it was written."""
    out = bytearray(wav)
    at = 12  # after "RIFF", the size and "WAVE"
    while at + 8 <= len(out):
        size = int.from_bytes(out[at + 4 : at + 8], "little")
        if out[at : at + 4] == b"PEAK" and size >= 8:
            out[at + 12 : at + 16] = bytes(4)  # version (4 bytes), then the time stamp
        at += 8 + size + (size & 1)
    return bytes(out)


register(AudioModality())

"""The audio modality: float32 ``[channels, time]`` waveforms (torch), one clip or a batch.

Files are read with :func:`augkit.audio.load` (``sample_rate=`` resamples; ``mono=True`` averages
the channels, otherwise every channel is kept). Views are stored as float32 WAV by default
(lossless, and peaks above 1.0 after a gain survive) or as 24-bit FLAC (clipped to [-1, 1]).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from augkit.errors import InvalidArgument, InvalidInput
from augkit.modalities import BaseModality, register

__all__ = ["EXTENSIONS", "AudioModality"]

#: File suffixes :meth:`AudioModality.load` reads.
EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")
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

    def load(self, path: str | Path, sample_rate: int | None = None, mono: bool = False, **options: Any) -> Any:
        """One clip ``[channels, time]``, resampled to ``sample_rate`` when given (see :func:`augkit.audio.load`)."""
        from augkit.audio.io import load

        return load(path, sample_rate=sample_rate, mono=mono)[0]

    def encode(self, view: Any, format: str | None = None, sample_rate: int = 16000,
               **context: Any) -> tuple[bytes, str]:
        """A clip as float32 WAV (the default, lossless) or 24-bit FLAC (clipped to [-1, 1]), with
        ``sample_rate`` (the generator's, from :meth:`context`) in its header."""
        import soundfile as sf

        from augkit.args import SampleRate

        fmt = self.check_format(format)
        rate = SampleRate()(sample_rate, "sample_rate")
        data = self.check(view).detach().cpu().numpy().T
        if fmt == "flac":
            data = np.clip(data, -1.0, 1.0)
        container, subtype = _SUBTYPES[fmt]
        buf = io.BytesIO()
        sf.write(buf, data, rate, format=container, subtype=subtype)
        return buf.getvalue(), fmt

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
        """Clips of one length stacked into ``[B, C, T]``; otherwise a :class:`augkit.datasets.Padded`
        (padded with ``pad_value``, with each clip's length)."""
        from augkit.datasets import collate_items

        if options:
            raise InvalidArgument(f"audio collate takes pad_value only; got {sorted(options)}")
        return collate_items(items, pad_value=pad_value)

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str:
        rate = self._rate(context)
        data, _ = self.encode(view, "wav", sample_rate=rate)
        uri = "data:audio/wav;base64," + base64.b64encode(data).decode("ascii")
        return f"<audio class='view' controls preload='none' src='{html.escape(uri)}'></audio>"

    def picture(self, view: Any, **context: Any) -> np.ndarray:
        """The waveform drawn as an RGB image (one column per time slice, min to max)."""
        height, width = 96, 256
        wave = self.check(view).detach().cpu().numpy().mean(axis=0)
        edges = np.linspace(0, wave.size, width + 1).astype(int)
        canvas = np.full((height, width, 3), 255, np.uint8)
        canvas[height // 2] = 200
        peak = max(float(np.abs(wave).max()), 1e-9)
        for col in range(width):
            chunk = wave[edges[col]: max(edges[col + 1], edges[col] + 1)]
            if chunk.size == 0:
                continue
            top = int((1 - chunk.max() / peak) * (height - 1) / 2)
            bottom = int((1 - chunk.min() / peak) * (height - 1) / 2)
            canvas[top: bottom + 1, col] = (40, 90, 160)
        return canvas

    def context(self, vg: Any) -> dict[str, Any]:
        """``{"sample_rate": r}``: the rate the generator's ops were built for, when one declares it."""
        from augkit.modalities import walk

        for op in walk(getattr(vg, "pipelines", ())):
            rate = op.arguments().get("sample_rate") if hasattr(op, "arguments") else None
            if isinstance(rate, int):
                return {"sample_rate": rate}
        return {}

    def _rate(self, context: dict[str, Any]) -> int:
        rate = context.get("sample_rate")
        if rate is None:
            raise InvalidArgument("showing audio needs its sample_rate (Hz): pass sample_rate=, or use a generator "
                                  "whose ops declare one")
        from augkit.args import SampleRate

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


register(AudioModality())

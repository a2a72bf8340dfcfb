"""The spectrogram modality: float32 log-mel spectrograms ``[channels, mels, frames]`` (torch).

A generator of this modality takes waveforms or audio files through its input step
(:class:`augkit.spectrogram.LogMel`, which the spectrogram presets set), or log-mels already made
(``.npy`` files of float16 or float32, numpy arrays, tensors). It reads audio files when it is
chosen (a spectrogram preset, ``--modality spectrogram``), but never claims them: a folder of
``.wav`` files is audio unless the generator says otherwise.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from augkit.core.errors import InvalidArgument, InvalidInput
from augkit.core.modalities import BaseModality, register

__all__ = ["AUDIO_EXTENSIONS", "SpectrogramModality"]

#: Audio files it reads when chosen (never guessed: automatic detection gives them to audio).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")


class SpectrogramModality(BaseModality):
    """Ops see one log-mel, a float32 tensor ``[channels, mels, frames]``.

    Accepted (:func:`augkit.spectrogram._form.as_spectrogram`): float16/32/64 tensors or numpy arrays
    ``[mels, frames]`` or ``[channels, mels, frames]``; an op's result goes back in the caller's
    layout (numpy in, numpy float32 out) and never shares memory with the input.
    """

    name = "spectrogram"
    extensions = (".npy", *AUDIO_EXTENSIONS)
    formats = ("npy", "npy16")
    libraries = ("torchaudio", "soundfile")
    ops_modules = ("augkit.spectrogram",)
    render_options = ("sample_rate", "hop")
    guessed = False  # a float array or a WAV is a spectrogram only when a generator says so

    def check(self, x: Any, **options: Any) -> Any:
        """One log-mel as a float32 tensor ``[channels, mels, frames]`` (``[mels, frames]`` gets one channel).

        Raises:
            InvalidInput: for a batch, a waveform (1-D), an empty axis or NaN/inf values.
            WrongInputType: for another type or an integer dtype (the message names the input step).
        """
        from augkit.spectrogram._form import as_spectrogram

        return as_spectrogram(x, "spectrogram input")[0]

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        from augkit.spectrogram._form import as_spectrogram

        value, layout = as_spectrogram(x, f"{where} input")
        return value, False, (layout, value.untyped_storage().data_ptr())

    def leave(self, y: Any, ctx: Any) -> Any:
        from augkit.spectrogram._form import restore

        layout, ptr = ctx
        if y.untyped_storage().data_ptr() == ptr:
            y = y.clone()  # an op that did not fire: never hand out the input's memory
        return restore(y, layout)

    def stack(self, items: Sequence[Any], where: str) -> Any:
        import torch

        shapes = sorted({tuple(item.shape) for item in items})
        if len(shapes) != 1:
            raise InvalidInput(f"{where} would give a ragged batch (shapes {shapes}): crop the log-mels to one "
                               "number of frames first (augkit.spectrogram.RandomCrop)")
        return torch.stack(list(items))

    def load(self, path: str | Path, sample_rate: int | None = 16000, **options: Any) -> Any:
        """A ``.npy`` log-mel (float16 or float32, no pickles) as a tensor, or an audio file as its waveform
        ``[channels, time]`` at ``sample_rate`` (the generator's input step makes the log-mel).

        Raises:
            FileNotFoundError: when ``path`` does not exist.
            InvalidInput: for a folder, a file that cannot be decoded, or an array that is not a log-mel.
        """
        import torch

        p = Path(path)
        if p.is_dir():
            raise InvalidInput(f"spectrogram path {path} is a folder, not a file")
        if p.suffix.lower() in AUDIO_EXTENSIONS:
            from augkit.audio.io import load

            return load(p, sample_rate=sample_rate)[0]
        if not p.exists():
            from augkit.core.errors import MissingFile

            raise MissingFile(f"spectrogram file {path} does not exist")
        try:
            array = np.load(p, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise InvalidInput(f"{path} is not a .npy array without pickles: {exc}") from None
        return self.check(torch.from_numpy(np.ascontiguousarray(array)))

    def encode(self, view: Any, format: str | None = None, **context: Any) -> tuple[bytes, str]:
        """A log-mel as ``.npy``: float32 (``"npy"``, the default, lossless) or float16 (``"npy16"``,
        half the bytes, about 3 significant digits). No pickles either way."""
        fmt = self.check_format(format)
        data = self.check(view).detach().cpu().numpy()
        buf = io.BytesIO()
        np.save(buf, data.astype(np.float16) if fmt == "npy16" else data, allow_pickle=False)
        return buf.getvalue(), "npy"

    def decode(self, data: bytes, extension: str) -> Any:
        import torch

        self.check_format(extension)
        try:
            array = np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise InvalidInput(f"cannot decode a stored spectrogram view: {exc}") from None
        return self.check(torch.from_numpy(np.ascontiguousarray(array)))

    def collate(self, items: Sequence[Any], pad_value: float = 0.0, **options: Any) -> Any:
        """Log-mels of one shape stacked into ``[B, C, M, T]``; otherwise (frames differ) a
        :class:`augkit.core.batching.Padded`: ``values [B, C, M, T_max]`` padded with ``pad_value``,
        each view's ``lengths`` in frames, and ``mask``.

        Raises:
            InvalidInput: when views differ in channels or mel bands (naming the shapes).
            InvalidArgument: for options other than ``pad_value``.
        """
        from augkit.core.batching import collate_items

        if options:
            raise InvalidArgument(f"spectrogram collate takes pad_value only; got {sorted(options)}")
        heads = sorted({tuple(getattr(x, "shape", (None,))[:-1]) for x in items}, key=str)
        if len(heads) > 1:
            raise InvalidInput(f"log-mels of one batch differ in [channels, mels] ({heads}): make them with one "
                               "LogMel step (one n_mels) and one channel count")
        return collate_items(items, pad_value=pad_value)

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str:
        """An HTML fragment: the log-mel as a heat map (``<img class='spectrogram'>``, :meth:`picture`)."""
        from augkit.core.html import png_uri

        shape = "×".join(str(n) for n in self.check(view).shape)
        return (f"<div class='spectrogram'><img class='spectrogram' alt='log-mel spectrogram {shape}' "
                f"src='{png_uri(self.picture(view))}'></div>")

    def picture(self, view: Any, **context: Any) -> np.ndarray:
        """The log-mel as an RGB uint8 heat map ``128×256×3``: low bands at the bottom, frames squeezed or
        stretched into 256 columns, the channel mean coloured from its minimum (dark purple) to its
        maximum (yellow) with a viridis-like ramp. A constant log-mel is all dark."""
        from augkit.spectrogram.render import heat_map

        return heat_map(self.check(view).mean(0).numpy())

    def moved(self, source: Any, view: Any, params: Any = None, **context: Any) -> dict[str, float]:
        """How far a view moved from its source: ``{"mean_abs_diff": ..., "changed": ...}`` over their
        common ``[channels, mels, frames]`` corner: the mean absolute difference (natural-log units of
        power: 1 is 4.34 dB) and the fraction of cells that differ by more than 1e-4. A crop or a
        resize changes most cells; masks change only theirs."""
        src, out = self.check(source), self.check(view)
        c, m, t = (min(a, b) for a, b in zip(src.shape, out.shape, strict=True))
        diff = (out[:c, :m, :t].double() - src[:c, :m, :t].double()).abs()
        return {"mean_abs_diff": float(diff.mean()), "changed": float((diff > 1e-4).double().mean())}

    def context(self, vg: Any) -> dict[str, Any]:
        """``{"sample_rate": r, "hop": h}`` of the generator's input step, when it declares them."""
        step = getattr(vg, "input", None)
        return {k: getattr(step, k) for k in ("sample_rate", "hop") if isinstance(getattr(step, k, None), int)}

    def input(self, spec: Mapping[str, Any] | None) -> Any:
        """The input step a spec names: ``{"type": "log_mel", "sample_rate": 16000, ...}`` (a :class:`LogMel`)."""
        if spec is None:
            return None
        from augkit.spectrogram.logmel import LogMel

        return LogMel.from_spec(spec)

    def example(self) -> Any:
        """The log-mel (BYOL-A's front end: 64 bands, 60–7800 Hz, n_fft 1024, hop 160) of one second of a
        220 Hz + 440 Hz tone at 16 kHz: ``[1, 64, 101]``."""
        import torch

        from augkit.spectrogram.logmel import LogMel

        t = torch.arange(16000, dtype=torch.float32) / 16000
        tone = 0.3 * torch.sin(2 * torch.pi * 220 * t) + 0.1 * torch.sin(2 * torch.pi * 440 * t)
        return LogMel(16000, 1024, 160, 64, 60, 7800)(tone[None])

    def examples(self) -> list[tuple[str, Any]]:
        lms = self.example()
        return [("typical", lms), ("[mels, frames]", lms[0].clone()), ("stereo", lms.repeat(2, 1, 1)),
                ("numpy", lms.numpy().copy()), ("float16 numpy", lms.numpy().astype(np.float16)),
                ("short", lms[:, :, :12].clone())]


register(SpectrogramModality())

"""Recordings an op draws from (impulse responses, short noises): paths checked at construction and
read when first used, or waveforms, kept per process and never pickled decoded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from augkit.audio._waveform import as_waveform
from augkit.core.errors import (
    AugkitTypeError,
    AugkitValueError,
    InvalidArgument,
    InvalidParams,
    MissingFile,
    WrongArgumentType,
)

__all__ = ["Recordings", "checker"]


def checker(what: str) -> Callable[[Any, str], list[str | torch.Tensor]]:
    """A ``Value`` test for a non-empty list of audio file paths and/or waveforms, naming ``what`` they are."""

    def check(value: Any, name: str) -> list[str | torch.Tensor]:
        if isinstance(value, (str, Path, torch.Tensor, np.ndarray)) or not isinstance(value, Sequence):
            raise WrongArgumentType(f"{name} must be a non-empty list of audio file paths and/or waveforms ({what}), "
                                    f"got {type(value).__name__}; wrap one recording in a list")
        if len(value) == 0:
            raise InvalidArgument(f"{name} must be a non-empty list of audio file paths and/or waveforms ({what}), "
                                  "got []")
        out: list[str | torch.Tensor] = []
        for i, src in enumerate(value):
            where = f"{name}[{i}]"
            if isinstance(src, (str, Path)):
                out.append(_check_file(Path(src), where, what))
                continue
            try:
                wav, layout = as_waveform(src, name=where)
            except AugkitTypeError as exc:
                raise WrongArgumentType(str(exc)) from None
            except AugkitValueError as exc:
                raise InvalidArgument(str(exc)) from None
            if layout.batched:
                raise InvalidArgument(f"{where} must be one recording [time] or [channels, time], "
                                      f"got shape {tuple(wav.shape)}")
            out.append(wav[0].detach().clone())
        return out

    return check


def _check_file(path: Path, where: str, what: str) -> str:
    import soundfile as sf

    if not path.is_file():
        raise MissingFile(f"{where}: {what} {path} does not exist")
    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise InvalidArgument(f"{where}: {what} {path} is not a readable audio file (WAV, FLAC, OGG or MP3): "
                              f"{exc}") from None
    if info.frames == 0:
        raise InvalidArgument(f"{where}: {what} {path} holds no samples")
    return str(path)


class Recordings:
    """The decoded recordings of a list of sources at ``sample_rate``, read once per process."""

    def __init__(self, sources: list[str | torch.Tensor], sample_rate: int, owner: str) -> None:
        self.sources, self.sample_rate, self.owner = sources, sample_rate, owner
        self._loaded: dict[int, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, i: int) -> torch.Tensor:
        if not 0 <= i < len(self.sources):
            raise InvalidParams(f"{self.owner} params['source']={i} is out of range for {len(self.sources)} sources; "
                                "pass the record sample() drew")
        if i not in self._loaded:
            src = self.sources[i]
            if isinstance(src, str):
                from augkit.audio.io import load

                src = load(src, sample_rate=self.sample_rate)[0]
            self._loaded[i] = src
        return self._loaded[i]

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_loaded": {}}  # decoded files are read again in a worker, not pickled

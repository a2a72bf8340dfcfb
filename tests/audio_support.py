"""Shared inputs of the audio tests: real synthesized speech and the bundled clips."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import torch

SR = 16000
DATA = Path(__file__).resolve().parent.parent / "data" / "audio"
SENTENCE = "Two random segments of one recording make a positive pair for contrastive learning."


@lru_cache(maxsize=1)
def speech() -> torch.Tensor:
    """Real English speech ``[1, time]`` at 16 kHz, synthesized by espeak-ng (CI installs it).

    Without espeak-ng the bundled clip data/audio/speech_contrastive.flac (made the same way)
    stands in, so the tests still run on real speech.
    """
    from augkit import audio

    if shutil.which("espeak-ng") is None:
        return audio.load(DATA / "speech_contrastive.flac", sample_rate=SR, mono=True)[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), SENTENCE], check=True, capture_output=True)
        return audio.load(path, sample_rate=SR, mono=True)[0]


def snr_db(clean: torch.Tensor, noisy: torch.Tensor) -> float:
    """The measured SNR of ``noisy`` against ``clean`` over all samples, in dB."""
    noise = (noisy.double() - clean.double())
    return 10.0 * torch.log10(clean.double().pow(2).mean() / noise.pow(2).mean()).item()

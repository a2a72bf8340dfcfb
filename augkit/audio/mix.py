"""Mix: add a partner clip at a drawn SNR, the partner drawn from the stream and recorded by index."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from augkit.audio._records import bounded
from augkit.audio._waveform import fit
from augkit.audio.noise import mix_at_snr
from augkit.core import Mixing, Params, uniform
from augkit.core.args import Arg, Probability, Range
from augkit.core.registry import register

__all__ = ["Mix"]

_SNR_DB = (-40.0, 80.0)


@register
class Mix(Mixing):
    """Add another sample of the source (the partner) at an SNR drawn uniformly from ``snr_db``.

    The partner ``j`` is drawn from the sample's own stream and reaches the op through the view's
    pipeline up to it, with its own streams (:mod:`augkit.core.mixing`): the same view whatever
    the batch size or the workers, and a record that replays given sample ``j``. Mixing within a
    batch, as torch-audiomentations' unfinished ``Mix`` does (its issue #177), gives each clip the
    neighbour its batch happens to hold. The partner is cropped or zero-padded to the clip's
    length (a crop to one length before the op keeps both whole), then scaled so that
    ``10·log10(P_clip / P_partner) = snr_db`` over all channels (:func:`augkit.audio.mix_at_snr`);
    a silent clip or partner leaves the clip unchanged.

    Args:
        snr_db: SNR of the clip over the partner in dB, or a ``(min, max)`` range, within [-40, 80].
        p: probability of mixing.

    Record: ``{"applied": True, "partner": j, "stage": [...], "snr_db": float}``.

    Raises:
        InvalidArgument: for a range outside [-40, 80] dB or with min > max.
        InvalidInput: when the partner has another number of channels.

    Example:
        >>> ViewGenerator(Compose([RandomCrop(1.0, 16000), Mix(snr_db=(0, 10))]), source=clips, seed=0)
    """

    name = "audio.mix"
    modality = "audio"
    args = (Arg("snr_db", Range(*_SNR_DB), (0.0, 20.0), "SNR of the clip over the partner, in dB"),
            Arg("p", Probability(), 1.0, "probability of mixing"))
    drawn = {**Mixing.drawn, "snr_db": float}
    snr_db: tuple[float, float]

    def draw_mix(self, x: Any, rng: np.random.Generator) -> Params:
        return {"snr_db": uniform(rng, self.snr_db)}

    def mix(self, x: torch.Tensor, partner: torch.Tensor, params: Params) -> torch.Tensor:
        from augkit.core.errors import InvalidInput

        if partner.shape[0] != x.shape[0]:
            raise InvalidInput(f"Mix: partner {params['partner']} has {partner.shape[0]} channels and the clip "
                               f"{x.shape[0]}; read the clips with one channel count (the readers' channels=1)")
        partner = fit(partner.to(x.device), x.shape[-1])
        return mix_at_snr(x, partner, float(bounded(params, "snr_db", *_SNR_DB, self)))

"""audio.Mix: a partner clip at a drawn SNR, drawn by index, the same through generate and generate_batch."""

from __future__ import annotations

import math

import pytest
import torch

from augkit import Compose, ViewGenerator
from augkit.audio import Mix, RandomCrop
from augkit.core.errors import InvalidInput


def _clips(n: int = 6, length: int = 8000, channels: int = 1) -> list[torch.Tensor]:
    return [torch.randn(channels, length + 100 * i, generator=torch.Generator().manual_seed(i)) * (0.1 + 0.05 * i)
            for i in range(n)]


def test_the_partner_is_added_at_the_recorded_snr() -> None:
    clips = _clips()
    vg = ViewGenerator(Compose([RandomCrop(0.25, 16000), Mix(snr_db=(0, 10))]), n_views=2, seed=3, source=clips)
    view = vg.generate(clips[2], index=2)
    for k in range(2):
        record = view.params[k]["ops"][1]["params"]
        j = record["partner"]
        assert j != 2 and 0 <= record["snr_db"] <= 10
        crop = view.params[k]["ops"][0]["params"]["offset"]
        clean = clips[2][:, crop : crop + 4000]
        partner = clips[j][:, record["stage"][0]["offset"] : record["stage"][0]["offset"] + 4000]
        added = view.items[k] - clean
        scale = float(added.norm() / partner.norm())  # the partner, scaled
        assert torch.allclose(added, partner * scale, atol=1e-5)
        snr = 10 * math.log10(float(clean.square().sum()) / float(added.square().sum()))
        assert snr == pytest.approx(record["snr_db"], abs=1e-3)


def test_generate_batch_equals_generate_and_replay_needs_the_partner() -> None:
    clips = _clips()
    vg = ViewGenerator(Compose([RandomCrop(0.25, 16000), Mix(snr_db=(0, 10))]), n_views=2, seed=1, source=clips)
    made = vg.generate_batch(clips, list(range(6)), epoch=2)
    for i, clip in enumerate(clips):
        view = vg.generate(clip, index=i, epoch=2)
        assert made.params[i] == view.params
        assert all(torch.allclose(made.items[k][i], view.items[k], atol=1e-6) for k in range(2))
    bare = ViewGenerator(vg.pipelines, seed=1)
    view = vg.generate(clips[0], index=0)
    j = view.params[0]["ops"][1]["params"]["partner"]
    assert torch.equal(bare.replay(clips[0], view.params, source=clips)[0], view.items[0])
    with pytest.raises(ValueError, match=f"sample {j}"):
        bare.replay(clips[0], [view.params[0], view.params[0]], partners={})


def test_a_partner_with_other_channels_is_refused() -> None:
    clips = [_clips(1)[0], _clips(1, channels=2)[0]]
    vg = ViewGenerator(Mix(snr_db=5), n_views=1, seed=0, source=clips)
    with pytest.raises(InvalidInput, match="channels"):
        vg.generate(clips[0], index=0)

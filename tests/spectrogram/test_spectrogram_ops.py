"""What each spectrogram op does to a real log-mel (espeak-ng speech): values against an independent
reference (BYOL-A's algorithms written out here with F.interpolate and torch.linspace), the
distributions of the draws, the caps SpecAugment states, and the errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from audio_support import speech
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from augkit import spectrogram as S
from augkit.core.errors import InvalidArgument, InvalidInput, InvalidParams, WrongInputType
from augkit.core.mixing import Pool, partners
from augkit.core.streams import stream

LOG_MEL = S.LogMel(16000, 1024, 160, 64, 60, 7800)


@pytest.fixture(scope="module")
def lms() -> torch.Tensor:
    return LOG_MEL(speech())  # [1, 64, frames] of a real sentence


def _records(op, x, n=2000):
    return [op.sample(x, stream(7, 0, i, 0)) for i in range(n)]


def _spans(y: torch.Tensor, x: torch.Tensor, axis: int) -> torch.Tensor:
    """Which cells along ``axis`` changed (any cell of the row or column)."""
    changed = (y != x)
    other = tuple(d for d in range(3) if d != axis)
    return changed.any(dim=other[0]).any(dim=other[1] - 1) if axis != 0 else changed


@pytest.mark.parametrize("policy", ["LB", "LD", "SM", "SS"])
def test_masks_never_exceed_their_widths_and_counts(lms: torch.Tensor, policy: str) -> None:
    _, f, m_f, t, p, m_t = S.SPECAUGMENT_POLICIES[policy]
    freq, time = S.FrequencyMask(f, m_f), S.TimeMask(t, m_t, p)
    frames = lms.shape[-1]
    for i in range(300):
        rf, rt = freq.sample(lms, stream(1, 0, i, 0)), time.sample(lms, stream(1, 0, i, 1))
        assert len(rf["masks"]) == m_f and len(rt["masks"]) == m_t
        assert all(0 <= w <= f and 0 <= s and s + w <= 64 for s, w in rf["masks"])
        assert all(0 <= w <= min(t, int(p * frames)) and s + w <= frames for s, w in rt["masks"])
        y = freq.apply(lms, rf)
        rows = (y != lms)[0].any(dim=1)  # the mel rows a mask touched
        assert int(rows.sum()) <= f * m_f
        z = time.apply(lms, rt)
        cols = (z != lms)[0].any(dim=0)
        assert int(cols.sum()) <= min(t, int(p * frames)) * m_t


def test_mask_widths_and_starts_are_uniform(lms: torch.Tensor) -> None:
    op = S.FrequencyMask(max_width=27, count=1)
    records = _records(op, lms)
    widths = np.array([r["masks"][0][1] for r in records])
    counts = np.bincount(widths, minlength=28)
    assert widths.max() <= 27 and counts.size == 28
    assert stats.chisquare(counts).pvalue > 1e-3  # uniform over {0, ..., F}, the paper's f ~ U[0, F]
    # the start is uniform over {0, ..., 64 - f}: its position divided by the room it had is U(0, 1)
    rel = np.array([(r["masks"][0][0] + 0.5) / (64 - r["masks"][0][1] + 1) for r in records])
    assert stats.kstest(rel, "uniform").pvalue > 1e-3


def test_time_mask_is_capped_by_the_fraction_of_frames(lms: torch.Tensor) -> None:
    frames = lms.shape[-1]
    op = S.TimeMask(max_width=10_000, count=1, max_time_fraction=0.2)
    widths = [r["masks"][0][1] for r in _records(op, lms, 500)]
    assert max(widths) <= int(0.2 * frames) and max(widths) >= int(0.2 * frames) - 3


def test_mask_fill_is_the_mean_or_zero(lms: torch.Tensor) -> None:
    rec = {"applied": True, "masks": [[5, 10]]}
    y = S.FrequencyMask(27, 1).apply(lms, rec)
    assert torch.equal(y[0, 5:15], torch.full_like(y[0, 5:15], float(lms.mean())))
    assert torch.equal(y[0, :5], lms[0, :5]) and torch.equal(y[0, 15:], lms[0, 15:])
    z = S.TimeMask(100, 1, fill="zero").apply(lms, rec)
    assert torch.equal(z[..., 5:15], torch.zeros_like(z[..., 5:15])) and torch.equal(z[..., 15:], lms[..., 15:])


def test_time_warp_resamples_each_side_of_the_warp_point(lms: torch.Tensor) -> None:
    op = S.TimeWarp(max_warp=40)
    frames = lms.shape[-1]
    for i in range(50):
        r = op.sample(lms, stream(3, 0, i, 0))
        c, w = r["center"], r["warp"]
        assert abs(w) <= 40 and 1 <= c + w < frames
        y = op.apply(lms, r)
        # each side is F.interpolate(linear) of its side of the input
        left = F.interpolate(lms[..., :c], size=c + w, mode="linear", align_corners=False)
        right = F.interpolate(lms[..., c:], size=frames - c - w, mode="linear", align_corners=False)
        # F.interpolate computes source positions in float32 (here float64): within 1e-3 where frames jump
        torch.testing.assert_close(y, torch.cat([left, right], -1), atol=1e-3, rtol=0)


def test_time_warp_window_shrinks_on_short_inputs() -> None:
    short = torch.randn(1, 8, 9)
    op = S.TimeWarp(max_warp=80)
    for i in range(100):
        r = op.sample(short, stream(0, 0, i, 0))
        assert 1 <= r["center"] + r["warp"] < 9 and abs(r["warp"]) <= 3
    assert op.sample(torch.randn(1, 8, 3), stream(0, 0, 0, 0)) == {"applied": False}


def _byol_a_resize_crop(x: torch.Tensor, box: dict, scale=(1.0, 1.5)) -> torch.Tensor:
    """BYOL-A's RandomResizeCrop.forward (byol_a/augmentations.py) with a given box."""
    c, h, w = x.shape
    area = torch.zeros((c, int(h * scale[0]), int(w * scale[1])))
    lh, lw = area.shape[-2:]
    area[:, (lh - h) // 2:(lh - h) // 2 + h, (lw - w) // 2:(lw - w) // 2 + w] = x
    i, j, bh, bw = box["top"], box["left"], box["height"], box["width"]
    crop = area[:, i:i + bh, j:j + bw]
    return F.interpolate(crop[None], size=(h, w), mode="bicubic", align_corners=True)[0]


def test_random_resize_crop_matches_byol_a(lms: torch.Tensor) -> None:
    x = (lms[..., :96] - lms.mean()) / lms.std()  # a normalised 0.95 s log-mel, as BYOL-A crops
    op = S.RandomResizeCrop()
    for i in range(40):
        r = op.sample(x, stream(5, 0, i, 0))
        assert 1 <= r["height"] <= 64 and 1 <= r["width"] <= 144
        assert int(0.6 * 64) <= r["height"] and int(0.6 * 96) <= r["width"]
        torch.testing.assert_close(op.apply(x, r), _byol_a_resize_crop(x, r), atol=1e-4, rtol=0)


def test_random_linear_fader_adds_byol_a_v2s_line(lms: torch.Tensor) -> None:
    op = S.RandomLinearFader(gain=1.0)
    heads = []
    for i in range(400):
        r = op.sample(lms, stream(2, 0, i, 0))
        heads += [r["head"], r["tail"]]
        if i < 5:
            line = torch.linspace(r["head"], r["tail"], lms.shape[-1])
            torch.testing.assert_close(op.apply(lms, r), lms + line, atol=1e-5, rtol=0)
    assert stats.kstest(heads, "uniform", args=(-1, 2)).pvalue > 1e-3


def test_mixup_log_exp_is_byol_as_formula_with_a_uniform_ratio(lms: torch.Tensor) -> None:
    x, z = lms[..., :96].clone(), lms[..., 100:196].clone()
    op = S.MixupLogExp(max_ratio=0.4)
    ratios = []
    with partners(Pool([z])):
        for i in range(300):
            r = op.sample(x, stream(4, 0, i, 0))
            ratios.append(r["ratio"])
        y = op.apply(x, r)
    lam = r["ratio"]
    want = torch.log((1 - lam) * x.exp() + lam * z.exp() + torch.finfo(torch.float32).eps)  # log_mixup_exp(x, z, 1-λ)
    torch.testing.assert_close(y, want)
    assert max(ratios) <= 0.4 and stats.kstest(ratios, "uniform", args=(0, 0.4)).pvalue > 1e-3


def test_mixup_refuses_a_partner_of_other_mels(lms: torch.Tensor) -> None:
    with partners(Pool([torch.zeros(1, 32, 96)])), pytest.raises(InvalidInput, match="partner 0"):
        S.MixupLogExp(0.4)(lms[..., :96])


def test_random_crop_takes_frames_and_pads_short_inputs_at_both_ends(lms: torch.Tensor) -> None:
    op = S.RandomCrop(frames=96)
    offsets = [op.sample(lms, stream(6, 0, i, 0))["offset"] for i in range(500)]
    assert min(offsets) >= 0 and max(offsets) <= lms.shape[-1] - 96
    short = lms[..., :40]
    y = op(short)
    assert y.shape == (1, 64, 96)
    assert torch.equal(y[..., 28:68], short)  # 56 padding frames, 28 before
    assert torch.equal(y[..., :28], torch.full_like(y[..., :28], float(short.min())))
    z = S.RandomCrop(96, pad_value=S.SILENCE)(short)
    assert float(z[0, 0, 0]) == pytest.approx(np.log(np.finfo(np.float32).eps))


def test_ops_keep_the_callers_layout(lms: torch.Tensor) -> None:
    for op in (S.TimeMask(20), S.RandomResizeCrop(), S.TimeWarp(10)):
        y = op(lms[0].numpy())
        assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (64, lms.shape[-1])


def test_argument_and_record_errors(lms: torch.Tensor) -> None:
    with pytest.raises(InvalidArgument, match="max_time_fraction"):
        S.TimeMask(10, 1, max_time_fraction=1.5)
    with pytest.raises(InvalidArgument, match="fill"):
        S.FrequencyMask(10, fill="noise")
    with pytest.raises(InvalidArgument, match="interpolation"):
        S.RandomResizeCrop(interpolation="nearest")
    with pytest.raises(InvalidArgument, match="max_ratio"):
        S.MixupLogExp(1.5)
    with pytest.raises(InvalidArgument, match="pad_value"):
        S.RandomCrop(96, pad_value=float("nan"))
    with pytest.raises(InvalidParams, match="masks"):
        S.FrequencyMask(10).apply(lms, {"applied": True, "masks": [[60, 10]]})
    with pytest.raises(InvalidParams, match="masks"):
        S.FrequencyMask(10).apply(lms, {"applied": True, "masks": [[0, 11]]})
    with pytest.raises(InvalidParams, match="center"):
        S.TimeWarp(5).apply(lms, {"applied": True, "center": 10, "warp": 6})
    with pytest.raises(InvalidParams, match="box"):
        S.RandomResizeCrop().apply(lms, {"applied": True, "top": 10, "left": 0, "height": 64, "width": 5})
    with pytest.raises(InvalidParams, match="head"):
        S.RandomLinearFader(0.5).apply(lms, {"applied": True, "head": 0.7, "tail": 0.0})
    with pytest.raises(WrongInputType, match="LogMel"):
        S.TimeMask(10)("speech.wav")
    with pytest.raises(InvalidInput, match="waveform"):
        S.TimeMask(10)(torch.zeros(16000))
    with pytest.raises(InvalidInput, match="NaN"):
        S.TimeMask(10)(torch.full((1, 4, 4), float("nan")))


@settings(max_examples=60, deadline=None)
@given(mels=st.integers(1, 40), frames=st.integers(1, 120), width=st.integers(0, 50), count=st.integers(0, 4),
       fraction=st.floats(0, 1), seed=st.integers(0, 2**32))
def test_masked_cells_never_exceed_the_caps(mels: int, frames: int, width: int, count: int, fraction: float,
                                            seed: int) -> None:
    x = torch.arange(mels * frames, dtype=torch.float32).reshape(1, mels, frames) + 1.0  # no cell equals the fill
    y = S.TimeMask(width, count, fraction, fill="zero").augment(x, stream(seed, 0, 0, 0))[0]
    assert int((y == 0)[0].any(dim=0).sum()) <= min(width, int(np.floor(fraction * frames)), frames) * count
    z = S.FrequencyMask(width, count, fill="zero").augment(x, stream(seed, 0, 0, 1))[0]
    assert int((z == 0)[0].any(dim=1).sum()) <= min(width, mels) * count

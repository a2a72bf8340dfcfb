"""Waveform input conventions shared by every audio op: layouts, dtypes, bad input, edge cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from audio_support import DATA, SR, speech

from augkit import audio
from augkit.audio._waveform import Layout, as_waveform, fit, restore
from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType

MY_OPS = [
    audio.Gain(),
    audio.AddNoise(color="pink"),
    audio.TimeShift(),
    audio.RandomCrop(0.01, SR),
    audio.AddBackgroundNoise.example(),
]


@pytest.mark.parametrize(
    ("shape", "ndim", "batched"),
    [((100,), 1, False), ((2, 100), 2, False), ((3, 2, 100), 3, True)],
)
def test_layouts_become_batch_channels_time_and_come_back(shape: tuple[int, ...], ndim: int, batched: bool) -> None:
    x = torch.randn(shape)
    wav, layout = as_waveform(x)
    assert wav.shape == (1,) * (3 - len(shape)) + shape
    assert layout == Layout(ndim=ndim, numpy=False, batched=batched)
    assert torch.equal(restore(wav, layout), x)
    back = restore(wav, as_waveform(x.numpy())[1])
    assert isinstance(back, np.ndarray) and back.dtype == np.float32 and back.shape == shape


def test_dtypes_int16_scaled_float64_narrowed_float32_kept() -> None:
    pcm = np.array([-32768, -16384, 0, 16384, 32767], dtype=np.int16)
    wav, _ = as_waveform(pcm)
    np.testing.assert_array_equal(wav[0, 0].numpy(), pcm / np.float32(32768))
    assert as_waveform(torch.from_numpy(pcm))[0].dtype == torch.float32
    wav64, _ = as_waveform(np.array([0.25, -0.5]))
    assert wav64.dtype == torch.float32 and wav64.flatten().tolist() == [0.25, -0.5]
    big_endian = np.array([0.25, -0.5], dtype=">f4")
    assert as_waveform(big_endian)[0].flatten().tolist() == [0.25, -0.5]
    x = torch.randn(1, 50)
    assert as_waveform(x)[0].data_ptr() == x.data_ptr()  # float32 is not copied
    read_only = np.frombuffer(pcm.tobytes(), dtype=np.int16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "non-writable array" warning from torch
        np.testing.assert_array_equal(audio.Gain(0.0)(read_only), pcm / np.float32(32768))


def test_int16_numpy_in_gives_float32_numpy_out() -> None:
    pcm = (np.sin(np.arange(1600) / 5) * 16000).astype(np.int16)
    y = audio.Gain(0.0)(pcm)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (1600,)
    np.testing.assert_allclose(y, pcm / 32768.0, atol=1e-7)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (torch.zeros(0), InvalidInput, "empty"),
        (np.zeros((2, 0), dtype=np.float32), InvalidInput, "empty"),
        (torch.tensor([0.1, float("nan")]), InvalidInput, "NaN"),
        (torch.tensor([[0.1, float("inf")]]), InvalidInput, "NaN or inf"),
        (np.array([-np.inf, 0.0]), InvalidInput, "NaN or inf"),
        (np.zeros(10, dtype=np.int32), WrongInputType, "dtype int32.*accepted: a float32, float64 or int16"),
        (torch.zeros(10, dtype=torch.float16), WrongInputType, "dtype torch.float16"),
        (torch.zeros(1, 1, 1, 10), InvalidInput, r"shape \(1, 1, 1, 10\)"),
        (torch.tensor(0.5), InvalidInput, r"shape \(\)"),
        ([0.1, 0.2], WrongInputType, "type list"),
    ],
)
@pytest.mark.parametrize("op", MY_OPS, ids=lambda op: op.name)
def test_bad_input_is_refused_by_every_op(op: audio.Gain, bad: object, error: type[Exception], message: str) -> None:
    # the message names the op; the augkit errors are also ValueError / TypeError
    with pytest.raises(error, match=f"{type(op).__name__} input .*{message}"):
        op(bad, np.random.default_rng(0))
    with pytest.raises(error, match=message):
        op.apply(bad, {"applied": False})  # checked even when the op would not fire


def test_huge_but_finite_samples_are_accepted() -> None:
    x = torch.full((1, 8), 3e38)  # the sum overflows to inf, the samples do not
    assert as_waveform(x)[0].shape == (1, 1, 8)


@pytest.mark.parametrize("good", [16000, 8000.0, np.int64(44100), np.float32(22050)])
def test_sample_rates_accepted(good: object) -> None:
    for op in (audio.RandomCrop(1.0, sample_rate=good), audio.PitchShift(2, sample_rate=good),  # type: ignore[arg-type]
               audio.AddBackgroundNoise([torch.ones(10)], sample_rate=good)):  # type: ignore[arg-type]
        assert op.sample_rate == int(good) and type(op.sample_rate) is int  # type: ignore[call-overload]


@pytest.mark.parametrize(("bad", "error"), [(0, InvalidArgument), (-8000, InvalidArgument),
                                            (16000.5, InvalidArgument), (float("nan"), InvalidArgument),
                                            (float("inf"), InvalidArgument), (True, WrongArgumentType),
                                            ("16000", WrongArgumentType), (None, WrongArgumentType)])
def test_sample_rates_refused(bad: object, error: type[Exception]) -> None:
    message = r"sample_rate=.* must be a positive integer number of Hz"
    builds = [lambda: audio.RandomCrop(1.0, sample_rate=bad), lambda: audio.PitchShift(2, sample_rate=bad),
              lambda: audio.AddBackgroundNoise([torch.ones(10)], sample_rate=bad)]
    if bad is not None:  # load(sample_rate=None) keeps the file's rate
        builds.append(lambda: audio.load(DATA / "pink_noise.flac", sample_rate=bad))
    for build in builds:
        with pytest.raises(error, match=message):
            build()


def test_fit_crops_or_pads_at_the_end() -> None:
    x = torch.arange(1.0, 6.0)[None]
    assert fit(x, 3).tolist() == [[1.0, 2.0, 3.0]]
    assert fit(x, 7).tolist() == [[1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 0.0]]
    assert torch.equal(fit(x, 5), x)


@pytest.mark.parametrize("op", MY_OPS, ids=lambda op: op.name)
def test_one_sample_clips(op: audio.Gain) -> None:
    """A 1-sample clip is a valid waveform: gain scales it, noise is added (white: a
    1-sample series has no spectrum to colour), a shift cannot move it, a crop pads it."""
    one = torch.tensor([[0.5]])
    y, params = op.augment(one, np.random.default_rng(0))
    expected_length = op.length if isinstance(op, audio.RandomCrop) else 1
    assert y.shape == (1, expected_length) and torch.isfinite(y).all()
    if isinstance(op, audio.TimeShift):
        assert torch.equal(y, one)
    if isinstance(op, audio.AddNoise | audio.AddBackgroundNoise):
        assert abs(10 * np.log10(0.25 / (y - one).pow(2).item()) - params["snr_db"]) < 1e-3


@pytest.mark.parametrize("op", MY_OPS, ids=lambda op: op.name)
def test_stereo_stays_stereo_and_channels_share_params(op: audio.Gain) -> None:
    """Both channels of a stereo clip get the same draw (the same gain, shift, crop, SNR over the
    whole clip), so the stereo image survives."""
    mono = speech()[:, : SR // 2]
    stereo = torch.cat([mono, 0.5 * mono])
    y, params = op.augment(stereo, np.random.default_rng(5))
    assert y.shape[0] == 2
    if isinstance(op, audio.Gain | audio.TimeShift | audio.RandomCrop):
        torch.testing.assert_close(y[1], 0.5 * y[0])
        torch.testing.assert_close(y[:1], op.apply(mono, params))


@pytest.mark.parametrize("op", MY_OPS, ids=lambda op: op.name)
def test_views_never_alias_the_input(op: audio.Gain) -> None:
    x = speech()[:, :SR].clone()
    before = x.clone()
    y = op(x, np.random.default_rng(0))
    y += 1.0  # writing into a view must leave the clip alone
    assert torch.equal(x, before)
    numpy_in = before.numpy().copy()
    view = audio.TimeShift(0.0)(numpy_in)
    view[:] = 0
    assert np.array_equal(numpy_in, before.numpy())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_ops_run_on_the_input_device_and_replay_there() -> None:
    x = speech()[:, :SR].cuda()
    for op in MY_OPS:
        y, params = op.augment(x, np.random.default_rng(1))
        assert y.device == x.device
        assert torch.equal(op.apply(x, params), y)
        batch = torch.stack([x, 0.5 * x])
        out, bp = op.augment(batch, np.random.default_rng(2))
        for i in range(2):
            torch.testing.assert_close(out[i], op.apply(batch[i], bp["batch"][i]), atol=1e-5, rtol=0)


def test_a_time_channels_array_is_refused_with_the_fix_not_read_as_thousands_of_channels() -> None:
    import time

    from augkit.core import modalities

    clip = np.random.default_rng(0).uniform(-0.5, 0.5, (66150, 2)).astype(np.float32)  # soundfile's layout
    start = time.perf_counter()
    for run in (lambda: audio.RandomCrop(1.0, 22050)(clip), lambda: audio.audio_pairs(22050, seed=0)(clip, index=0),
                lambda: audio.AddNoise()(torch.from_numpy(clip))):
        with pytest.raises(InvalidInput, match=r"\(66150, 2\) would have 66150 channels .*transpose it \(x\.T\)"):
            run()
    assert time.perf_counter() - start < 5, "refused before any work is done"
    wav = modalities.get("audio").check(clip, channels_last=True)  # the explicit way in
    assert wav.shape == (2, 66150) and torch.equal(wav[1], torch.from_numpy(clip[:, 1]))
    assert audio.RandomCrop(1.0, 22050)(clip.T).shape == (2, 22050)

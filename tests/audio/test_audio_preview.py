"""How audio views are shown and measured: the render fragment, the spectrogram picture, ``moved``."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
import soundfile as sf
import torch
from audio_support import DATA, SR, speech
from PIL import Image

from augkit import Compose, audio
from augkit.core import modalities
from augkit.core.errors import InvalidArgument
from augkit.views.generator import ViewGenerator

AUDIO = modalities.get("audio")


def _images(fragment: str) -> dict[str, np.ndarray]:
    """The fragment's ``<img>`` tags by class, each PNG decoded to an array."""
    found = {}
    for cls, uri in re.findall(r"<img class='(\w+)' alt='[^']+' src='data:image/png;base64,([^']+)'>", fragment):
        assert cls not in found, f"two {cls} images"
        found[cls] = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri))).convert("RGB"))
    return found


def _tone(freq: float, seconds: float = 1.0, rate: int = SR) -> torch.Tensor:
    t = torch.arange(round(seconds * rate), dtype=torch.float64) / rate
    return (0.5 * torch.sin(2 * torch.pi * freq * t)).float()[None]


def _luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(float) @ np.array([0.299, 0.587, 0.114])


def test_render_shows_waveform_spectrogram_and_player_of_real_speech() -> None:
    clip = speech()
    fragment = AUDIO.render(clip, sample_rate=SR)
    assert fragment.count("<audio") == 1 and fragment.count("<img") == 2
    assert "controls preload='none'" in fragment
    images = _images(fragment)
    assert set(images) == {"waveform", "spectrogram"}
    assert images["waveform"].shape == (64, 256, 3)
    assert images["spectrogram"].shape == (128, 256, 3)
    for pic in images.values():
        assert len(np.unique(pic.reshape(-1, 3), axis=0)) >= 2  # a drawing, not one flat colour
    heights = (images["waveform"] != 255).any(axis=-1).sum(axis=0)
    assert heights.min() <= 2 and heights.max() >= 48  # pauses and loud syllables, scaled to the peak
    # speech has quiet and loud stretches: the spectrogram spans most of the colour ramp
    light = _luminance(images["spectrogram"])
    assert light.max() - light.min() > 120
    (uri,) = re.findall(r"<audio [^>]*src='data:audio/wav;base64,([^']+)'", fragment)
    decoded, rate = sf.read(io.BytesIO(base64.b64decode(uri)), dtype="float32", always_2d=True)
    assert rate == SR
    np.testing.assert_array_equal(decoded.T, clip.numpy())
    assert AUDIO.render(clip, sample_rate=SR) == fragment  # deterministic


def test_render_without_sample_rate_says_what_to_pass() -> None:
    with pytest.raises(InvalidArgument, match="showing audio needs its sample_rate"):
        AUDIO.render(speech())
    with pytest.raises(InvalidArgument, match="sample_rate"):
        AUDIO.render(speech(), sample_rate=0)


def test_picture_is_the_spectrogram_of_the_channel_mean() -> None:
    clip = speech()
    pic = AUDIO.picture(clip, sample_rate=SR)
    assert pic.shape == (128, 256, 3) and pic.dtype == np.uint8
    assert np.array_equal(pic, AUDIO.picture(clip))  # 16 kHz is assumed without a rate
    assert np.array_equal(pic, _images(AUDIO.render(clip, sample_rate=SR))["spectrogram"])
    assert np.array_equal(AUDIO.picture(torch.cat([clip, clip]), sample_rate=SR), pic)
    stereo = AUDIO.picture(torch.cat([clip * 1.5, clip * 0.5]), sample_rate=SR)  # mean: the clip, up to rounding
    assert np.abs(stereo.astype(int) - pic).max() <= 2
    assert np.array_equal(AUDIO.picture(clip.numpy()[0], sample_rate=SR), pic)
    silent = AUDIO.picture(torch.zeros(1, SR), sample_rate=SR)
    assert len(np.unique(silent.reshape(-1, 3), axis=0)) == 1 and _luminance(silent).max() < 60  # dark
    assert AUDIO.picture(clip[:, :1], sample_rate=SR).shape == (128, 256, 3)  # one sample still draws


def _mel(hz: float) -> float:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


@pytest.mark.parametrize("rate", [16000, 8000])
@pytest.mark.parametrize("freq", [440.0, 2000.0])
def test_spectrogram_of_a_tone_peaks_in_its_mel_band(freq: float, rate: int) -> None:
    pic = AUDIO.picture(_tone(freq, rate=rate), sample_rate=rate)
    rows = _luminance(pic).mean(axis=1)  # top row: highest band; two rows per band
    band = 63 - int(np.argmax(rows)) // 2
    centers = np.linspace(0.0, _mel(rate / 2), 64 + 2)[1:-1]  # HTK mel bands, 0 Hz to Nyquist
    assert abs(band - int(np.argmin(np.abs(centers - _mel(freq))))) <= 1
    assert rows.max() - np.median(rows) > 80  # one bright line over a dark floor


def test_untouched_crop_of_speech_has_no_noise() -> None:
    clip = speech()
    vg = ViewGenerator(audio.RandomCrop(seconds=0.5, sample_rate=SR), n_views=2, seed=0)
    made = vg.generate(clip, index=0)
    assert len({p["offset"] for p in made.params}) == 2  # two different segments
    for view, params in zip(made.items, made.params, strict=True):
        assert AUDIO.moved(clip, view, params) == {"unchanged": 1.0}  # a crop alone changes no sample
        assert AUDIO.moved(clip, view, None)["snr_db"] < 10  # unaligned: the record is what aligns them
    short = clip[:, : SR // 4]  # shorter than the crop: kept whole and padded with silence
    (view,), (params,) = ViewGenerator(audio.RandomCrop(seconds=0.5, sample_rate=SR), seed=1).generate(short, index=0)
    assert view.shape[-1] == SR // 2
    assert AUDIO.moved(short, view, params) == {"unchanged": 1.0}


def test_crop_inside_a_pipeline_and_a_time_shift_are_aligned() -> None:
    clip = speech()
    pipeline = Compose([audio.RandomCrop(seconds=1.0, sample_rate=SR),
                              audio.TimeShift(fraction=(0.1, 0.3), rollover=False)])
    made = ViewGenerator(pipeline, n_views=2, seed=3).generate(clip, index=0)
    for view, params in zip(made.items, made.params, strict=True):
        assert AUDIO.moved(clip, view, params) == {"unchanged": 1.0}  # a crop alone changes no sample


def test_added_noise_is_measured_at_its_recorded_snr() -> None:
    clip = speech()
    made = ViewGenerator(audio.AddNoise(snr_db=(10, 10)), n_views=2, seed=0).generate(clip, index=0)
    for view, params in zip(made.items, made.params, strict=True):
        assert params["snr_db"] == 10.0
        moved = AUDIO.moved(clip, view, params)
        assert set(moved) == {"snr_db"} and isinstance(moved["snr_db"], float)
        assert abs(moved["snr_db"] - params["snr_db"]) < 1.5
    gained = ViewGenerator(audio.Gain(gain_db=(6, 6)), seed=0).generate(clip, index=0)
    moved = AUDIO.moved(clip, gained.items[0], gained.params[0])
    assert moved["gain_db"] == 6.0
    # the view is the source times 10**(6/20): the difference is (g - 1) times the source
    assert moved["snr_db"] == pytest.approx(-20 * np.log10(10 ** (6 / 20) - 1), abs=0.05)


def test_pitch_shift_and_stretch_report_their_nominal_values() -> None:
    clip = speech()[:, :SR]
    made = ViewGenerator(audio.PitchShift(semitones=(3, 3), sample_rate=SR), seed=0).generate(clip, index=0)
    assert AUDIO.moved(clip, made.items[0], made.params[0]) == {"semitones": 3.0}
    pipeline = Compose([audio.Gain(gain_db=(-4, -4)), audio.TimeStretch(rate=(1.25, 1.25))])
    made = ViewGenerator(pipeline, seed=0).generate(clip, index=0)
    assert AUDIO.moved(clip, made.items[0], made.params[0]) == {"gain_db": -4.0, "stretch_rate": 1.25}


def _int16(x: torch.Tensor) -> np.ndarray:
    return np.clip(np.rint(x.numpy() * 32768), -32768, 32767).astype(np.int16)


def test_int16_numpy_is_scaled_like_float() -> None:
    clip = audio.load(DATA / "speech_digits.flac", sample_rate=SR, mono=True)[0]
    made = ViewGenerator(audio.AddNoise(snr_db=(10, 10)), seed=2).generate(clip, index=0)
    view, params = made.items[0], made.params[0]
    as_float = AUDIO.moved(clip, view, params)["snr_db"]
    assert abs(AUDIO.moved(_int16(clip), view, params)["snr_db"] - as_float) < 0.1
    assert abs(AUDIO.moved(_int16(clip), _int16(view), params)["snr_db"] - as_float) < 0.1
    np.testing.assert_array_equal(AUDIO.picture(_int16(clip)[0], sample_rate=SR),
                                  AUDIO.picture(torch.from_numpy(_int16(clip) / 32768.0), sample_rate=SR))


def test_stored_and_rendered_clips_do_not_depend_on_the_second_they_were_written() -> None:
    # libsndfile stamps float WAVs with the current second (PEAK chunk): shards and pages must not
    import time

    clip = speech()
    first, ext = AUDIO.encode(clip, "wav", sample_rate=SR)
    page = AUDIO.render(clip, sample_rate=SR)
    time.sleep(1.05)
    assert AUDIO.encode(clip, "wav", sample_rate=SR) == (first, ext)
    assert AUDIO.render(clip, sample_rate=SR) == page
    np.testing.assert_array_equal(AUDIO.decode(first, ext).numpy(), clip.numpy())

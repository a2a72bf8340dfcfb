"""The spectrogram descriptor and its input step on real speech: LogMel against torchaudio, storage,
collate, pictures, the generator's input step in specs, the presets' numbers, and the CLI on a folder
of audio files."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
import torchaudio
from audio_support import DATA, speech

import augkit
from augkit import ViewGenerator, modalities
from augkit import spectrogram as S
from augkit.cli import main
from augkit.core import Compose
from augkit.core.batching import Padded
from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType
from augkit.views import config
from augkit.views.dump import InvalidSpec

M = modalities.get("spectrogram")


def test_log_mel_equals_torchaudio_melspectrogram_and_log() -> None:
    wav = speech()
    ours = S.LogMel(16000, 1024, 160, 64, 60, 7800)(wav)
    ref = torchaudio.transforms.MelSpectrogram(16000, n_fft=1024, win_length=1024, hop_length=160, f_min=60,
                                               f_max=7800, n_mels=64, power=2.0)(wav)
    torch.testing.assert_close(ours, (ref + torch.finfo().eps).log(), atol=1e-3, rtol=1e-4)
    assert S.LogMel()(torch.zeros(1, 15200)).shape == (1, 64, 96)  # BYOL-A's 0.95 s: [64, 96]
    assert S.LogMel()(torch.zeros(2, 100)).shape == (2, 64, 1)


def test_log_mel_reads_files_normalises_and_refuses_bad_values(tmp_path: Path) -> None:
    path = DATA / "speech_digits.flac"
    step = S.LogMel(mean=-5.0, std=4.0)
    from_file = step(path)
    wav = augkit.audio.load(path, sample_rate=16000)[0]
    torch.testing.assert_close(from_file, (S.LogMel()(wav) + 5.0) / 4.0)
    mean, std = S.norm_stats([wav], step)
    raw = S.LogMel()(wav).double()
    assert mean == pytest.approx(float(raw.mean())) and std == pytest.approx(float(raw.std(unbiased=False)))
    with pytest.raises(InvalidArgument, match="f_min"):
        S.LogMel(f_min=8000, f_max=7000)
    with pytest.raises(InvalidArgument, match="f_max"):
        S.LogMel(sample_rate=8000, f_max=7800)
    with pytest.raises(InvalidInput, match="NaN"):
        S.LogMel()(torch.full((1, 100), float("nan")))
    with pytest.raises(WrongInputType, match="LogMel"):
        S.LogMel()(torch.zeros(1, 100, dtype=torch.int32))
    assert S.LogMel.from_spec(step.spec) == step
    with pytest.raises(InvalidArgument, match="unknown keys"):
        S.LogMel.from_spec({"type": "log_mel", "window": 3})


def test_check_accepts_the_documented_forms_and_names_faults() -> None:
    lms = M.example()
    assert M.check(lms[0].numpy().astype(np.float16)).shape == lms.shape
    with pytest.raises(InvalidInput, match="waveform"):
        M.check(torch.zeros(16000))
    with pytest.raises(InvalidInput, match="batch"):
        M.check(torch.zeros(2, 1, 64, 96))
    with pytest.raises(InvalidInput, match="empty"):
        M.check(torch.zeros(1, 64, 0))
    with pytest.raises(WrongInputType, match="input step"):
        M.check("speech.wav")


def test_encode_decode_round_trips_in_float32_and_float16() -> None:
    lms = M.example()
    data, ext = M.encode(lms)
    assert ext == "npy" and torch.equal(M.decode(data, ext), lms)
    half, _ = M.encode(lms, "npy16")
    assert len(half) < len(data) * 0.6 and np.load(io.BytesIO(half)).dtype == np.float16
    torch.testing.assert_close(M.decode(half, "npy"), lms, atol=0.01, rtol=1e-3)
    with pytest.raises(InvalidArgument, match="npy"):
        M.encode(lms, "wav")
    with pytest.raises(InvalidInput, match="decode"):
        M.decode(b"not an array", "npy")


def test_load_reads_npy_and_audio_files(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", M.example().numpy().astype(np.float16))
    assert M.load(tmp_path / "a.npy").dtype == torch.float32
    wav = M.load(DATA / "speech_digits.flac")
    assert wav.ndim == 2  # a waveform: the generator's input step makes the log-mel
    (tmp_path / "bad.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(InvalidInput, match=r"bad\.npy"):
        M.load(tmp_path / "bad.npy")
    # automatic detection never picks the spectrogram modality; a generator of it does
    assert modalities.for_path("x.wav").name == "audio" and modalities.for_path("x.npy") is None
    assert modalities.for_path("x.wav", "spectrogram").name == "spectrogram"


def test_collate_pads_frames_and_refuses_other_mels() -> None:
    lms = M.example()
    out = M.collate([lms, lms[..., :50]])
    assert isinstance(out, Padded) and out.values.shape == (2, 1, 64, 101)
    assert out.lengths.tolist() == [101, 50]
    assert M.collate([lms, lms]).shape == (2, 1, 64, 101)
    with pytest.raises(InvalidInput, match="mels"):
        M.collate([lms, lms[:, :32]])


def test_render_picture_and_moved() -> None:
    lms = M.example()
    pic = M.picture(lms)
    assert pic.shape == (128, 256, 3) and pic.dtype == np.uint8
    assert pic[:64].mean() != pic[64:].mean()  # the tone's bands are at the bottom, the top is quiet
    assert "<img class='spectrogram'" in M.render(lms)
    masked = S.TimeMask(10, 1, fill="zero").apply(lms, {"applied": True, "masks": [[0, 10]]})
    moved = M.moved(lms, masked)
    assert moved["changed"] == pytest.approx(10 / 101)


def test_input_step_runs_once_per_sample_and_round_trips_in_a_spec(tmp_path: Path) -> None:
    step = S.LogMel(16000, 400, 160, 40, 0, 8000)
    vg = ViewGenerator(Compose([S.TimeMask(20, 2), S.FrequencyMask(8, 2)]), n_views=2, seed=3, input=step)
    wav = speech()
    views = vg.generate(wav, index=4)
    assert views.items[0].shape == (1, 40, wav.shape[-1] // 160 + 1)
    assert torch.equal(views.source, step(wav))
    spec = config.dump(vg)
    assert spec["input"] == {"type": "log_mel", **{k: v for k, v in step.spec.items() if k != "type"}}
    again = config.load(json.loads(json.dumps(spec)))
    assert again.input == step
    for a, b in zip(again.generate(wav, index=4).items, views.items, strict=True):
        assert torch.equal(a, b)
    assert all(torch.equal(a, b) for a, b in zip(vg.replay(wav, views.params), views.items, strict=True))
    with pytest.raises(InvalidSpec, match="input"):
        config.dump(ViewGenerator(S.TimeMask(10), seed=0, input=lambda x: x))
    with pytest.raises(InvalidSpec, match="input"):
        config.load({**spec, "modality": "audio"})
    with pytest.raises(WrongArgumentType, match="dict samples"):
        ViewGenerator({"spectrogram": S.TimeMask(10)}, seed=0, input=step)


@pytest.mark.parametrize("policy", ["LB", "LD", "SM", "SS"])
def test_specaugment_preset_holds_the_papers_values(policy: str) -> None:
    w, f, m_f, t, p, m_t = S.SPECAUGMENT_POLICIES[policy]
    vg = S.specaugment(policy, seed=0)
    warp, freq, time = vg.pipelines[0].ops
    assert (warp.max_warp, freq.max_width, freq.count) == (w, f, m_f)
    assert (time.max_width, time.count, time.max_time_fraction) == (t, m_t, p)
    assert vg.input.spec == {"type": "log_mel", "sample_rate": 16000, "n_fft": 400, "hop": 160, "n_mels": 80,
                             "f_min": 0.0, "f_max": 8000.0, "mean": 0.0, "std": 1.0}
    made = vg.generate(speech(), index=0)
    for record in made.params:
        masks = record["ops"][1]["params"]["masks"] + record["ops"][2]["params"]["masks"]
        assert len(masks) == m_f + m_t and all(width <= max(f, t) for _, width in masks)
    assert S.SPECAUGMENT_POLICIES == {"LB": (80, 27, 1, 100, 1.0, 1), "LD": (80, 27, 2, 100, 1.0, 2),
                                      "SM": (40, 15, 2, 70, 0.2, 2), "SS": (40, 27, 2, 70, 0.2, 2)}


@pytest.mark.parametrize("version", [1, 2])
def test_byol_a_preset_holds_the_reference_values_and_batches_like_generate(version: int) -> None:
    vg = S.byol_a(version, mean=-6.0, std=5.0, seed=1)
    ops = vg.pipelines[0].ops
    assert [op.name for op in ops][-1] == ("spectrogram.random_resize_crop" if version == 1 else
                                           "spectrogram.random_linear_fader")
    assert ops[0].frames == 96 and ops[1].max_ratio == {1: 0.4, 2: 0.2}[version]
    assert (ops[2].virtual_crop_scale, ops[2].freq_scale, ops[2].time_scale) == ((1.0, 1.5), (0.6, 1.5), (0.6, 1.5))
    assert vg.input.spec == {"type": "log_mel", "sample_rate": 16000, "n_fft": 1024, "hop": 160, "n_mels": 64,
                             "f_min": 60.0, "f_max": 7800.0, "mean": -6.0, "std": 5.0}
    clips = [augkit.audio.load(DATA / name, sample_rate=16000, mono=True)[0]
             for name in ("speech_digits.flac", "speech_contrastive.flac", "a_minor_chord.flac")]
    vg.source = clips
    made = vg.generate_batch(clips, [0, 1, 2], epoch=1)
    assert made.items[0].shape == (3, 1, 64, 96)
    for i, clip in enumerate(clips):
        one = vg.generate(clip, index=i, epoch=1)
        assert made.params[i] == one.params
        assert all(torch.equal(made.items[k][i], one.items[k]) for k in range(2))
    with pytest.raises(InvalidArgument, match="version"):
        S.byol_a(3)


@pytest.fixture(scope="module")
def words(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("words")
    for word in ("seven", "eight", "nine"):
        subprocess.run(["espeak-ng", "-w", str(folder / f"{word}.wav"), word], check=True, capture_output=True)
    return folder


def test_cli_lists_previews_and_generates_from_a_folder_of_audio(words: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--modality", "spectrogram"]) == 0
    listed = capsys.readouterr().out
    assert "spectrogram.byol_a" in listed and "spectrogram.time_warp" in listed and "image." not in listed
    assert main(["preview", str(words), "--preset", "spectrogram.specaugment", "--out", str(tmp_path / "p.html"),
                 "--png", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "p.html").read_text().count("class='spectrogram'") >= 3
    assert main(["generate", str(words), "--preset", "byol_a", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    from augkit import PairDataset

    pairs = list(PairDataset(tmp_path / "out"))
    assert len(pairs) == 3 and all(v.shape == (1, 64, 96) for views, _ in pairs for v in views)

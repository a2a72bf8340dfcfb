"""Edges that used to fail: a bounded resampler for nearly coprime rates, noise on huge clips,
deletion that never wastes a pair, losses called by keyword or with numpy, big-endian images."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torchaudio.functional as AF
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit
from augkit.audio.io import _resample_direct, resample
from augkit.core.streams import stream
from augkit.datasets import read_lines
from augkit.losses import ContrastiveLoss, InfoNCELoss, NTXentLoss, TripletLoss

SENTENCES = read_lines("data/sentences.txt")


def _tone(rate: int, seconds: float = 1.0) -> torch.Tensor:
    t = torch.arange(int(rate * seconds), dtype=torch.float64) / rate
    return (0.5 * torch.sin(2 * math.pi * 440 * t) + 0.2 * torch.sin(2 * math.pi * 3000 * t))[None].float()


@pytest.mark.parametrize(("orig", "new"), [(44100, 16000), (16000, 22050), (48000, 44100)])
def test_the_direct_resampler_agrees_with_torchaudio(orig: int, new: int) -> None:
    x = _tone(orig)
    ours, theirs = _resample_direct(x, orig, new), AF.resample(x, orig, new)
    assert ours.shape == theirs.shape
    inner = slice(100, -100)
    error = (ours[..., inner] - theirs[..., inner]).double()
    snr = 10 * math.log10(float(theirs[..., inner].double().square().sum() / error.square().sum()))
    assert snr > 50, snr


def test_nearly_coprime_rates_resample_in_bounded_memory() -> None:
    script = (
        "import torch, math\n"
        "from augkit.audio.io import resample\n"
        "def hwm():\n"
        "    return int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024\n"
        "x = torch.sin(2 * math.pi * 440 * torch.arange(441000) / 44099.0)[None].repeat(2, 1).float()\n"
        "before = hwm()\n"
        "y = resample(x, 44099, 44100)\n"
        "print(tuple(y.shape), hwm() - before)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    shape, grew = run.stdout.split(")")
    assert shape == f"(2, {math.ceil(441000 * 44100 / 44099)}", "ceil(T · new / orig) samples"
    assert float(grew) < 250, f"peak memory grew by {grew} MB for a 3.5 MB clip"


def test_a_resampled_tone_keeps_its_pitch_at_coprime_rates() -> None:
    y = resample(_tone(44099), 44099, 44100)[0].double()
    spectrum = torch.fft.rfft(y * torch.hann_window(y.numel(), dtype=torch.float64)).abs()
    peak_hz = float(spectrum.argmax()) * 44100 / y.numel()
    assert abs(peak_hz - 440) < 2


def test_noise_on_a_huge_clip_stays_finite_and_at_its_snr() -> None:
    op = augkit.audio.AddNoise(snr_db=(10, 10))
    x = torch.full((2, 2000), 1e20)
    y = op(x, np.random.default_rng(0))
    assert torch.isfinite(y).all()
    snr = 10 * math.log10(float(x.double().square().sum() / (y.double() - x.double()).square().sum()))
    assert abs(snr - 10) < 0.1
    batch = torch.full((3, 1, 2000), 1e20)
    records = [op.sample(batch[i], stream(0, 0, i, 0)) for i in range(3)]
    assert torch.isfinite(op.transform_batch(batch, records)).all()


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(["a", "cat", "sat", "on", "the", "mat", "quietly", "Über", "日本"]),
                      max_size=12),
       alpha=st.floats(0.01, 1.0), seed=st.integers(0, 2**32))
def test_deletion_deletes_at_least_one_word_and_keeps_one(words: list[str], alpha: float, seed: int) -> None:
    text = " ".join(words)
    op = augkit.text.RandomDeletion(alpha=alpha)
    record = op.sample(text, np.random.default_rng(seed))
    out = op.apply(text, record)
    if len(words) < 2:
        assert record == {"applied": False} and out == text
    else:
        assert record["applied"] and 1 <= len(out.split()) < len(words)


def test_eda_views_never_equal_their_source() -> None:
    vg = augkit.text.eda(seed=0)
    many = [x for x in SENTENCES if len(x.split()) >= 2][:300]
    same = [(i, k) for i, x in enumerate(many) for k, v in enumerate(vg(x, index=i)) if v == x]
    assert not same


def test_losses_take_keywords_and_numpy() -> None:
    z = torch.randn(6, 8, generator=torch.Generator().manual_seed(0))
    w = z + 0.1
    nt = NTXentLoss(0.5)
    assert torch.allclose(nt(views=[z, w]), nt([z, w]))
    assert torch.allclose(nt([z.numpy(), w.numpy()]), nt([z, w]))
    info = InfoNCELoss()
    assert torch.allclose(info(query=z, key=w), info(z.numpy(), w.numpy()))
    triplet = TripletLoss()
    assert torch.allclose(triplet(anchor=z, positive=w, negative=-z), triplet(z.numpy(), w.numpy(), -z.numpy()))
    same = torch.tensor([1, 0, 1, 0, 1, 0])
    assert torch.allclose(ContrastiveLoss()(x1=z, x2=w, same=same), ContrastiveLoss()(z.numpy(), w.numpy(),
                                                                                       same.numpy()))


@pytest.mark.parametrize("dtype", [">u2", "<u2", ">f4", "=u1"])
def test_images_of_any_byte_order_are_read_alike(dtype: str) -> None:
    base = (np.arange(10 * 12 * 3).reshape(10, 12, 3) % 256).astype(np.uint8)
    x = base.astype(np.uint16) * 257 if "u2" in dtype else base / 255.0 if "f4" in dtype else base
    x = x.astype(dtype)
    flip = augkit.image.HorizontalFlip(p=1.0)
    assert np.array_equal(flip(x), base[:, ::-1])


@pytest.mark.parametrize(("make", "words"), [
    (lambda: NTXentLoss(1e-320), "temperature=1e-320"), (lambda: NTXentLoss(math.inf), "temperature=inf"),
    (lambda: InfoNCELoss(float("nan")), "temperature=nan"), (lambda: TripletLoss(margin=math.nan), "margin=nan"),
    (lambda: ContrastiveLoss(margin=math.inf), "margin=inf"),
])
def test_loss_settings_that_cannot_give_finite_losses_are_refused(make: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        make()  # type: ignore[operator]


def test_losses_on_odd_batches_give_a_finite_value_or_a_named_error() -> None:
    with pytest.raises(ValueError, match="empty batch"):
        NTXentLoss(0.5)([torch.zeros(0, 8), torch.zeros(0, 8)])
    z = torch.randn(4, 8, generator=torch.Generator().manual_seed(1))
    assert torch.isfinite(TripletLoss(mining="hard")(z * 1e30, torch.tensor([0, 0, 1, 1])))
    assert torch.isfinite(TripletLoss()(z * 1e30, z * 1e30 + 1e29, -z * 1e30))
    mixed = NTXentLoss(0.5)([z, z.double()])
    assert mixed.dtype == torch.float64 and torch.isfinite(mixed)


def test_collate_takes_reversed_and_big_endian_arrays() -> None:
    from augkit.datasets import collate_items

    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    flipped = collate_items([base[:, ::-1], base[::-1]])
    assert torch.equal(flipped[0], torch.from_numpy(base[:, ::-1].copy()))
    swapped = collate_items([base.astype(">f4"), base.astype(">f4")])
    assert swapped.dtype == torch.float32 and torch.equal(swapped[1], torch.from_numpy(base))


def test_lone_surrogates_are_named_not_crashed_on() -> None:
    from augkit.core.errors import InvalidInput
    from augkit.text import BackTranslation

    def reverse(texts: list[str], src: str, tgt: str) -> list[str]:
        return [t[::-1] for t in texts]

    broken = b"caf\xe9 au lait".decode("utf-8", errors="surrogateescape")
    for run in (lambda: BackTranslation(reverse, on_error="fallback")(broken, np.random.default_rng(0)),
                lambda: augkit.text.eda(seed=0)(broken, index=0),
                lambda: augkit.text.RandomSwap()(broken, np.random.default_rng(0))):
        with pytest.raises(InvalidInput, match=r"lone surrogate '\\udce9' at character 3: decode the text"):
            run()


def test_a_translator_that_empties_its_argument_changes_nothing() -> None:
    from augkit.text import BackTranslation

    def greedy(texts: list[str], src: str, tgt: str) -> list[str]:
        out = [t[::-1] for t in texts]
        texts.clear()
        return out

    assert BackTranslation(greedy)("hello brave world", np.random.default_rng(0)) == "hello brave world"


def test_sixteen_bit_pil_images_in_mode_i_are_read() -> None:
    from PIL import Image

    from augkit.core.errors import InvalidInput

    grey = (np.arange(120, dtype=np.int32).reshape(10, 12) * 500)
    out = augkit.image.HorizontalFlip(p=1.0)(Image.fromarray(grey))
    assert out.dtype == np.uint8 and np.array_equal(out, np.round(grey[:, ::-1] / 257).astype(np.uint8))
    with pytest.raises(InvalidInput, match=r"mode I\) with values in \[-5, "):
        augkit.image.HorizontalFlip(p=1.0)(Image.fromarray(grey - 5))


@pytest.mark.parametrize(("suffix", "channels", "most"), [(".flac", 9, 8), (".mp3", 3, 2)])
def test_saving_more_channels_than_a_format_holds_is_named(tmp_path: Path, suffix: str, channels: int,
                                                           most: int) -> None:
    from augkit.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match=rf"holds at most {most} channels, the clip has {channels}"):
        augkit.audio.save(tmp_path / f"x{suffix}", torch.zeros(channels, 1000), 16000)
    assert not (tmp_path / f"x{suffix}").exists()
    augkit.audio.save(tmp_path / "x.wav", torch.zeros(channels, 1000), 16000)


def test_eda_takes_per_op_alphas_and_zero_turns_an_op_off() -> None:
    from augkit.core.composites import fired

    def ops(vg: augkit.ViewGenerator) -> set[str]:
        text = "the quick brown fox jumps over the lazy dog"
        return {fired(p)[0][0] for i in range(60) for p in vg.generate(text, index=i).params}

    every = {"text.synonym_replacement", "text.random_insertion", "text.random_swap", "text.random_deletion"}
    assert ops(augkit.text.eda(seed=0)) == every
    assert ops(augkit.text.eda(alpha_rd=0, seed=0)) == every - {"text.random_deletion"}
    assert ops(augkit.text.eda(alpha=0, alpha_rs=0.2, seed=0)) == {"text.random_swap"}
    with pytest.raises(ValueError, match="every op is turned off"):
        augkit.text.eda(alpha=0)
    with pytest.raises(ValueError, match=r"eda\(\): alpha_ri=1.5 must be a number in \[0, 1\]"):
        augkit.text.eda(alpha_ri=1.5)
    spec = augkit.views.config.dump(augkit.text.eda(alpha_rd=0, seed=3))
    assert spec["args"]["alpha_rd"] == 0 and ops(augkit.views.config.load(spec)) == every - {"text.random_deletion"}


def test_far_pairs_none_items_and_mixed_dtypes_in_the_remaining_losses() -> None:
    from augkit.core.errors import InvalidInput
    from augkit.datasets import collate_items

    near, far = torch.tensor([[0.1]]), torch.tensor([[1e30]])
    assert torch.isfinite(ContrastiveLoss()(near, far, torch.tensor([0])))
    assert torch.isfinite(InfoNCELoss()(torch.randn(3, 4), torch.randn(3, 4).double()))
    with pytest.raises(ValueError, match="InfoNCELoss: the embeddings hold an empty batch"):
        InfoNCELoss()(torch.zeros(0, 4), torch.zeros(0, 4))
    with pytest.raises(InvalidInput, match=r"batch items \[1\] are None"):
        collate_items([np.zeros(3), None, np.zeros(3)])


def test_all_zero_embedding_rows_give_bounded_gradients() -> None:
    for loss in (lambda z: NTXentLoss(0.5)([z, torch.randn(4, 8)]), lambda z: InfoNCELoss()(z, torch.randn(4, 8))):
        z = torch.zeros(4, 8, requires_grad=True)
        loss(z).backward()
        assert z.grad is not None and torch.isfinite(z.grad).all() and float(z.grad.abs().max()) < 65504
        half = torch.zeros(4, 8, dtype=torch.float16, requires_grad=True)
        loss(half).backward()
        assert half.grad is not None and torch.isfinite(half.grad).all()


def test_ogg_above_vorbis_rates_is_refused_before_libvorbis_crashes(tmp_path: Path) -> None:
    script = ("import torch, augkit\n"
              f"augkit.audio.save({str(tmp_path / 'x.ogg')!r}, torch.zeros(1, 100), 384000)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, "an error, not a SIGSEGV (-11)"
    assert "OGG is written at up to 192000 Hz, got sample_rate=384000" in run.stderr
    augkit.audio.save(tmp_path / "y.ogg", torch.zeros(1, 100), 48000)


def test_a_resample_that_would_make_gigabytes_is_refused() -> None:
    from augkit.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"from 1 Hz to 16000 Hz would make 256000000 samples per channel"):
        resample(torch.zeros(64, 16000), 1, 16000)


def test_generator_arguments_are_bounded_and_named() -> None:
    from augkit import ViewGenerator
    from augkit.core import Identity
    from augkit.core.args import MAX_VIEWS

    assert ViewGenerator(Identity(), n_views=MAX_VIEWS).n_views == MAX_VIEWS
    with pytest.raises(ValueError, match=f"n_views=1025 must be an integer from 1 to {MAX_VIEWS}"):
        ViewGenerator(Identity(), n_views=MAX_VIEWS + 1)
    with pytest.raises(TypeError, match=r"n_views=2\.0"):
        ViewGenerator(Identity(), n_views=2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"seed=1\.5"):
        ViewGenerator(Identity(), seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed=-1"):
        ViewGenerator(Identity(), seed=-1)


def test_mean_and_std_of_different_lengths_say_so() -> None:
    from augkit.image import normalize_batch

    with pytest.raises(ValueError, match=r"holds 1 number.* and std=.* 3: give both"):
        normalize_batch(torch.zeros(1, 3, 2, 2, dtype=torch.uint8), mean=0.5, std=(0.2, 0.2, 0.2))


def test_missing_nltk_data_is_a_value_error_and_a_lookup_error(tmp_path: Path) -> None:
    # a fresh process whose NLTK finds no data: the real reader, asked for WordNet, raises
    code = ("import augkit\nfrom augkit.core.errors import MissingData\n"
            "try:\n    augkit.text.eda(source='nltk', seed=0)('the big red dog runs', index=0)\n"
            "except MissingData as e:\n    print(isinstance(e, ValueError), isinstance(e, LookupError), e)\n")
    env = {k: v for k, v in os.environ.items() if k != "NLTK_DATA"}
    env["NLTK_DATA"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    if "True True" not in done.stdout:
        pytest.skip("NLTK finds WordNet data in one of its default folders on this machine")
    assert "source='nltk' needs NLTK's WordNet data" in done.stdout

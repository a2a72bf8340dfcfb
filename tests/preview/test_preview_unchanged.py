"""A view its ops left as it was says "unchanged" on the page, and stays out of the summary's numbers."""

from __future__ import annotations

from pathlib import Path

import torch

from augkit import ViewGenerator, audio
from augkit.preview import write_page


def test_an_untouched_audio_view_says_unchanged_and_is_kept_out_of_the_summary(tmp_path: Path) -> None:
    clips = [torch.randn(1, 8000, generator=torch.Generator().manual_seed(i)) * 0.1 for i in range(3)]
    vg = ViewGenerator(audio.RandomCrop(seconds=0.25, sample_rate=16000), seed=0)  # crops change no sample
    page = write_page(tmp_path / "p.html", clips, vg).read_text()  # the crop declares its rate
    assert page.count("<p class='moved'>unchanged</p>") == 6
    assert "snr_db" not in page  # no sentinel 120 dB in the cells or the summary
    noisy = ViewGenerator(audio.AddNoise(snr_db=10), seed=0)
    assert "snr_db 10" in write_page(tmp_path / "q.html", clips, noisy, sample_rate=16000).read_text()

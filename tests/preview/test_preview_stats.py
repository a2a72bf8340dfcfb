"""The "fired in" share of a dict sample's field op counts only the views that hold the field."""

from __future__ import annotations

import numpy as np

from augkit import ViewGenerator, image, text
from augkit.preview import measure, page


def test_a_field_op_fires_in_every_view_that_holds_its_field() -> None:
    photo = np.random.default_rng(0).integers(0, 256, (24, 24, 3), dtype=np.uint8)
    vg = ViewGenerator({"image": image.HorizontalFlip(p=1.0), "text": text.RandomSwap(alpha=0.5)}, seed=0,
                       missing="pass")
    samples = [{"image": photo, "text": "a cat on a mat"}, {"image": photo}, {"image": photo},
               {"image": photo, "text": "two dogs in the park"}]
    table = measure(samples, vg)
    assert table.share("image: image.horizontal_flip", table.views) == 1.0
    assert table.share("text: text.random_swap", table.views) == 1.0  # 4 of the 4 views with text, not 4 of 8
    assert "text: text.random_swap" in table.text() and " 100%" in table.text().splitlines()[-1]
    assert "<td>text: text.random_swap</td><td>100%</td>" in page(samples, vg)

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


def test_a_sample_without_a_field_is_named_by_its_index() -> None:
    import pytest

    from augkit.core.errors import InvalidInput
    from augkit.preview import write_grid

    photo = np.zeros((8, 8, 3), np.uint8)
    vg = ViewGenerator({"image": image.HorizontalFlip(), "text": text.RandomSwap()}, seed=0)
    samples = [{"image": photo, "text": "a b c"}, {"image": photo}]
    for show in (lambda: measure(samples, vg), lambda: page(samples, vg), lambda: write_grid("/dev/null", samples, vg)):
        with pytest.raises(InvalidInput, match=r"^sample 1 has no field 'text'"):
            show()

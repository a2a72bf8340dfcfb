"""The output step by name: ``ViewGenerator(output="uint8")`` is the modality's declared step, and
anything else that is not a callable is refused when the generator is made, naming the argument."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import augkit
from augkit.core.errors import InvalidArgument, WrongArgumentType


def test_an_output_name_is_the_modalitys_declared_step() -> None:
    photo = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    named = augkit.ViewGenerator(augkit.image.HorizontalFlip(p=1.0), seed=0, output="uint8")
    declared = augkit.ViewGenerator(augkit.image.HorizontalFlip(p=1.0), seed=0,
                                    output=augkit.core.modalities.get("image").output({"type": "uint8"}))
    assert torch.equal(named(photo, index=0)[0], declared(photo, index=0)[0])
    assert named.output.spec["type"] == "uint8"
    fields = augkit.ViewGenerator({"image": augkit.image.HorizontalFlip(p=1.0)}, seed=0, output={"image": "uint8"})
    assert fields({"image": photo}, index=0)[0]["image"].dtype == torch.uint8


@pytest.mark.parametrize(("output", "error", "match"), [
    ("floaty", InvalidArgument, "output='floaty'"),
    (3, WrongArgumentType, "output=3 must be a callable step"),
    (["uint8"], WrongArgumentType, "must be a callable step"),
])
def test_a_bad_output_is_refused_when_the_generator_is_made(output: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        augkit.ViewGenerator(augkit.image.HorizontalFlip(), seed=0, output=output)


def test_a_modality_without_named_steps_says_so() -> None:
    with pytest.raises(InvalidArgument, match=r"output='uint8'.*text"):
        augkit.ViewGenerator(augkit.text.RandomSwap(), seed=0, output="uint8")

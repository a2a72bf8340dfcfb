"""The image ops' batch kernels: called once per view position by generate_batch (host and torch), never per image."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from augkit import Compose, ViewGenerator
from augkit.core import modalities
from augkit.image.ops import ColorJitter, GaussianBlur, HorizontalFlip, RandomResizedCrop, Solarize, ToGray

OPS = [RandomResizedCrop(24), HorizontalFlip(p=1.0), ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0), ToGray(p=1.0),
       GaussianBlur((0.5, 1.5), p=1.0), Solarize(p=1.0)]


@pytest.mark.parametrize("device", [None, "cpu"])
def test_each_kernel_and_the_output_step_run_once_per_view(device: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (40, 48, 3), dtype=np.uint8) for _ in range(10)]
    output = modalities.get("image").output({"type": "normalized"})
    vg = ViewGenerator(Compose(OPS), n_views=2, seed=1, output=output)
    calls: dict[str, int] = {}
    for op in OPS:
        cls = type(op)
        kernel, rows_kernel = cls.transform_batch, getattr(cls, "transform_rows", None)

        def counted(self: Any, batch: Any, records: Any, kernel: Any = kernel, name: str = cls.__name__) -> Any:
            calls[name] = calls.get(name, 0) + 1
            return kernel(self, batch, records)

        if rows_kernel is not None:  # the in-place kernel on the rows that fired counts as the batch's call
            def counted_rows(self: Any, batch: Any, rows: Any, records: Any, kernel: Any = rows_kernel,
                             name: str = cls.__name__) -> Any:
                done = kernel(self, batch, rows, records)
                calls[name] = calls.get(name, 0) + bool(done)
                return done

            monkeypatch.setattr(cls, "transform_rows", counted_rows)

        def never(self: Any, x: Any, params: Any, name: str = cls.__name__) -> Any:
            raise AssertionError(f"{name}.transform ran per image inside a batch")

        monkeypatch.setattr(cls, "transform_batch", counted)
        monkeypatch.setattr(cls, "transform", never)
    converted = []
    convert = output.convert_batch
    monkeypatch.setattr(output, "convert_batch", lambda stack: converted.append(len(stack)) or convert(stack),
                        raising=False)
    made = vg.generate_batch(images, list(range(10)), device=device)
    assert calls == {type(op).__name__: 2 for op in OPS}
    assert converted == ([10, 10] if device is None else [])  # on a device the torch engine normalizes
    assert made.items[0].shape == (10, 3, 24, 24)

"""Views of many images at once: :meth:`augkit.ViewGenerator.generate_batch` under the name the image
package has always exported it by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from augkit.core.errors import WrongArgumentType
from augkit.views.batch import BatchViews, make_batch
from augkit.views.generator import ViewGenerator

__all__ = ["BatchViews", "generate_batch"]


def generate_batch(vg: ViewGenerator, images: Sequence[Any], indices: Sequence[int], epoch: int = 0,
                   device: Any = None) -> BatchViews:
    """Make the views of ``images`` (sample ``indices``) at once, equal to calling ``vg.generate`` per image.

    Every op runs its batch kernel once on the images it fired for, with the records ``generate``
    draws: ``device=None`` runs OpenCV's kernels over stacks of images on the host, bit for bit
    ``generate``'s views; ``device="cpu"``, ``"cuda"`` or a ``torch.device`` runs torch's kernels on
    that device (:mod:`augkit.image.torch_kernels`), views within rounding of ``generate``'s, items
    being uint8 ``[B, C, H, W]`` tensors (``output="uint8"`` or none) or normalized float32.

    Raises:
        InvalidArgument: when ``images`` is empty, ``indices`` has another length, or an index or the
            epoch is negative.
        WrongArgumentType: for a ``vg`` that is not a ViewGenerator.
        InvalidInput: when the views of two images do not stack (grayscale and RGB images mixed),
            naming both.

    Example:
        >>> batch = generate_batch(simclr_cifar(32, seed=0, output="uint8"), images, range(len(images)))
    """
    if not isinstance(vg, ViewGenerator):
        raise WrongArgumentType(f"generate_batch(vg=...) must be a ViewGenerator (from a preset), "
                                f"got {type(vg).__name__}")
    return make_batch(vg, images, indices, epoch, device, "images")

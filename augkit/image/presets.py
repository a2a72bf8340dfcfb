"""View presets with the hyper-parameters exactly as published, and their evaluation transforms.

Every preset returns a ready :class:`augkit.ViewGenerator`. Its input may be any image
:func:`augkit.image.as_image` accepts (converted once per sample); its output is chosen with
``output``: ``"normalized"`` (float32 C×H×W, the default), ``"uint8"`` (C×H×W, the fast path: call
:func:`augkit.image.normalize_batch` after the DataLoader) or ``"numpy"`` (H×W×C uint8, for previews).
Grayscale inputs give 1-channel views.

Every argument is checked at construction, and the error names the preset and the argument. Sizes
are at most :data:`augkit.core.args.MAX_SIDE` (16384) pixels a side, so a mistyped size is refused
instead of becoming a multi-gigabyte allocation; ``mean`` and ``std`` are 1 or 3 numbers in
``[0, 1]`` pixel units (``std`` at least 0.001, so normalized values stay within ±1000, finite in
float16 too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Compose
from augkit.core.args import MAX_SIDE, Arg, Check, Choice, Flag, Integer, Number, Numbers, Range
from augkit.core.errors import AugkitError
from augkit.core.modalities import walk
from augkit.image._convert import IMAGENET_MEAN, IMAGENET_STD, as_image, make_output
from augkit.image.masks import MaskField, PatchMask
from augkit.image.ops import (
    CenterCrop,
    ColorJitter,
    GaussianBlur,
    HorizontalFlip,
    RandomResizedCrop,
    Resize,
    Solarize,
    ToGray,
)
from augkit.views.generator import ViewGenerator
from augkit.views.presets import multi_crop, preset

__all__ = [
    "EvalTransform",
    "byol",
    "dino",
    "eval_transform",
    "moco_v2",
    "simclr",
    "simclr_cifar",
    "swav",
]


def paper_kernel_size(size: int) -> int:
    """The blur kernel of augkit 0.2's presets: 10 % of the image side, made odd (23 for 224)."""
    k = round(0.1 * size)
    return k if k % 2 == 1 else k + 1


def simclr_kernel_size(size: int) -> int:
    """SimCLR's blur kernel as its code builds it (``data_util.py``, ``random_blur``:
    ``kernel_size=height // 10``, then ``2 * (kernel_size // 2) + 1`` taps): 23 for 224, 9 for 96.
    BYOL's (``augmentations.py``, ``2 * int(height / 10 / 2) + 1``) is the same number."""
    return 2 * (size // 10 // 2) + 1


_OUTPUT = Choice(("normalized", "uint8", "numpy"))
#: Per-channel statistics in [0, 1] pixel units; a std of at least 0.001 keeps normalized values
#: within ±1000 (finite in float16), where a tiny std made infinities.
_MEAN, _STD = Numbers((1, 3), 0.0, 1.0), Numbers((1, 3), 0.001, 1.0)

#: The output keywords every image preset takes (after ``n_views`` and ``seed``).
IMAGE_OPTIONS = (
    Arg("output", _OUTPUT, "normalized",
        "'normalized' (float32 C×H×W), 'uint8' (C×H×W) or 'numpy' (H×W×C uint8)", keyword_only=True),
    Arg("mean", _MEAN, IMAGENET_MEAN, "normalization mean for 'normalized' (1 or 3 numbers in [0, 1])",
        keyword_only=True),
    Arg("std", _STD, IMAGENET_STD, "normalization std for 'normalized' (1 or 3 numbers in [0.001, 1])",
        keyword_only=True),
)


def _finish(pipelines: Augmenter[Any] | list[Augmenter[Any]], n_views: int, seed: int | None, *, output: str,
            mean: Sequence[float], std: Sequence[float]) -> ViewGenerator:
    """The image presets' generator, with the declared output step (inputs are converted once per
    sample by the image modality's check)."""
    convert = make_output(output, mean, std)  # output was checked by its declaration
    count = n_views if isinstance(pipelines, Augmenter) else None
    views = [pipelines] if isinstance(pipelines, Augmenter) else pipelines
    masked = any(isinstance(op, PatchMask) for op in walk(views))
    return ViewGenerator(pipelines, n_views=count, seed=seed, output=convert,
                         extra_fields={"mask": MaskField()} if masked else None)


def image_options(mean: Sequence[float], std: Sequence[float]) -> tuple[Arg, ...]:
    """The output keywords with a preset's own normalization statistics as defaults (CLIP: OpenAI's)."""
    return (IMAGE_OPTIONS[0], Arg("mean", _MEAN, tuple(mean), "normalization mean (1 or 3 numbers in [0, 1])",
                                  keyword_only=True),
            Arg("std", _STD, tuple(std), "normalization std (1 or 3 numbers in [0.001, 1])", keyword_only=True))


def image_preset(name: str, *, options: tuple[Arg, ...] = IMAGE_OPTIONS, **kwargs: Any) -> Any:
    """``@preset`` for an image recipe: the output keywords and the image generator's finish."""
    return preset(name, modality="image", options=options, finish=_finish, **kwargs)



SIDE = Integer(1, MAX_SIDE)  # a view's side in pixels (the blur kernel is 10 % of it)


def checked(recipe: str, name: str, check: Check, value: Any) -> Any:
    """``value`` checked by ``check``; the error names the preset and the argument, with the same class."""
    try:
        return check(value, name)
    except AugkitError as err:
        raise type(err)(f"{recipe}(): {err}") from None



def _split(n_views: int) -> int:
    """The local views of a multi-crop recipe: 2 global views, then the rest."""
    return n_views - 2


def simclr_pipeline(size: int, scale: tuple[float, float], jitter: tuple[float, float, float, float],
                     blur_p: float, solarize_p: float = 0.0, *, interpolation: str = "linear",
                     kernel: Callable[[int], int] | None = paper_kernel_size, sigma: tuple[float, float] = (0.1, 2.0),
                     jitter_p: float = 0.8, flip_p: float = 0.5, extra: Sequence[Augmenter[Any]] = (),
                     semantics: str = "torchvision", fit: str = "retry", border: str = "reflect") -> Compose:
    """Crop, flip, jitter, grayscale, blur, solarize: the recipe SimCLR set and its successors vary.

    ``kernel`` is the blur kernel's rule (the side for a view side); None: the 3σ kernel, what PIL's
    ``GaussianBlur(radius=σ)`` in the PyTorch references (MoCo, SwAV, DINO, ...) computes.
    ``semantics`` is the colour jitter's maths (:class:`ColorJitter`): TensorFlow references
    (SimCLR, BYOL) jitter as ``tf.image`` does and blur with zeros beyond the image (``border``);
    ``fit`` is the crop's (:class:`RandomResizedCrop`).
    """
    crop = RandomResizedCrop(size, scale=scale, ratio=(3 / 4, 4 / 3), interpolation=interpolation, fit=fit)
    ops: list[Augmenter[Any]] = [crop]
    if flip_p > 0:
        ops.append(HorizontalFlip(p=flip_p))
    if jitter_p > 0:
        ops += [ColorJitter(*jitter, p=jitter_p, semantics=semantics), ToGray(p=0.2)]
    if blur_p > 0:
        ops.append(GaussianBlur(sigma=sigma, kernel_size=None if kernel is None else kernel(size), p=blur_p,
                                border=border))
    if solarize_p > 0:
        ops.append(Solarize(threshold=128, p=solarize_p))
    return Compose([*ops, *extra])


@image_preset("image.simclr")
def simclr(size: int = 224, *, strength: float = 1.0, blur: bool = True) -> Augmenter[Any]:
    """SimCLR views (Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual
    Representations", Appendix A, and the official ``data_util.py``).

    Per view: random resized crop (area 0.08–1, aspect 3/4–4/3) to ``size``, resized bicubically
    (``crop_and_resize``: ``tf.image.resize(..., method=BICUBIC)``; here OpenCV's ``"cubic"``),
    horizontal flip (p 0.5), colour jitter (brightness, contrast, saturation 0.8·s, hue 0.2·s,
    p 0.8, random order, clipped after each; ``tf.image``'s maths with SimCLR v2's multiplicative
    brightness, ``color_jitter_rand``: ``semantics="simclr_v2"``), grayscale (p 0.2), Gaussian
    blur (p 0.5, σ 0.1–2, kernel ``2·(size // 10 // 2) + 1`` as ``random_blur`` builds it: 23 for
    224; zeros beyond the image, ``depthwise_conv2d(padding='SAME')``: ``border="zeros"``). The
    evaluation transform is :func:`eval_transform` (resize to size/0.875, centre crop).

    Args:
        size: output side in pixels.
        strength: colour distortion strength s (1.0 for ImageNet; the paper uses 0.5 on CIFAR-10).
        blur: apply the Gaussian blur (the paper drops it for CIFAR-10).
        n_views: number of views per sample.
        seed: the generator's seed (pass one explicitly with several processes or DDP ranks).
        output: ``"normalized"``, ``"uint8"`` or ``"numpy"``.
        mean, std: normalization statistics for ``"normalized"``.

    Example:
        >>> v1, v2 = simclr(224, seed=0)(photo, index=0)
    """
    size = checked("simclr", "size", SIDE, size)
    s = checked("simclr", "strength", Number(0.0, 2.5), strength)  # at most 2.5: the hue shift 0.2·s stays within 0.5
    blur = checked("simclr", "blur", Flag(), blur)
    return simclr_pipeline(size, (0.08, 1.0), (0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s), 0.5 if blur else 0.0,
                            interpolation="cubic", kernel=simclr_kernel_size, semantics="simclr_v2",
                            border="zeros")


@image_preset("image.simclr_cifar")
def simclr_cifar(size: int = 32, *, scale: tuple[float, float] = (0.08, 1.0)) -> Augmenter[Any]:
    """SimCLR views for small images (Chen et al. 2020, Appendix B.9, CIFAR-10): no blur, colour
    strength s = 0.5 (jitter 0.4, 0.4, 0.4, 0.1, p 0.8, ``tf.image``'s maths as :func:`simclr`),
    grayscale p 0.2, crop 0.08–1 resized bicubically (as ``data_util.py``), flip.

    Works for 28×28 grayscale inputs too (e.g. Fashion-MNIST): the views then have 1 channel and
    saturation/hue jitter has no effect. ``scale`` is the crop's area range (the paper's 0.08–1 by
    default; milder crops such as 0.2–1 suit 28×28 digits and clothes). Evaluation:
    :func:`eval_transform` with ``resize=size``.

    Example:
        >>> vg = simclr_cifar(32, seed=0, output="uint8")
    """
    size = checked("simclr_cifar", "size", SIDE, size)
    scale = checked("simclr_cifar", "scale", Range(0.0, 1.0, low_open=True), scale)
    return simclr_pipeline(size, scale, (0.4, 0.4, 0.4, 0.1), blur_p=0.0, interpolation="cubic",
                            semantics="simclr_v2")


@image_preset("image.moco_v2")
def moco_v2(size: int = 224) -> Augmenter[Any]:
    """MoCo v2 views (Chen et al. 2020, "Improved Baselines with Momentum Contrastive Learning",
    and ``main_moco.py --aug-plus``): crop area 0.2–1 (torchvision's default bilinear resize), colour
    jitter (0.4, 0.4, 0.4, 0.1) p 0.8, grayscale p 0.2, Gaussian blur σ 0.1–2 p 0.5 (``moco/loader.py``:
    PIL's ``GaussianBlur(radius=σ)``, a full Gaussian: the 3σ kernel here), flip. Evaluation:
    :func:`eval_transform`.

    Example:
        >>> q, k = moco_v2(seed=0)(photo, index=0)
    """
    size = checked("moco_v2", "size", SIDE, size)
    return simclr_pipeline(size, (0.2, 1.0), (0.4, 0.4, 0.4, 0.1), blur_p=0.5, kernel=None)


@image_preset("image.byol", fixed_views=True)
def byol(size: int = 224) -> list[Augmenter[Any]]:
    """BYOL's two asymmetric views (Grill et al. 2020, "Bootstrap Your Own Latent", Appendix B,
    and its code: ``google-deepmind/deepmind-research``, ``byol/utils/dataset.py`` and
    ``byol/utils/augmentations.py``): a crop of area 0.08–1 (aspect 3/4–4/3, one draw with its
    sides cut to the image's: ``fit="clamp"``) resized bicubically (``tf.image.resize(...,
    BICUBIC)``; OpenCV's ``"cubic"`` here), flip p 0.5, colour jitter (0.4, 0.4, 0.2, 0.1) p 0.8 in
    random order with ``tf.image``'s maths (additive brightness, contrast around each channel's
    mean, saturation and hue in HSV, clipped after each: ``semantics="tensorflow"``), grayscale
    p 0.2, Gaussian blur σ 0.1–2 with the kernel ``2·int(size / 20) + 1`` (``blur_divider=10``: 23
    taps at 224, 9 at 96) and zeros beyond the image (``padding='SAME'``: ``border="zeros"``),
    solarize at 0.5 (128). View 1: blur p 1.0, solarize p 0; view 2: blur
    p 0.1, solarize p 0.2. Evaluation: :func:`eval_transform`. The two views are different
    recipes, so ``n_views`` can only be 2.

    Example:
        >>> online, target = byol(seed=0)(photo, index=0)
    """
    size = checked("byol", "size", SIDE, size)
    jitter = (0.4, 0.4, 0.2, 0.1)
    tf: dict[str, Any] = {"interpolation": "cubic", "kernel": simclr_kernel_size, "semantics": "tensorflow",
                          "fit": "clamp", "border": "zeros"}
    view1 = simclr_pipeline(size, (0.08, 1.0), jitter, blur_p=1.0, solarize_p=0.0, **tf)
    view2 = simclr_pipeline(size, (0.08, 1.0), jitter, blur_p=0.1, solarize_p=0.2, **tf)
    return [view1, view2]


@image_preset("image.swav", views=8, min_views=2)
def swav(size: int = 224, local_size: int = 96, *, n_views: int = 8) -> list[Augmenter[Any]]:
    """SwAV multi-crop (Caron et al. 2020, "Unsupervised Learning of Visual Features by Contrasting
    Cluster Assignments", Section 3.2 and ``main_swav.py``): 2×224 crops at area 0.14–1 and
    6×96 at 0.05–0.14, each with flip, colour distortion s = 1 (0.8, 0.8, 0.8, 0.2, p 0.8),
    grayscale p 0.2 and Gaussian blur p 0.5, σ 0.1–2 (``src/multicropdataset.py``: PIL's
    ``GaussianBlur(radius=σ)``, the 3σ kernel here, not capped at 10 % of a 96 view), bilinear resize
    (torchvision's default). ``n_views`` (8) is the total: 2 global views first, then ``n_views - 2``
    local ones.

    Example:
        >>> views = swav(seed=0)(photo, index=0)   # 8 views
    """
    size, local_size = checked("swav", "size", SIDE, size), checked("swav", "local_size", SIDE, local_size)
    jitter = (0.8, 0.8, 0.8, 0.2)
    g = simclr_pipeline(size, (0.14, 1.0), jitter, blur_p=0.5, kernel=None)
    local = simclr_pipeline(local_size, (0.05, 0.14), jitter, blur_p=0.5, kernel=None)
    return multi_crop(g, local, 2, _split(n_views))


@image_preset("image.dino", views=10, min_views=2)
def dino(size: int = 224, local_size: int = 96, *, n_views: int = 10) -> list[Augmenter[Any]]:
    """DINO multi-crop (Caron et al. 2021, "Emerging Properties in Self-Supervised Vision
    Transformers", Section 3.1 and ``DataAugmentationDINO``): 2 global crops at area 0.4–1 and
    ``n_views - 2`` (8) local 96 crops at 0.05–0.4; flip, colour jitter (0.4, 0.4, 0.2, 0.1) p 0.8,
    grayscale p 0.2; global 1: blur p 1.0; global 2: blur p 0.1 and solarize p 0.2; locals: blur
    p 0.5. As ``main_dino.py`` runs it: crops resized bicubically (``interpolation=Image.BICUBIC``;
    OpenCV's ``"cubic"`` here) and blurred by ``utils.GaussianBlur``, PIL's ``GaussianBlur(radius=σ)``
    with σ uniform in [0.1, 2] (a full Gaussian: the 3σ kernel here).

    Example:
        >>> views = dino(seed=0)(photo, index=0)   # 2 + 8 views
    """
    size, local_size = checked("dino", "size", SIDE, size), checked("dino", "local_size", SIDE, local_size)
    jitter = (0.4, 0.4, 0.2, 0.1)
    rules: dict[str, Any] = {"interpolation": "cubic", "kernel": None}
    global1 = simclr_pipeline(size, (0.4, 1.0), jitter, blur_p=1.0, **rules)
    global2 = simclr_pipeline(size, (0.4, 1.0), jitter, blur_p=0.1, solarize_p=0.2, **rules)
    local = simclr_pipeline(local_size, (0.05, 0.4), jitter, blur_p=0.5, **rules)
    views: list[Augmenter[Any]] = [global1, global2, *[local] * _split(n_views)]
    return views


class EvalTransform:
    """Resize the shorter side to ``resize``, centre-crop ``size``, convert (the evaluation transform).

    Example:
        >>> eval_transform(224)(photo).shape   # torch.Size([3, 224, 224])
    """

    def __init__(self, size: int, resize: int, output: str, mean: Sequence[float], std: Sequence[float]) -> None:
        self.size, self.resize = size, resize
        self._resize, self._crop = Resize(resize), CenterCrop(size)
        self._output: Callable[[np.ndarray], Any] | None = make_output(output, mean, std)

    def __call__(self, x: Any) -> Any:
        fired = {"applied": True}  # both ops are deterministic: they always fire and draw nothing
        img = self._crop.transform(self._resize.transform(as_image(x), fired), fired)
        return img if self._output is None else self._output(img)

    def __repr__(self) -> str:
        return f"EvalTransform(size={self.size}, resize={self.resize})"


def eval_transform(
    size: int = 224,
    resize: int | None = None,
    *,
    output: str = "normalized",
    mean: Sequence[float] = IMAGENET_MEAN,
    std: Sequence[float] = IMAGENET_STD,
) -> EvalTransform:
    """The evaluation transform that goes with the presets, for linear probes and kNN.

    Args:
        size: the centre crop's side.
        resize: the shorter side before cropping; defaults to ``round(size / 0.875)`` (256 for
            224, at most MAX_SIDE), as SimCLR, MoCo and BYOL evaluate. Pass ``resize=size`` for CIFAR-sized inputs.
        output, mean, std: as in the presets.

    Raises:
        InvalidArgument: for a size or resize outside [1, MAX_SIDE], an unknown ``output``, or
            statistics out of range (each named).
        WrongArgumentType: for an argument of the wrong type.
    """
    size = checked("eval_transform", "size", SIDE, size)
    # the default resize stays within the bound too
    resize = min(MAX_SIDE, round(size / 0.875)) if resize is None else checked("eval_transform", "resize", SIDE, resize)
    output = checked("eval_transform", "output", _OUTPUT, output)
    mean, std = checked("eval_transform", "mean", _MEAN, mean), checked("eval_transform", "std", _STD, std)
    return EvalTransform(size, resize, output, mean, std)

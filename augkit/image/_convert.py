"""Image input validation and the output step (conversion to tensors), kept out of the augmenters.

Internally an image is a C-contiguous uint8 numpy array, ``H×W×3`` (RGB) or ``H×W`` (grayscale).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType

__all__ = ["IMAGENET_MEAN", "IMAGENET_STD", "as_image", "check_stats", "make_output"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

_ACCEPTED = (
    "an H×W×3 or H×W uint8 numpy array (RGB), an H×W×4 array (alpha is dropped), a uint16 array (rescaled to "
    "uint8), a float array in [0, 1], a PIL image, or a C×H×W uint8 torch tensor"
)


def as_image(x: Any) -> np.ndarray:
    """Convert a supported image to augkit's internal form: uint8 ``H×W×3`` or ``H×W``.

    - RGBA (4 channels): the alpha channel is dropped.
    - One channel (``H×W`` or ``H×W×1``): kept as grayscale ``H×W``.
    - uint16: rescaled to uint8 (``round(v / 257)``, so 65535 → 255); any byte order.
    - float32/float64: must lie in [0, 1]; scaled to uint8.
    - PIL images of any mode, as :meth:`ImageModality.load` reads the same picture from a file:
      grey modes (``1``, ``L``, ``LA``, ``La``, ``F``) and palettes of greys only stay grayscale
      ``H×W`` (alpha dropped); 16-bit modes (``I;16``, ``I;16B``, ``I;16L``, ``I;16N``, and ``I``
      with values in [0, 65535]) are read as uint16 grey levels; every other mode (palettes with
      or without transparency, RGBA, RGBa, CMYK, YCbCr, LAB, HSV) becomes RGB, alpha dropped.
    - torch tensors: ``C×H×W`` (or ``H×W``) uint8, as torchvision's ``read_image`` gives them.

    Raises:
        WrongInputType: (a TypeError) for unsupported types or dtypes (bool, int8, int32, ...).
        InvalidInput: (a ValueError) for a wrong number of dimensions, zero-size images, 2 or more
            than 4 channels, NaN/inf floats or floats outside [0, 1], or a PIL mode PIL cannot convert.
    """
    arr = _to_array(x)
    if arr.ndim not in (2, 3):
        raise InvalidInput(f"image has shape {arr.shape}: expected H×W or H×W×C; accepted: {_ACCEPTED}")
    if arr.size == 0:
        raise InvalidInput(f"image has shape {arr.shape} with no pixels; accepted: {_ACCEPTED}")
    if arr.ndim == 3:
        channels = arr.shape[2]
        if channels == 1:
            arr = arr[:, :, 0]
        elif channels == 4:
            arr = arr[:, :, :3]
        elif channels != 3:
            raise InvalidInput(
                f"image has shape {arr.shape} with {channels} channels: expected 1 (gray), 3 (RGB) or 4 (RGBA)"
            )
    arr = np.ascontiguousarray(_to_uint8(arr))
    # numpy calls an array with a reversed axis of length 1 contiguous and keeps its negative
    # stride, which torch.from_numpy (the output step) refuses: such an image is copied
    return arr.copy() if any(s < 0 for s in arr.strides) else arr


def _to_array(x: Any) -> np.ndarray:
    if isinstance(x, np.ndarray):
        if x.dtype.byteorder == ">" or (x.dtype.byteorder == "<" and np.little_endian is False):
            return x.astype(x.dtype.newbyteorder("="))  # big-endian files (FITS, some TIFFs): native order
        return x
    module = type(x).__module__
    if module.startswith("torch"):
        import torch

        if not isinstance(x, torch.Tensor):
            raise WrongInputType(f"unsupported image type {type(x).__name__}; accepted: {_ACCEPTED}")
        if x.dtype != torch.uint8:
            raise WrongInputType(f"torch image has dtype {x.dtype}; accepted: {_ACCEPTED}")
        t = x.detach().cpu()
        if t.ndim == 3:
            if t.shape[0] not in (1, 3, 4):
                raise InvalidInput(
                    f"torch image has shape {tuple(t.shape)}: expected C×H×W with C in 1, 3, 4 (channels first)"
                )
            t = t.permute(1, 2, 0)
        return np.asarray(t.numpy())
    if module.startswith("PIL"):
        arr = _pil_to_array(x)
        # numpy views PIL's bytes read-only: torch warns on them (the output step), users write into images
        return arr if arr.flags.writeable else arr.copy()
    raise WrongInputType(f"unsupported image type {type(x).__name__}; accepted: {_ACCEPTED}")


#: PIL modes read as one grey channel: 1-bit, 8-bit, grey with alpha (dropped; ``La`` is premultiplied)
#: and 32-bit float (PIL's own conversion to ``L``: clipped to [0, 255] and rounded)
PIL_GRAY_MODES = frozenset({"1", "L", "LA", "La", "F"})
#: PIL modes read as 16-bit grey levels (any byte order), then scaled as uint16 arrays are
PIL_16BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N", "I"})


def _pil_to_array(img: Any) -> np.ndarray:
    """A PIL image of any mode as a uint8/uint16 ``H×W`` or uint8 ``H×W×3`` array: one grey
    channel for the grey modes and palettes of greys only, RGB (alpha dropped) for the others.
    :meth:`ImageModality.load` gives a file's picture the same way."""
    mode = getattr(img, "mode", "")
    try:
        if mode in PIL_16BIT_MODES:
            arr = np.asarray(img)
            if mode == "I":  # 32-bit grayscale: 16-bit files (PNG, TIFF) open in this mode
                low, high = (int(arr.min()), int(arr.max())) if arr.size else (0, 0)
                if low < 0 or high > 65535:
                    raise InvalidInput(f"a 32-bit PIL image (mode I) with values in [{low}, {high}]: augkit reads "
                                       "mode I as 16-bit grey levels in [0, 65535]; scale it first")
            return arr.astype(np.uint16)
        if mode in PIL_GRAY_MODES:
            if mode == "La":  # PIL converts premultiplied grey only to LA (it divides by alpha)
                img = img.convert("LA")
            return np.asarray(img if mode == "L" else img.convert("L"))
        if mode in ("P", "PA"):
            # through RGBA: PIL warns converting a palette with per-entry transparency to RGB
            rgb = np.asarray(img.convert("RGBA"))[..., :3]
            grey = bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())
            return rgb[..., 0] if grey else rgb
        return np.asarray(img if mode == "RGB" else img.convert("RGB"))
    except (ValueError, OSError) as exc:  # a mode PIL has no conversion for
        if isinstance(exc, InvalidInput):
            raise
        raise InvalidInput(f"a PIL image in mode {mode!r} cannot be read ({exc}); convert it to 'RGB' or 'L' "
                           "first (img.convert('RGB'))") from None


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.uint16:
        return ((arr.astype(np.uint32) + 128) // 257).astype(np.uint8)
    if arr.dtype in (np.float32, np.float64):
        if not np.all(np.isfinite(arr)):
            raise InvalidInput(f"image of dtype {arr.dtype} and shape {arr.shape} holds NaN or inf values")
        lo, hi = float(arr.min()), float(arr.max())
        if lo < 0.0 or hi > 1.0:
            raise InvalidInput(
                f"float image values lie in [{lo:g}, {hi:g}]; float images must lie in [0, 1] (or pass uint8)"
            )
        return np.rint(arr * 255.0).astype(np.uint8)
    raise WrongInputType(f"image dtype {arr.dtype} is not supported; accepted: {_ACCEPTED}")


# ---------------------------------------------------------------------------------------------
# Output step: the last conversion of a view, outside the augmenter chain.

OUTPUTS = ("normalized", "uint8", "numpy")


def make_output(
    output: str, mean: Sequence[float] = IMAGENET_MEAN, std: Sequence[float] = IMAGENET_STD
) -> Any:
    """Return the function that turns an augmented uint8 image into the requested output.

    Args:
        output: ``"normalized"`` (float32 C×H×W tensor, ``(v/255 - mean) / std``), ``"uint8"``
            (uint8 C×H×W tensor; normalize later with :func:`normalize_batch`), or ``"numpy"``
            (the uint8 H×W×C array itself, e.g. for previews).
        mean, std: per-channel statistics in [0, 1] units (ImageNet by default).

    Raises:
        InvalidArgument: for an unknown ``output``, or ``mean``/``std`` that are not 1 or 3 finite
            numbers (``std`` positive).
    """
    if output not in OUTPUTS:
        raise InvalidArgument(f"output={output!r} must be one of {OUTPUTS}")
    if output == "numpy":
        return None
    if output == "uint8":
        return _ToUint8Tensor(mean, std)
    return _ToNormalizedTensor(mean, std)


def _channels_first(img: np.ndarray) -> np.ndarray:
    """``H×W×3`` → contiguous ``3×H×W`` (``H×W`` → ``1×H×W``) in one pass.

    ``cv2.split`` into the planes of a preallocated array is ≈ 8× faster than numpy's transposed copy.
    """
    import cv2

    if img.ndim == 2:
        return img[None]
    chw = np.empty((img.shape[2], img.shape[0], img.shape[1]), dtype=img.dtype)
    cv2.split(img, list(chw))
    return chw


#: up to this many pixels an image, stacks are split as one tall image (beyond, per image: a tall
#: split of a batch of 224×224 images runs out of cache and is ≈ 10× slower than 64 small splits)
TALL_SPLIT_PIXELS = 64 * 64


def channels_first_batch(stack: np.ndarray) -> np.ndarray:
    """``[B, H, W, C]`` → contiguous ``[B, C, H, W]``: small images by one ``cv2.split`` of the
    stack seen as one tall image and one block copy per channel (7× faster than a split per 32×32
    image), large ones by a split per image (into the output's planes)."""
    import cv2

    n, h, w, c = stack.shape
    out = np.empty((n, c, h, w), dtype=stack.dtype)
    if h * w > TALL_SPLIT_PIXELS:
        for image, planes in zip(stack, out, strict=True):
            cv2.split(image, list(planes))
        return out
    planes = cv2.split(np.ascontiguousarray(stack).reshape(n * h, w, c))
    for k, plane in enumerate(planes):
        out[:, k] = plane.reshape(n, h, w)
    return out


class _ToUint8Tensor:
    """From uint8 ``H×W×C`` to a uint8 ``C×H×W`` tensor (normalize later with :func:`normalize_batch`).

    It carries the statistics its views are to be normalized with (``mean``, ``std``), so that
    ``normalize_batch(batch, vg)`` uses the generator's own; its spec names them when they are not
    ImageNet's.
    """

    def __init__(self, mean: Sequence[float] = IMAGENET_MEAN, std: Sequence[float] = IMAGENET_STD) -> None:
        mean_a, std_a = check_stats(mean, std)
        self.mean, self.std = mean_a.tolist(), std_a.tolist()
        imagenet = self.mean == list(IMAGENET_MEAN) and self.std == list(IMAGENET_STD)
        self.spec: dict[str, Any] = {"type": "uint8"} if imagenet else \
            {"type": "uint8", "mean": self.mean, "std": self.std}  # how a config spec names this step

    def __call__(self, img: np.ndarray) -> Any:
        import torch

        return torch.from_numpy(_channels_first(img))

    def convert_batch(self, stack: np.ndarray) -> Any:
        """A ``[B, H, W, 3]`` (or grayscale ``[B, H, W]``) uint8 stack as a ``[B, C, H, W]`` tensor,
        equal to converting each image."""
        import torch

        if stack.ndim == 3:
            return torch.from_numpy(np.ascontiguousarray(stack[:, None]))
        return torch.from_numpy(channels_first_batch(stack))


class _ToNormalizedTensor:
    """From uint8 ``H×W×C`` to a contiguous normalized float32 ``C×H×W`` tensor.

    Up to 64×64 pixels: a per-channel float32 lookup table (``cv2.LUT``) and a split into planes,
    where per-call overhead dominates. Larger: one split into uint8 planes, one conversion to
    float32 and one in-place multiply-add (``v · 1/(255·std) - mean/std``), about 2× faster there.
    The two agree within 4e-7; a given image size always takes the same path, so replays are exact.
    """

    _SMALL = 64 * 64

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        mean_a, std_a = check_stats(mean, std)
        self.mean, self.std = mean_a.tolist(), std_a.tolist()
        self.spec = {"type": "normalized", "mean": self.mean, "std": self.std}  # how a config spec names it
        mean3, std3 = np.resize(mean_a, 3), np.resize(std_a, 3)
        # grayscale views have one channel: normalized with the averaged statistics
        levels = np.arange(256, dtype=np.float64)[:, None] / 255.0
        self._lut = ((levels - mean3) / std3).astype(np.float32).reshape(1, 256, 3)
        self._plane_luts = [np.ascontiguousarray(self._lut[0, :, k]) for k in range(3)]
        self._gray_lut = ((levels[:, 0] - mean3.mean()) / std3.mean()).astype(np.float32).reshape(1, 256)
        # per plane: level · scale + bias (cv2.addWeighted's one pass from uint8 to float32)
        self._planes = [(float(a), float(b)) for a, b in zip(1.0 / (255.0 * std3), -mean3 / std3, strict=True)]
        self._gray_plane = (float(1.0 / (255.0 * std3.mean())), float(-mean3.mean() / std3.mean()))

    def __call__(self, img: np.ndarray) -> Any:
        import torch

        if img.shape[0] * img.shape[1] <= self._SMALL:
            import cv2

            if img.ndim == 2:
                return torch.from_numpy(cv2.LUT(img, self._gray_lut))[None]
            return torch.from_numpy(_channels_first(cv2.LUT(img, self._lut)))
        out = np.empty((1 if img.ndim == 2 else img.shape[2], *img.shape[:2]), dtype=np.float32)
        self._normalize_into(img, out)
        return torch.from_numpy(out)

    def _normalize_into(self, img: np.ndarray, out: np.ndarray) -> None:
        """``img`` (``H×W×3`` or ``H×W`` uint8) normalized into ``out`` (``C×H×W`` float32), plane by plane."""
        import cv2

        planes = _channels_first(img)
        for plane, dst, (scale, bias) in zip(planes, out, [self._gray_plane] if img.ndim == 2 else self._planes,
                                             strict=True):
            cv2.addWeighted(plane, scale, plane, 0.0, bias, dst=dst, dtype=cv2.CV_32F)

    def convert_batch(self, stack: np.ndarray) -> Any:
        """A ``[B, H, W, 3]`` (or grayscale ``[B, H, W]``) uint8 stack as a normalized
        ``[B, C, H, W]`` tensor, bit-identical to converting each image (the same path is taken for
        the same image size)."""
        import torch

        if stack.ndim == 3:
            stack = stack[..., None]
        n, h, w, c = stack.shape
        if h * w <= self._SMALL:
            import cv2

            # the per-image path's table lookups, plane by plane over the stack seen as one tall
            # image (8x faster than looking up the interleaved stack and then splitting floats)
            planes = cv2.split(np.ascontiguousarray(stack).reshape(n * h, w, c))
            out = np.empty((n, c, h, w), dtype=np.float32)
            tables = self._plane_luts if c == 3 else [self._gray_lut.reshape(256)]
            for k, plane in enumerate(planes):
                out[:, k] = cv2.LUT(plane, tables[k]).reshape(n, h, w)
            return torch.from_numpy(out)
        # image by image into the output, as __call__ computes each one (the same bits), while the
        # image is in cache: passes over a whole [64, 3, 224, 224] batch would run from memory
        out = np.empty((n, c, h, w), dtype=np.float32)
        for image, view in zip(stack, out, strict=True):
            self._normalize_into(image[..., 0] if c == 1 else image, view)
        return torch.from_numpy(out)


def check_stats(mean: Sequence[float], std: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    try:
        mean_a = np.asarray(mean, dtype=np.float64).reshape(-1)
        std_a = np.asarray(std, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise WrongArgumentType(f"mean={mean!r} and std={std!r} must both be sequences of 1 or 3 numbers") from None
    if mean_a.size not in (1, 3) or std_a.size not in (1, 3):
        raise InvalidArgument(f"mean={mean!r} and std={std!r} must both hold 1 or 3 numbers")
    if mean_a.shape != std_a.shape:
        raise InvalidArgument(f"mean={mean!r} holds {mean_a.size} number(s) and std={std!r} {std_a.size}: give both "
                              "1 number (grayscale) or both 3 (RGB)")
    if not (np.all(np.isfinite(mean_a)) and np.all(np.isfinite(std_a))):
        raise InvalidArgument(f"mean={mean!r} and std={std!r} must be finite numbers")
    if np.any(std_a <= 0):
        raise InvalidArgument(f"std={std!r} must be positive")
    return mean_a, std_a

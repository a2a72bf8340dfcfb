"""The image modality: uint8 ``H×W×3`` (RGB) or ``H×W`` (grayscale) numpy arrays.

Everything augkit knows about images outside the ops lives here: the canonical form and the forms
converted to it, reading files, storing views (JPEG q95 by default, PNG or npy), batching, and
showing a view (normalized views un-normalized with the generator's own mean and std).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from augkit.core.errors import InvalidInput, MissingFile
from augkit.core.html import png_uri
from augkit.core.modalities import BaseModality, register
from augkit.image.render import crop_boxes, draw_boxes, gray_levels, marked_views, picture, view_boxes

__all__ = ["EXTENSIONS", "ImageModality", "crop_boxes", "picture"]

#: File suffixes :meth:`ImageModality.load` reads.
EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
_JPEG_QUALITY = 95


def _canonical(x: Any) -> bool:
    return type(x) is np.ndarray and x.dtype == np.uint8 and x.size > 0 and \
        (x.ndim == 2 or (x.ndim == 3 and x.shape[2] == 3))


class ImageModality(BaseModality):
    """Ops see a uint8 ``H×W×3`` or ``H×W`` array; other inputs go through
    :func:`augkit.image.as_image` (PIL images, RGBA, uint16, floats in [0, 1], ``C×H×W`` tensors)."""

    name = "image"
    extensions = EXTENSIONS
    formats = ("jpg", "png", "npy")
    libraries = ("albumentations",)
    ops_modules = ("augkit.image.ops", "augkit.image.mixing", "augkit.image.albumentations_wrapper",
                   "augkit.image.masks", "augkit.image.presets", "augkit.image.presets_ssl", "augkit.image.geometric",
                   "augkit.image.tone", "augkit.image.erasing", "augkit.image.jpeg", "augkit.image.auto_augment",
                   "augkit.image.presets_blip")

    def check(self, x: Any, **options: Any) -> np.ndarray:
        """``x`` as a uint8 ``H×W×3``/``H×W`` array (see :func:`augkit.image.as_image`)."""
        if _canonical(x):
            return x
        from augkit.image._convert import as_image

        return as_image(x)

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        # the canonical form passes with a few attribute reads: ops inside a pipeline see it
        if _canonical(x):
            return x, False, None
        return self.check(x), False, None

    def stack(self, items: Sequence[Any], where: str) -> Any:
        return np.stack(items)

    def load(self, path: str | Path, color: str = "rgb", **options: Any) -> np.ndarray:
        """Read an image file as uint8 ``H×W×3`` RGB (``color="rgb"``, the default, as torchvision's
        ``ImageFolder`` reads: a folder mixing grayscale and colour files gives views of one kind),
        ``H×W`` grey (``"gray"``), or in the layout :meth:`check` gives the same picture held as an
        array (``"keep"``: colour files RGB, grayscale files ``H×W``). Alpha is dropped; palette,
        CMYK, 1-bit, 16-bit (scaled as :func:`augkit.image.as_image` scales uint16) and float
        files are converted.

        Raises:
            FileNotFoundError: when ``path`` does not exist.
            InvalidInput: when ``path`` is a folder, or not an image PIL can decode, naming it.
            InvalidArgument: for a ``color`` other than "rgb", "gray" or "keep".
        """
        _check_color(color)
        from PIL import Image, UnidentifiedImageError

        path = Path(path)
        if path.is_dir():
            raise InvalidInput(f"image path {path} is a folder, not an image file")
        if not path.is_file():
            raise MissingFile(f"image file {path} does not exist")
        try:
            with Image.open(path) as img:
                img.load()
                # one layout per picture, whatever the file's mode: check() reads grey modes and
                # grey palettes as H×W, as a numpy H×W array is grayscale too, and the rest as RGB
                picture = _colored(self.check(img), color)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise InvalidInput(f"cannot decode image file {path}: {exc}") from None
        # arrays viewing PIL's buffer are read-only: torch warns on them, and users write into images
        return picture if picture.flags.writeable else picture.copy()

    def load_bytes(self, data: bytes, name: str = "", color: str = "rgb", **options: Any) -> np.ndarray:
        """One image from an encoded file in memory (any format PIL reads), as :meth:`load` reads a file."""
        from PIL import Image, UnidentifiedImageError

        _check_color(color)
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                return _colored(self.check(img), color)
        except (UnidentifiedImageError, OSError) as exc:
            raise InvalidInput(f"cannot decode image {name or 'bytes'}: {exc}") from None

    def encode(self, view: Any, format: str | None = None, **context: Any) -> tuple[bytes, str]:
        """A view (before the output step) as JPEG (q95, the default), PNG (lossless) or npy (exact)."""
        fmt = self.check_format(format)
        img = self.check(view)
        if fmt == "npy":
            return super().encode(img, fmt)
        from PIL import Image

        buf = io.BytesIO()
        if fmt == "jpg":
            # 4:4:4 (no chroma subsampling): colour edges of small views keep their place
            Image.fromarray(img).save(buf, format="JPEG", quality=_JPEG_QUALITY, subsampling=0)
        else:
            Image.fromarray(img).save(buf, format="PNG")
        return buf.getvalue(), fmt

    def decode(self, data: bytes, extension: str) -> np.ndarray:
        fmt = self.check_format(extension)
        if fmt == "npy":
            return self.check(super().decode(data, fmt))
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            return self.check(np.asarray(img))

    render_options = ("crop_boxes",)
    #: Image views have a left and a right: a horizontal flip swaps them (coupling rules ask).
    has_left_right = True

    @contextlib.contextmanager
    def single_threaded(self) -> Iterator[None]:
        """OpenCV on one thread (its resizes and colour conversions split rows across threads)."""
        import cv2

        before = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            yield
        finally:
            cv2.setNumThreads(before)

    def batch_hint(self, views: Sequence[Any]) -> str:
        """Why views do not stack, where the kind of image says it: grayscale and RGB ones mixed."""
        if len({np.ndim(v) for v in views}) > 1:
            return (" (grayscale H×W images give 1-channel views, RGB ones 3: convert the grayscale ones to RGB, "
                    "np.repeat(x[..., None], 3, axis=2), or the RGB ones to grayscale)")
        return ""

    def batch_key(self, item: Any) -> Any:
        return item.shape

    def to_batch(self, items: Sequence[Any], device: Any = None) -> Any:
        """Images of one shape as one ``[B, H, W(, 3)]`` uint8 array; on a torch ``device``, one float32
        ``[B, C, H, W]`` tensor of whole levels in [0, 255] (the torch kernels' form)."""
        if not all(_canonical(x) for x in items) or len({x.shape for x in items}) != 1:
            return super().to_batch(items, device)
        stacked = np.stack(items)
        if device is None:
            return stacked
        import torch

        t = torch.from_numpy(stacked).to(device)
        return (t[:, None] if t.ndim == 3 else t.permute(0, 3, 1, 2)).to(torch.float32).contiguous()

    def from_batch(self, batch: Any) -> list[Any]:
        if isinstance(batch, (np.ndarray, list)):
            return list(batch)
        import torch

        levels = batch.round().clamp(0, 255).to(torch.uint8).cpu().numpy()
        return [x[0] if x.shape[0] == 1 else np.ascontiguousarray(x.transpose(1, 2, 0)) for x in levels]

    def finish_batch(self, batch: Any, output: Any) -> Any:
        """On a device: uint8 ``[B, C, H, W]``, or normalized float32 when the output step is the
        normalizing one (fused into one pass); elsewhere as :class:`BaseModality` does."""
        if self.device_of(batch) is None or (output is not None and getattr(output, "spec", None) is None):
            return super().finish_batch(batch, output)
        from augkit.image.torch_kernels import to_output

        return to_output(batch, output)

    def collate(self, items: Sequence[Any], **options: Any) -> Any:
        """Stack one view position: tensors (after an output step) into ``[B, C, H, W]``, arrays
        into ``[B, H, W, C]``, in their common dtype (uint8 with float gives float).

        Raises:
            InvalidInput: when the views differ in size, naming the items and their sizes (give the
                crop a fixed size).

        Example:
            >>> modalities.get("image").collate([torch.zeros(3, 32, 32)] * 4).shape
            torch.Size([4, 3, 32, 32])
        """
        import torch

        from augkit.core.batching import by_items, stack

        shapes = [tuple(np.shape(v)) for v in items]
        if len(set(shapes)) != 1:
            kinds = {1 if np.ndim(v) == 2 else np.shape(v)[-1 if isinstance(v, np.ndarray) else 0] for v in items}
            fix = ("read every file as RGB (color='rgb', the readers' default; --color rgb)" if len(kinds) > 1 else
                   "resize or crop them to one size (RandomResizedCrop(size), Resize((h, w)))")
            raise InvalidInput(f"image views of one position have different shapes {sorted(set(shapes))} "
                               f"({by_items(shapes)}): {fix}")
        if all(isinstance(v, np.ndarray) for v in items) and len({v.dtype for v in items}) == 1:
            return torch.from_numpy(np.stack(items))
        return stack(items)

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str:
        """An ``<img>`` of the view in its true colours (the context's mean/std undone), fitted in
        ``cell`` pixels; ``boxes=[(top, left, height, width), ...]`` in the context draws those
        regions on it (the crops views were taken from, on the original), as do the crops recorded in
        ``view_params`` unless ``crop_boxes=False``: view ``k``'s box in its colour
        (:func:`augkit.views.display.view_colour`)."""
        cell = int(context.get("cell", 200))
        pic = self.picture(view, **context)
        drawn = context.get("view_params", ()) if context.get("crop_boxes", True) else ()
        boxes = context.get("boxes") or view_boxes(drawn)
        boxed = any(box is not None for box in boxes)
        if boxed:
            pic = draw_boxes(pic, boxes)
        return f"<img class='view' alt='{'original with crop boxes' if boxed else 'view'}' src='{png_uri(pic, cell)}'>"

    def marked_views(self, view_params: Sequence[Any], **context: Any) -> list[int]:
        """The views whose crop box :meth:`render` draws on the original (a page's legend)."""
        return [] if context.get("boxes") or not context.get("crop_boxes", True) else marked_views(view_params)

    def moved(self, source: Any, view: Any, params: Any = None, **context: Any) -> dict[str, float]:
        """``{"ssim": s, "crop_area": a}``: the structural similarity (scikit-image, on grey levels)
        of the view with the whole source resized to the view's size, and the share of the
        source's area the view was cropped from (when a crop came first in its record).

        Raises:
            ImportError: when scikit-image is missing (``pip install 'augkit[preview]'``).
        """
        import cv2

        try:
            from skimage.metrics import structural_similarity
        except ImportError:
            raise ImportError("image distances need scikit-image: pip install 'augkit[preview]'") from None
        src, out = gray_levels(picture(source)), gray_levels(picture(_masked(view)[0]))
        if src.shape != out.shape:
            src = cv2.resize(src, (out.shape[1], out.shape[0]), interpolation=cv2.INTER_AREA)
        found: dict[str, float] = {}
        if min(out.shape) >= 7:
            found["ssim"] = float(structural_similarity(src, out, data_range=255))
        box = crop_boxes(params)
        if box:
            height, width = np.shape(self.check(source))[:2]
            found["crop_area"] = box[0][2] * box[0][3] / float(height * width)
        return found

    def picture(self, view: Any, **context: Any) -> np.ndarray:
        """The view as an ``H×W×3`` uint8 picture; a masked view (``{"image", "mask"}``) with its
        masked patches shaded."""
        image, mask = _masked(view)
        pic = picture(image, context.get("mean"), context.get("std"))
        if mask is None:
            return pic
        from augkit.image.masks import shade

        return shade(pic, mask)

    def context(self, vg: Any) -> dict[str, Any]:
        spec = getattr(getattr(vg, "output", None), "spec", None) or {}
        return {k: spec[k] for k in ("mean", "std") if k in spec}

    def output(self, spec: Mapping[str, Any] | None) -> Any:
        """The output step a spec names: ``{"type": "normalized", "mean": [...], "std": [...]}``,
        ``{"type": "uint8"}`` or ``{"type": "numpy"}`` (None: the views stay uint8 arrays)."""
        from augkit.core.errors import InvalidArgument
        from augkit.image._convert import IMAGENET_MEAN, IMAGENET_STD, make_output

        if spec is None:
            return None
        extra = sorted(set(spec) - {"type", "mean", "std"})
        if extra:
            raise InvalidArgument(f"image output has no field {extra[0]!r}; fields: type, mean, std")
        return make_output(spec.get("type", "normalized"), spec.get("mean", IMAGENET_MEAN),
                           spec.get("std", IMAGENET_STD))

    def example(self) -> np.ndarray:
        """A 120×160 RGB gradient with structure in every channel."""
        yy, xx = np.mgrid[0:120, 0:160]
        return np.stack([(xx * 1.5) % 256, (yy * 2) % 256, (xx + yy) % 256], axis=-1).astype(np.uint8)

    def examples(self) -> list[tuple[str, Any]]:
        from PIL import Image

        photo = self.example()
        return [
            ("typical", photo),
            ("grayscale", photo[..., 0].copy()),
            ("rgba", np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])),
            ("pil", Image.fromarray(photo)),
            ("uint16", photo.astype(np.uint16) * 257),
            ("float", photo.astype(np.float32) / 255.0),
            ("tiny", photo[:3, :2].copy()),
        ]


#: How image readers give colours: ``"rgb"`` (every file as RGB), ``"gray"``, or ``"keep"`` (grey files as ``H×W``).
COLORS = ("rgb", "gray", "keep")


def _check_color(color: Any) -> None:
    if color not in COLORS:
        from augkit.core.errors import InvalidArgument

        raise InvalidArgument(f"color={color!r} must be one of {list(COLORS)}: 'rgb' reads every image as RGB, "
                              "'gray' as one channel, 'keep' keeps grayscale files one channel")


def _colored(picture: np.ndarray, color: str) -> np.ndarray:
    if color == "rgb" and picture.ndim == 2:
        return np.repeat(picture[..., None], 3, axis=2)
    if color == "gray" and picture.ndim == 3:
        import cv2

        return np.asarray(cv2.cvtColor(np.ascontiguousarray(picture), cv2.COLOR_RGB2GRAY))
    return picture


def _masked(view: Any) -> tuple[Any, Any]:
    """``(image, mask)`` of a masked view ``{"image": ..., "mask": ...}``; ``(view, None)`` otherwise."""
    if isinstance(view, Mapping) and "image" in view:
        return view["image"], view.get("mask")
    return view, None


register(ImageModality())

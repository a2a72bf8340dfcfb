"""Colour jitter as TensorFlow's ``tf.image`` computes it, for the presets whose reference code is
TensorFlow or JAX (SimCLR, BYOL): the maths differs from torchvision's in three of its four parts.

=============  =====================================  ===========================================
adjustment     torchvision (``ColorJitter``)          ``tf.image`` (SimCLR's and BYOL's code)
=============  =====================================  ===========================================
brightness     ``x · f``                              ``x + δ`` (``adjust_brightness``); SimCLR v2's
                                                      ``data_util.random_brightness``: ``x · f``
contrast       blend with the mean *grey* level       ``(x − m_c) · f + m_c``, ``m_c`` the mean of
                                                      each channel (``adjust_contrast``)
saturation     blend with the grey image              ``S · f`` in HSV, clipped to [0, 1]
                                                      (``adjust_saturation``)
hue            rotation in 8-bit HSV (180 steps)      ``H + δ`` in float HSV (``adjust_hue``)
=============  =====================================  ===========================================

The image is processed as float32 in [0, 1], clipped after each adjustment as both reference codes
do (``google-research/simclr``, ``tf2/data_util.py``, ``color_jitter_rand``;
``google-deepmind/deepmind-research``, ``byol/utils/augmentations.py``,
``_color_transform_single_image``) and rounded to uint8 once at the end. The additive brightness
``δ`` is the drawn factor minus 1: a factor uniform in ``[1 − b, 1 + b]`` is a ``δ`` uniform in
``[−b, b]``, the reference's draw (for ``b > 1`` the factor's floor at 0 puts ``δ``'s at −1, where
every level is already black).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["SEMANTICS", "tf_jitter"]

#: The colour-jitter semantics :class:`augkit.image.ColorJitter` offers: torchvision's (the
#: default), ``tf.image``'s (additive brightness: BYOL, SimCLR v1) and SimCLR v2's (``tf.image``
#: with multiplicative brightness).
SEMANTICS = ("torchvision", "tensorflow", "simclr_v2")


def tf_jitter(x: np.ndarray, order: Sequence[str], factors: Mapping[str, Any], semantics: str) -> np.ndarray:
    """``x`` (uint8 ``H×W×3`` or ``H×W``) jittered with ``tf.image``'s maths in ``order``; a new uint8 image.

    Grayscale images get brightness and contrast only, as :class:`augkit.image.ColorJitter` gives them.
    """
    import cv2

    img: np.ndarray = x.astype(np.float32) * np.float32(1 / 255)
    gray = img.ndim == 2
    for name in order:
        f = float(factors[name])
        if name == "brightness" and f != 1.0:
            img = img * np.float32(f) if semantics == "simclr_v2" else img + np.float32(f - 1.0)
        elif name == "contrast" and f != 1.0:
            # (x - m_c)·f + m_c = x·f + m_c·(1 - f), each channel's mean accumulated in float64; in one
            # OpenCV pass (numpy's broadcast over 3 interleaved channels runs 10× slower)
            means = cv2.mean(img)
            if gray:
                img = img * np.float32(f) + np.float32(means[0] * (1 - f))
            else:
                matrix = np.zeros((3, 4), dtype=np.float32)
                matrix[:, :3] = np.eye(3, dtype=np.float32) * np.float32(f)
                matrix[:, 3] = [m * (1 - f) for m in means[:3]]
                img = cv2.transform(img, matrix)
        elif name == "saturation" and f != 1.0 and not gray:
            hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
            np.clip(hsv[..., 1] * np.float32(f), 0.0, 1.0, out=hsv[..., 1])
            img = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
        elif name == "hue" and f != 0.0 and not gray:
            hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)  # hue in degrees, [0, 360)
            # a turn forward (OpenCV's HSV2RGB wraps a hue of 360 or more): no modulo pass
            np.add(hsv[..., 0], np.float32((360.0 * f) % 360.0), out=hsv[..., 0])
            img = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
        else:
            continue
        np.clip(img, 0.0, 1.0, out=img)
    # rounded to the nearest level (half to even, as np.rint) in one OpenCV pass
    return cv2.convertScaleAbs(img, alpha=255.0)

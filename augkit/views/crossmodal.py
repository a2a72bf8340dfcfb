"""Cross-modal positive pairs: one augmented view per modality of a dict sample, kept consistent by
coupling rules (:mod:`augkit.views.couplings`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from augkit.core.errors import InvalidArgument
from augkit.views.generator import ViewGenerator

__all__ = ["CrossModalViews"]


class CrossModalViews(ViewGenerator):
    """Cross-modal positive pairs: one augmented view per modality of a dict sample, with coupling
    rules that keep the sides consistent (CLIP-style image–caption, audio–caption, or more).

    ``CrossModalViews(image=..., text=..., couplings=["flip_swaps_left_right", "protect_words"])``
    makes, for ``{"image": photo, "text": caption, ...}``, one view ``{"image": v, "text": c, ...}``
    (``n_views=1``): ``v`` and ``c`` are the positive pair. Each field draws from its own stream,
    the one record covers every side and says what each coupling rule did, and
    :meth:`~ViewGenerator.replay` rebuilds both sides bit for bit. Rules (:mod:`augkit.views.couplings`):

    - ``"flip_swaps_left_right"``: a horizontal flip of the image swaps "left"/"right" (and
      "leftmost", "left-hand", ...) in the caption, case and punctuation kept;
    - ``"protect_words"``: the colours and numbers of the caption, and the words given, are
      protected from every text op (:mod:`augkit.text.protect`), so the caption still describes
      its image.

    Args:
        couplings: rule names or :class:`augkit.views.couplings.Coupling` objects, applied in order.
        seed, n_views, output, prepare, missing, modality: as for :class:`ViewGenerator`.
        **fields: ``field=augmenter`` (or a list, one per view); a field named after a modality
            (``image``, ``text``, ``audio``) is of it, others need ``modality={field: name}``.

    Example:
        >>> pairs = CrossModalViews(image=augkit.image.simclr(size=64).pipelines[0],
        ...                         text=augkit.text.RandomDeletion(0.2),
        ...                         couplings=["flip_swaps_left_right", "protect_words"], seed=0)
        >>> (view,) = pairs({"image": photo, "text": "a red kite on the left"}, index=0)
    """

    def __init__(self, couplings: Sequence[Any] = (), seed: int | None = None, n_views: int | None = None,
                 output: Callable[[Any], Any] | Mapping[str, Callable[[Any], Any]] | None = None,
                 prepare: Callable[[Any], Any] | None = None, missing: str = "raise",
                 modality: Mapping[str, str] | None = None, **fields: Any) -> None:
        if len(fields) < 2:
            raise InvalidArgument(f"CrossModalViews pairs two or more fields (image=..., text=...); got "
                                  f"{sorted(fields) or 'none'}")
        lists = [len(p) for p in fields.values() if isinstance(p, Sequence) and not isinstance(p, (str, bytes))]
        count = n_views if n_views is not None else lists[0] if lists else 1
        super().__init__(fields, n_views=count, seed=seed, output=output, prepare=prepare, modality=modality,
                         missing=missing, couplings=couplings)

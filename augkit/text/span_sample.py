"""DeCLUTR's anchor and positive spans, sampled from one document."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Choice, Integer
from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.registry import register
from augkit.core.streams import Key, stream

__all__ = ["SpanSample", "anchoring", "span_lengths"]

_TOKEN = re.compile(r"\S+")
# The key of the stream the anchor of the current sample is drawn from, while a generator makes
# its views (:class:`augkit.text.documents.DocumentViews`); None: each op draws its own.
_ANCHOR_KEY: ContextVar[Key | None] = ContextVar("augkit_anchor_key", default=None)


@contextlib.contextmanager
def anchoring(key: Key) -> Iterator[None]:
    """Inside the block every :class:`SpanSample` draws its anchor from ``stream(*key)``, so all
    views of a sample share one anchor. :class:`augkit.text.documents.DocumentViews` opens it with
    ``(seed, epoch, index, "anchor")`` for each sample."""
    token = _ANCHOR_KEY.set(tuple(key))
    try:
        yield
    finally:
        _ANCHOR_KEY.reset(token)


def span_lengths(n_tokens: int, min_length: int, max_length: int) -> tuple[int, int]:
    """The bounds the lengths are drawn between for a document of ``n_tokens``: ``max_length``
    capped at the document's length, ``min_length`` capped at that."""
    high = min(max_length, n_tokens)
    return min(min_length, high), high


@register
class SpanSample(Augmenter[str]):
    """A span of a document: DeCLUTR's anchor or positive (Giorgi et al. 2021, "DeCLUTR: Deep
    Contrastive Learning for Unsupervised Textual Representations"; reference code
    JohnGiorgi/DeCLUTR, ``declutr/common/contrastive_utils.py``, ``sample_anchor_positive_pairs``).

    Tokens are whitespace-separated, as the reference's default (``text.split()``). The rules of
    the reference, with ``lo, hi`` the minimum and maximum length:

    - the anchor's length is ``int(Beta(4, 2) · (hi - lo) + lo)`` (skewed to long spans) and it
      starts uniformly where it fits (what the reference's block-then-offset draw amounts to with
      one anchor);
    - a positive's length is ``int(Beta(2, 4) · (hi - lo) + lo)`` (skewed to short spans); with
      ``strategy="any"`` (the reference's default) it starts uniformly in
      ``max(0, a - len) .. min(a_end, n - len)``, so it overlaps the anchor, is adjacent to it or
      lies inside it; with ``"subsuming"`` its length is drawn between ``lo`` and the anchor's
      length and it lies inside the anchor.

    The anchor is drawn from its own stream: inside :func:`anchoring` (which
    :class:`augkit.text.documents.DocumentViews` and the ``text.declutr`` preset open per sample
    with ``(seed, epoch, index, "anchor")``) every view of a sample sees the same anchor; a
    ``role="positive"`` op then draws its span from the view's stream relative to it. Outside
    such a block the anchor comes first from the op's own stream.

    The reference refuses documents shorter than ``max_length`` tokens; here the bounds are
    capped at the document's length (:func:`span_lengths`), so a short document gives spans of
    the whole text or close to it. An empty text is recorded as not applied.

    Protected words: exempt. This op selects a span and edits nothing in it.

    Args:
        min_length: the shortest span, in tokens (DeCLUTR's ``min_span_len``, 32).
        max_length: the longest span, in tokens (``max_span_len``, 512).
        role: ``"anchor"`` (the view is the anchor span) or ``"positive"``.
        strategy: ``"any"`` or ``"subsuming"`` (the reference's ``sampling_strategy``).
        p: probability of applying the op (1 for DeCLUTR: an unsampled view is the document).

    Record: ``{"applied": True, "anchor": [start, end], "start": s, "end": e, "tokens": [i, n]}``:
    character offsets in the source of the anchor and of this view's span, and the span's first
    token and length in tokens. The view is ``source[s:e]``.

    Example:
        >>> SpanSample(min_length=8, max_length=16, role="positive")(document, np.random.default_rng(0))
    """

    name = "text.span_sample"
    modality = "text"
    args = (
        Arg("min_length", Integer(1, None), 32, "the shortest span in tokens (DeCLUTR's min_span_len)"),
        Arg("max_length", Integer(1, None), 512, "the longest span in tokens (DeCLUTR's max_span_len)"),
        Arg("role", Choice(("anchor", "positive")), "positive", "'anchor' or 'positive'"),
        Arg("strategy", Choice(("any", "subsuming")), "any", "where positives lie: 'any' or 'subsuming'"),
    )
    drawn = {"anchor": list, "start": int, "end": int, "tokens": list}
    min_length: int
    max_length: int
    role: str
    strategy: str

    def setup(self) -> None:
        if self.min_length > self.max_length:
            raise InvalidArgument(f"SpanSample(min_length={self.min_length}, max_length={self.max_length}): "
                                  "min_length must not exceed max_length")

    @classmethod
    def example(cls) -> SpanSample:
        return cls(min_length=2, max_length=8)

    def draw(self, x: str, rng: np.random.Generator) -> Params | None:
        spans = [m.span() for m in _TOKEN.finditer(x)]
        n = len(spans)
        if n == 0:
            return None
        lo, hi = span_lengths(n, self.min_length, self.max_length)
        key = _ANCHOR_KEY.get()
        anchor_rng = rng if key is None else stream(*key, keep=True)
        a_len = int(anchor_rng.beta(4, 2) * (hi - lo) + lo)
        a_start = int(anchor_rng.integers(0, n - a_len + 1))
        first, length = a_start, a_len
        if self.role == "positive":
            if self.strategy == "subsuming":
                length = int(rng.beta(2, 4) * (a_len - lo) + lo)
                first = int(rng.integers(a_start, a_start + a_len - length + 1))
            else:
                length = int(rng.beta(2, 4) * (hi - lo) + lo)
                first = int(rng.integers(max(0, a_start - length), min(a_start + a_len, n - length) + 1))
        return {"anchor": [spans[a_start][0], spans[a_start + a_len - 1][1]],
                "start": spans[first][0], "end": spans[first + length - 1][1], "tokens": [first, length]}

    def check_params(self, x: str, params: Params) -> None:
        for key in ("anchor", "tokens"):
            pair = params[key]
            if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
                raise InvalidParams(f"SpanSample params[{key!r}] must be two ints, got {pair!r:.80}")
        a, b = params["anchor"]
        if not (0 <= a <= b <= len(x) and 0 <= params["start"] <= params["end"] <= len(x)):
            raise InvalidParams(f"SpanSample params['anchor'], ['start'] and ['end'] do not fit a text of {len(x)} "
                                f"characters: anchor {a}:{b}, span {params['start']}:{params['end']}; pass the "
                                "record drawn for this text")

    def transform(self, x: str, params: Params) -> str:
        return x[params["start"] : params["end"]]

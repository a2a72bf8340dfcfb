"""Documents for DeCLUTR: paragraphs of text files, and a generator that shares one anchor per sample."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from augkit.core.streams import Key
from augkit.text.span_sample import anchoring
from augkit.views.generator import ViewGenerator, Views
from augkit.views.records import check_position

__all__ = ["DocumentViews", "paragraphs", "read_documents"]

_BLANK = re.compile(r"\n[ \t]*\n")


def paragraphs(text: str) -> list[str]:
    """The paragraphs of ``text``: blocks separated by blank lines, each with its lines joined by
    single spaces (a paragraph wrapped over several lines is one document)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [" ".join(block.split()) for block in _BLANK.split(text) if block.strip()]


def read_documents(path: str | Path, encoding: str = "utf-8") -> list[str]:
    """The documents of a text file: one per paragraph (:func:`paragraphs`).

    Raises:
        MissingFile: (a FileNotFoundError) when ``path`` does not exist.
        InvalidInput: when ``path`` is not ``encoding`` text.

    Example:
        >>> docs = read_documents("data/documents.txt")
    """
    from augkit.core.files import decode_text

    return paragraphs(decode_text(Path(path), encoding, "document file"))


class DocumentViews(ViewGenerator):
    """A :class:`ViewGenerator` whose samples are documents: while it makes a sample's views,
    :class:`augkit.text.SpanSample` draws the sample's anchor from the stream
    ``(seed, epoch, index, "anchor")`` (ad-hoc calls: ``(seed, "ad-hoc", n, "anchor")``), so
    every view sees the same anchor. Text files named as its sources are read one document per
    paragraph (:attr:`documents`), not one per line. Replay needs nothing of this: records hold
    the spans' offsets.

    Example:
        >>> vg = DocumentViews([SpanSample(role="anchor"), SpanSample()], seed=0)
    """

    #: The text modality reads files named as sources one paragraph per sample for this generator.
    documents = True

    def generate(self, x: Any, index: int | str | None = None, epoch: int = 0, with_output: bool = True,
                 source: Sequence[Any] | None = None) -> Views:
        if index is None:
            key: Key = (self.seed, "ad-hoc", self._ad_hoc_call(), "anchor")
        else:
            check_position(index, epoch)
            key = (self.seed, int(epoch), index if isinstance(index, str) else int(index), "anchor")
        with anchoring(key):
            return super().generate(x, index=index, epoch=epoch, with_output=with_output, source=source)

    def generate_batch(self, samples: Sequence[Any], indices: Sequence[int], epoch: int = 0, device: Any = None,
                       source: Sequence[Any] | None = None) -> Any:
        """Each document's views by :meth:`generate` (its anchor is drawn per sample), as lists."""
        from augkit.views.batch import check_batch, one_by_one
        from augkit.views.mixing import scope

        checked, epoch, target = check_batch(samples, indices, epoch, device)
        with scope(self, source):
            return one_by_one(self, samples, checked, epoch, device=target)

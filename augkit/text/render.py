"""How a text view is shown: its edits marked on the source, from the record or from a diff."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

__all__ = ["marked_body", "matcher"]

_EDGES = re.compile(r"(\s*)(.*?)(\s*)", re.DOTALL)
_NON_SPACE = re.compile(r"\S+")


def marked_body(source: str, view: str, params: Any) -> str:
    """The escaped, marked body of ``view`` (see :meth:`augkit.text.modality.TextModality.render`):
    from a span record, else from the one op that recorded edits, else from a word diff."""
    body = _marked_span(source, view, params)
    if body is None:
        body = _marked_from_record(source, view, params)
    return _marked_from_diff(source, view) if body is None else body


def _marked_span(source: str, view: str, params: Any) -> str | None:
    """A span record (:class:`augkit.text.SpanSample`): the source with the span in
    ``<mark class='span'>`` and the rest in ``<del class='outside'>``; None for other records."""
    from augkit.core.composites import fired

    steps = [r for _, r in fired(params) if {"anchor", "start", "end"} <= set(r)]
    if len(steps) != 1:
        return None
    r = steps[0]
    start, end, anchor = r["start"], r["end"], r["anchor"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(source)) or \
            source[start:end] != view or not (isinstance(anchor, list) and len(anchor) == 2):
        return None
    what = "anchor" if [start, end] == anchor else f"positive; anchor: characters {anchor[0]}-{anchor[1]}"
    title = html.escape(f"span: characters {start}-{end} ({what})", quote=True)
    before, after = source[:start], source[end:]
    return ((f"<del class='outside'>{html.escape(before)}</del>" if before else "")
            + f"<mark class='span' title='{title}'>{html.escape(view)}</mark>"
            + (f"<del class='outside'>{html.escape(after)}</del>" if after else ""))


def matcher(a: Sequence[str], b: Sequence[str]) -> Any:
    """A difflib matcher over two word lists."""
    from difflib import SequenceMatcher

    # autojunk (frequent words ignored as anchors) only where the lists are long enough that
    # matching every "the" would cost more than the estimate is worth
    return SequenceMatcher(None, a, b, autojunk=max(len(a), len(b)) > 2000)


def _wrap(open_tag: str, close_tag: str, text: str) -> str:
    """``text`` escaped inside the tags, its leading and trailing white space left outside."""
    match = _EDGES.fullmatch(text)
    lead, core, trail = match.groups() if match else ("", text, "")
    if not core:
        return html.escape(text)
    return f"{html.escape(lead)}{open_tag}{html.escape(core)}{close_tag}{html.escape(trail)}"


def _attribute(label: str, text: str) -> str:
    return html.escape(f"{label}: {' '.join(text.split())}", quote=True)


def _marked_from_record(source: str, view: str, params: Any) -> str | None:
    """The marked body from the one op in ``params`` that recorded edits, or None when the
    record cannot explain ``view`` (no such op or several, edits that do not fit ``source``, or
    a result other than ``view``)."""
    from augkit.core.composites import fired
    from augkit.core.errors import InvalidParams
    from augkit.text._eda import check_edits, splice_edits

    steps = [record for _, record in fired(params) if isinstance(record.get("edits"), list)]
    if len(steps) != 1:
        return None
    record = steps[0]
    edits = record["edits"]
    try:
        check_edits(source, edits, "render")
    except InvalidParams:
        return None
    if splice_edits(source, edits) != view:
        return None
    swap = "swaps" in record or "order" in record  # a swap, or a shuffle (TokenShuffle)
    repeat = "count" in record  # repetitions (WordRepetition)
    out, last = [], 0
    # stable, on the span only: insertions at one point keep their recorded order (as splice_edits)
    for e in sorted(edits, key=lambda e: (e["start"], e["end"])):
        out.append(html.escape(source[last:e["start"]]))
        old, new = e["old"], e["new"]
        if not old:
            out.append(_wrap("<ins class='repeat' title='repeated'>" if repeat else "<ins>", "</ins>", new))
        elif not new:
            out.append(f"<del>{html.escape(old)}</del>")
        elif swap:
            label = "moved here; was" if "order" in record else "swapped with"
            out.append(_wrap(f"<mark class='swap' title='{_attribute(label, old)}'>", "</mark>", new))
        else:
            out.append(_wrap(f"<mark title='{_attribute('was', old)}'>", "</mark>", new))
        last = e["end"]
    out.append(html.escape(source[last:]))
    return "".join(out)


def _marked_from_diff(source: str, view: str) -> str:
    """The marked body from a word-level diff: ``view`` keeps its own spacing; deleted source
    words are shown, joined by single spaces, where they were."""
    before = source.split()
    spans = [m.span() for m in _NON_SPACE.finditer(view)]
    after = [view[s:e] for s, e in spans]
    out, pos = [], 0

    def upto(j: int) -> str:  # view from pos up to the start of word j (its end when j is past the last)
        return view[pos:spans[j][0]] if j < len(spans) else ""

    for tag, i1, i2, j1, j2 in matcher(before, after).get_opcodes():
        if tag == "delete":
            gone = " ".join(before[i1:i2])
            if j1 < len(spans):
                out.append(html.escape(upto(j1)))
                out.append(f"<del>{html.escape(gone)} </del>")
                pos = spans[j1][0]
            else:
                out.append(f"<del>{' ' if pos else ''}{html.escape(gone)}</del>")
            continue
        end = spans[j2 - 1][1]
        if tag == "equal":
            out.append(html.escape(view[pos:end]))
        else:
            out.append(html.escape(upto(j1)))
            if tag == "insert":
                out.append("<ins>")
            else:
                out.append(f"<mark title='{_attribute('was', ' '.join(before[i1:i2]))}'>")
            out.append(html.escape(view[spans[j1][0]:end]))
            out.append("</ins>" if tag == "insert" else "</mark>")
        pos = end
    out.append(html.escape(view[pos:]))
    return "".join(out)



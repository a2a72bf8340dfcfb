"""SpanSample and DocumentViews against DeCLUTR's reference rule (JohnGiorgi/DeCLUTR,
sample_anchor_positive_pairs): span lengths by KS against the scaled Beta distributions, where
positives lie, the anchor shared by every view, replay, the paragraph reader and the preset."""

from __future__ import annotations

import html as html_lib
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import beta

import augkit
from augkit.core import modalities
from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.streams import stream
from augkit.text import SpanSample
from augkit.text.documents import DocumentViews, paragraphs, read_documents
from augkit.text.span_sample import anchoring

ROOT = Path(__file__).resolve().parents[2]
DOC = " ".join(f"w{k}" for k in range(200))
LO, HI = 8, 40
DRAWS = 4000


def ks_discrete(lengths: list[int], a: float, b: float) -> float:
    """sup |F_n - F| over the integers, F the law of int(Beta(a, b) · (HI - LO) + LO)."""
    values = np.asarray(lengths)
    grid = np.arange(LO, HI + 1)
    empirical = np.searchsorted(np.sort(values), grid, side="right") / len(values)
    exact = beta.cdf((grid + 1 - LO) / (HI - LO), a, b)
    return float(np.max(np.abs(empirical - exact)))


def dkw(n: int, alpha: float = 1e-3) -> float:
    """The Dvoretzky–Kiefer–Wolfowitz bound: sup |F_n - F| exceeds it with probability < alpha."""
    return math.sqrt(math.log(2 / alpha) / (2 * n))


def test_anchor_lengths_follow_the_scaled_beta_4_2() -> None:
    op = SpanSample(LO, HI, role="anchor")
    lengths = [op.sample(DOC, stream(0, 0, i, 0))["tokens"][1] for i in range(DRAWS)]
    assert min(lengths) >= LO and max(lengths) <= HI
    assert ks_discrete(lengths, 4, 2) < dkw(DRAWS)
    assert ks_discrete(lengths, 2, 4) > 3 * dkw(DRAWS)  # the test tells the two laws apart


def test_positive_lengths_follow_the_scaled_beta_2_4_and_lie_near_the_anchor() -> None:
    op = SpanSample(LO, HI)
    lengths = []
    n = len(DOC.split())
    for i in range(DRAWS):
        r = op.sample(DOC, stream(1, 0, i, 0))
        first, length = r["tokens"]
        lengths.append(length)
        a_start = DOC[: r["anchor"][0]].count(" ")
        a_end = a_start + DOC[r["anchor"][0] : r["anchor"][1]].count(" ") + 1
        assert max(0, a_start - length) <= first <= min(a_end, n - length)
    assert ks_discrete(lengths, 2, 4) < dkw(DRAWS)


def test_subsuming_positives_lie_inside_the_anchor() -> None:
    op = SpanSample(LO, HI, strategy="subsuming")
    for i in range(500):
        r = op.sample(DOC, stream(2, 0, i, 0))
        assert r["anchor"][0] <= r["start"] <= r["end"] <= r["anchor"][1]


def test_the_view_is_the_recorded_span_and_replays() -> None:
    text = "  Alpha beta,\tgamma  delta epsilon. Zeta eta theta iota kappa lambda mu.  "
    op = SpanSample(2, 5)
    for i in range(100):
        y, r = op.augment(text, stream(3, 0, i, 0))
        assert y == text[r["start"] : r["end"]] and y == y.strip() and y
        assert op.apply(text, json.loads(json.dumps(r))) == y
    with pytest.raises(InvalidParams, match="do not fit"):
        op.apply("short", {**r, "applied": True})


def test_short_documents_cap_the_bounds_and_empty_ones_are_not_applied() -> None:
    op = SpanSample()  # 32..512 tokens
    y, r = op.augment("only five words in here", stream(4, 0, 0, 0))
    assert r["tokens"][1] <= 5 and y
    assert op.augment("   ", stream(4, 0, 0, 0))[1] == {"applied": False}
    with pytest.raises(InvalidArgument, match="min_length"):
        SpanSample(min_length=10, max_length=5)


def test_inside_anchoring_every_op_sees_the_same_anchor() -> None:
    anchor, positive = SpanSample(LO, HI, role="anchor"), SpanSample(LO, HI)
    with anchoring((0, 0, 7, "anchor")):
        records = [positive.sample(DOC, stream(0, 0, 7, k)) for k in range(1, 6)]
        first = anchor.sample(DOC, stream(0, 0, 7, 0))
    assert {tuple(r["anchor"]) for r in records} == {tuple(first["anchor"])}
    assert [first["start"], first["end"]] == first["anchor"]
    assert len({(r["start"], r["end"]) for r in records}) > 1  # positives differ per view


def test_declutr_preset_shares_the_anchor_per_sample_and_replays() -> None:
    vg = augkit.text.declutr(min_length=LO, max_length=HI, n_views=4, seed=3)
    assert isinstance(vg, DocumentViews)
    views = vg.generate(DOC, index=5)
    anchors = {tuple(p["anchor"]) for p in views.params}
    assert len(anchors) == 1
    assert views.items[0] == DOC[slice(*views.params[0]["anchor"])]
    assert vg.replay(DOC, json.loads(json.dumps(views.params))) == views.items
    again = vg.generate(DOC, index=5)
    assert again.params == views.params  # deterministic per (seed, epoch, index)
    other = vg.generate(DOC, index=6)
    assert {tuple(p["anchor"]) for p in other.params} != anchors
    adhoc = vg.generate(DOC)
    assert len({tuple(p["anchor"]) for p in adhoc.params}) == 1


def test_paragraph_reader(tmp_path: Path) -> None:
    path = tmp_path / "docs.txt"
    path.write_text("First line\nof one paragraph.\n\n  \nSecond\r\n\r\nThird one.\n", encoding="utf-8")
    assert read_documents(path) == ["First line of one paragraph.", "Second", "Third one."]
    assert paragraphs("") == []
    text = modalities.get("text")
    assert text.read(path, paragraphs=True) == read_documents(path)
    assert text.context(augkit.text.declutr(seed=0)) == {"paragraphs": True}
    assert text.context(augkit.text.simcse(seed=0)) == {}


def test_bundled_documents_are_paragraphs_long_enough_for_the_demo() -> None:
    docs = read_documents(ROOT / "data" / "documents.txt")
    assert len(docs) >= 5
    assert all(len(d.split()) >= 60 for d in docs)


def test_preview_marks_the_spans_on_the_source() -> None:
    vg = augkit.text.declutr(min_length=LO, max_length=HI, seed=0)
    doc = read_documents(ROOT / "data" / "documents.txt")[0]
    views = vg.generate(doc, index=0)
    text = modalities.get("text")
    for k, (view, record) in enumerate(zip(views.items, views.params, strict=True)):
        html = text.render(view, record, source=doc)
        assert "<mark class='span'" in html and ("(anchor)" in html) == (k == 0)
        shown = re.sub(r"<[^>]*>", "", re.sub(r"<del[^>]*>.*?</del>", "", html, flags=re.S))
        assert shown == html_lib.escape(view)

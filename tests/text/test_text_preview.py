"""TextModality.render and .moved: edits marked from the records of real EDA ops, the diff
fallback, escaping, and the word-level edit distance."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit
from augkit.core import modalities
from augkit.core.composites import Compose, fired
from augkit.text.modality import MAX_DISTANCE_CELLS, word_distance

TEXT = modalities.get("text")
SOURCE = TEXT.example()
_DEL = re.compile(r"<del>.*?</del>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def shown(fragment: str) -> str:
    """What a reader sees as the view: the fragment without tags and without deleted words."""
    assert fragment.startswith("<p class='view text'>") and fragment.endswith("</p>")
    return _TAG.sub("", _DEL.sub("", fragment))


class _Marks(HTMLParser):
    """(tag, attributes, text) for every ins/del/mark element of a fragment, text unescaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[tuple[str, dict[str, str | None], str]] = []
        self.tags: list[str] = []
        self._open: list[tuple[str, dict[str, str | None], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("ins", "del", "mark"):
            self._open.append((tag, dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ins", "del", "mark"):
            name, attrs, text = self._open.pop()
            assert name == tag, f"<{name}> closed by </{tag}>"
            self.marks.append((name, attrs, "".join(text)))

    def handle_data(self, data: str) -> None:
        for _, _, text in self._open:
            text.append(data)


def marks(fragment: str) -> _Marks:
    parser = _Marks()
    parser.feed(fragment)
    parser.close()
    return parser


def first_view(op: Any, wanted: Any, source: str = SOURCE,
               every: bool = False) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """The first (view, record, edits) of ``op`` (seed 0) whose edits hold one ``wanted`` accepts
    (``every``: whose edits ``wanted`` all accepts)."""
    vg = augkit.ViewGenerator(op, seed=0)
    for index in range(100):
        views = vg.generate(source, index=index)
        for view, record in zip(views.items, views.params, strict=True):
            steps = fired(record)
            edits = steps[0][1].get("edits", []) if len(steps) == 1 else []
            if view != source and edits and (all if every else any)(wanted(e) for e in edits):
                return view, record, edits
    raise AssertionError(f"{op!r} made no view with the wanted edit in 100 samples")


def eda(name: str) -> Any:
    return augkit.core.registry.get(name)(alpha=0.3)


def test_synonym_replacement_marks_the_new_word_with_the_old_one_in_its_title() -> None:
    view, record, edits = first_view(eda("text.synonym_replacement"), lambda e: e["old"] and e["new"])
    fragment = TEXT.render(view, record, source=SOURCE)
    found = marks(fragment).marks
    assert sorted((attrs.get("title"), text) for _, attrs, text in found) == \
        sorted((f"was: {e['old']}", e["new"]) for e in edits)
    assert all(tag == "mark" and "class" not in attrs for tag, attrs, _ in found)
    for e in edits:
        assert f"<mark title='was: {html.escape(e['old'])}'>{html.escape(e['new'])}</mark>" in fragment
    assert shown(fragment) == html.escape(view)


def test_random_insertion_wraps_each_inserted_word_in_ins() -> None:
    view, record, edits = first_view(eda("text.random_insertion"), lambda e: e["old"] == "")
    fragment = TEXT.render(view, record, source=SOURCE)
    found = marks(fragment).marks
    assert sorted(text for _, _, text in found) == sorted(e["new"].strip() for e in edits)
    assert {tag for tag, _, _ in found} == {"ins"}
    for e in edits:
        assert f"<ins>{html.escape(e['new'].strip())}</ins>" in fragment
    assert shown(fragment) == html.escape(view)


def test_random_deletion_shows_each_deleted_word_struck_where_it_was() -> None:
    view, record, edits = first_view(eda("text.random_deletion"), lambda e: e["new"] == "")
    fragment = TEXT.render(view, record, source=SOURCE)
    found = marks(fragment).marks
    assert {tag for tag, _, _ in found} == {"del"}
    assert sorted(text for _, _, text in found) == sorted(e["old"] for e in edits)
    # in place: with the del tags taken out (their content kept) the fragment reads as the source
    assert _TAG.sub("", fragment) == html.escape(SOURCE)
    assert shown(fragment) == html.escape(view)


def test_random_swap_marks_swapped_words_with_the_word_they_traded_places_with() -> None:
    view, record, edits = first_view(eda("text.random_swap"), lambda e: e["old"] != e["new"])
    fragment = TEXT.render(view, record, source=SOURCE)
    found = marks(fragment).marks
    assert all(tag == "mark" and attrs.get("class") == "swap" for tag, attrs, _ in found)
    assert sorted((attrs.get("title"), text) for _, attrs, text in found) == \
        sorted((f"swapped with: {e['old']}", e["new"]) for e in edits)
    assert shown(fragment) == html.escape(view)


def test_a_single_swap_names_each_word_the_other() -> None:
    text = "alpha beta gamma delta epsilon"  # 5 words, alpha 0.3: exactly one swap
    view, record, _ = first_view(eda("text.random_swap"), lambda e: e["old"] != e["new"], source=text)
    (i, j), = fired(record)[0][1]["swaps"]
    words = text.split()
    found = {t: attrs.get("title") for _, attrs, t in marks(TEXT.render(view, record, source=text)).marks}
    assert found == {words[j]: f"swapped with: {words[i]}", words[i]: f"swapped with: {words[j]}"}


def test_the_preset_records_are_looked_through() -> None:
    vg = augkit.text.eda(alpha=0.3, seed=0)
    for index in range(8):
        views = vg.generate(SOURCE, index=index)
        for view, record in zip(views.items, views.params, strict=True):
            fragment = TEXT.render(view, record, source=SOURCE)
            assert shown(fragment) == html.escape(view)
            if view != SOURCE:
                assert re.search(r"<(ins|del|mark)\b", fragment)


def test_chained_text_ops_fall_back_to_a_word_diff_that_still_gives_the_view() -> None:
    op = Compose([eda("text.synonym_replacement"), eda("text.random_insertion")])
    vg = augkit.ViewGenerator(op, seed=0)
    for index in range(5):
        views = vg.generate(SOURCE, index=index)
        for view, record in zip(views.items, views.params, strict=True):
            steps = fired(record)
            assert [name for name, _ in steps] == ["text.synonym_replacement", "text.random_insertion"]
            fragment = TEXT.render(view, record, source=SOURCE)
            assert shown(fragment) == html.escape(view)
            found = marks(fragment).marks
            assert found and {tag for tag, _, _ in found} <= {"ins", "del", "mark"}
            assert all((a.get("title") or "").startswith("was: ") for tag, a, _ in found if tag == "mark")
            # every word the source lacks is marked, and the unmarked words are the source's, in order
            marked = " ".join(t for tag, _, t in found if tag != "del").split()
            assert set(view.split()) - set(SOURCE.split()) <= set(marked)
            kept = iter(SOURCE.split())
            unmarked = html.unescape(_TAG.sub("", re.sub(r"<(ins|del|mark)\b.*?</\1>", "", fragment))).split()
            assert all(word in kept for word in unmarked)


def test_a_record_of_another_text_falls_back_to_the_diff() -> None:
    _, record, _ = first_view(eda("text.synonym_replacement"), lambda e: True)
    other = "Nothing in common here."
    fragment = TEXT.render(other, record, source="Nothing shared here.")
    assert shown(fragment) == html.escape(other)
    assert [(tag, attrs.get("title"), t) for tag, attrs, t in marks(fragment).marks] == \
        [("mark", "was: shared", "in common")]


def test_without_source_or_params_the_text_is_plain_and_escaped() -> None:
    view, record, _ = first_view(eda("text.random_insertion"), lambda e: True)
    assert TEXT.render(view) == f"<p class='view text'>{html.escape(view)}</p>"
    assert TEXT.render(view, record) == f"<p class='view text'>{html.escape(view)}</p>"
    assert TEXT.render("<b>x</b>") == "<p class='view text'>&lt;b&gt;x&lt;/b&gt;</p>"
    assert TEXT.render(SOURCE, None, source=SOURCE) == f"<p class='view text'>{html.escape(SOURCE)}</p>"


HOSTILE = "<script>alert(1)</script> the \"quick\" o'brown fox jumps & runs over the <b>lazy</b> dogs tonight"


@pytest.mark.parametrize("name", ["text.synonym_replacement", "text.random_insertion",
                                  "text.random_deletion", "text.random_swap"])
def test_markup_and_quotes_in_the_data_show_as_text(name: str) -> None:
    view, record, edits = first_view(eda(name), lambda e: True, source=HOSTILE)
    from_record = TEXT.render(view, record, source=HOSTILE)
    assert len(marks(from_record).marks) == len(edits)  # one mark per recorded edit: the record was used
    for fragment in (from_record, TEXT.render(view, source=HOSTILE)):
        assert "<script" not in fragment and "<b>" not in fragment
        parsed = marks(fragment)
        assert set(parsed.tags) <= {"p", "ins", "del", "mark"}
        assert shown(fragment) == html.escape(view)


def test_quotes_in_titles_are_escaped() -> None:
    fragment = TEXT.render("say 'bye' <b>now</b>", source="say \"hi\" o'k <b>now</b>")
    assert "<b>" not in fragment
    found = marks(fragment).marks
    assert found == [("mark", {"title": "was: \"hi\" o'k"}, "'bye'")]
    assert "title='was: &quot;hi&quot; o&#x27;k'" in fragment


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "<i>", "'q'", '"d"', "&"]), max_size=10),
       st.lists(st.sampled_from(["a", "b", "<i>", "'q'", '"d"', "&"]), max_size=10),
       st.sampled_from([" ", "  ", "\n"]))
def test_the_diff_always_gives_back_the_view(before: list[str], after: list[str], gap: str) -> None:
    source, view = " ".join(before), gap.join(after)
    fragment = TEXT.render(view, None, source=source)
    assert shown(fragment) == html.escape(view)
    assert marks(fragment).tags.count("p") == 1  # no tag came from the data
    deleted = " ".join(t for tag, _, t in marks(fragment).marks if tag == "del").split()
    assert len(deleted) <= len(before)


def test_moved_is_zero_for_identical_texts() -> None:
    assert TEXT.moved(SOURCE, SOURCE) == {"word_edit_distance": 0.0, "words_changed": 0.0}
    assert TEXT.moved("", "") == {"word_edit_distance": 0.0, "words_changed": 0.0}


def test_moved_counts_one_replaced_word_as_one() -> None:
    found = TEXT.moved("the quick fox", "the slow fox")
    assert found == {"word_edit_distance": 1.0, "words_changed": pytest.approx(1 / 3)}
    assert all(type(v) is float for v in found.values())


def test_moved_on_real_views_counts_the_recorded_edits() -> None:
    # synonyms of one word each: one substitution per edit
    view, record, edits = first_view(eda("text.synonym_replacement"), lambda e: " " not in e["new"], every=True)
    assert TEXT.moved(SOURCE, view, record) == {"word_edit_distance": float(len(edits)),
                                                "words_changed": pytest.approx(len(edits) / len(SOURCE.split()))}
    view, record, edits = first_view(eda("text.random_swap"), lambda e: e["old"] != e["new"],
                                     source="alpha beta gamma delta epsilon")
    assert TEXT.moved("alpha beta gamma delta epsilon", view, record)["word_edit_distance"] == 2.0


def test_long_texts_get_an_estimate_that_is_exact_for_simple_changes() -> None:
    n = 2100
    assert n * n > MAX_DISTANCE_CELLS
    a = [f"w{i}" for i in range(n)]
    b = ["new", *a[1:1000], *a[1001:-1], "end", "extra"]
    # w0 -> new, w1000 deleted, w2099 -> end, extra inserted
    assert word_distance(a, b) == 4
    assert word_distance(b, a) == 4


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abcde"), max_size=12), st.lists(st.sampled_from("abcde"), max_size=12))
def test_word_distance_properties(a: list[str], b: list[str]) -> None:
    d = TEXT.moved(" ".join(a), " ".join(b))["word_edit_distance"]
    assert TEXT.moved(" ".join(a), " ".join(a))["word_edit_distance"] == 0
    assert d == TEXT.moved(" ".join(b), " ".join(a))["word_edit_distance"]
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert (d == 0) == (a == b)

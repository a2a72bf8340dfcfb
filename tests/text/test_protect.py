"""Protected words: no text op deletes, replaces, moves or sources a protected word."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit.text import BackTranslation, RandomDeletion, RandomInsertion, RandomSwap, SynonymReplacement
from augkit.text._words import WORD
from augkit.text.protect import COLOURS, NUMBERS, protected, protecting

CAPTION = "Two red cars park on the left of a big old house near three green trees"
KEEP = {"two", "red", "left", "three", "green"}
VOCAB = ["dog", "cat", "house", "car", "tree", "big", "small", "runs", "fast", "the", "a", "old", "happy",
         "red", "blue", "two", "left", "right", "3", "quickly", "bright"]


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def _protected_sequence(text: str, keep: set[str]) -> list[str]:
    return [w.lower() for w in _words(text) if w.lower() in keep or any(c.isdigit() for c in w)]


@pytest.mark.parametrize("op", [RandomDeletion(alpha=0.6), RandomSwap(alpha=0.6), SynonymReplacement(alpha=0.6),
                                RandomInsertion(alpha=0.6)])
def test_every_op_keeps_the_protected_words_in_order(op):
    changed = 0
    for seed in range(40):
        with protecting(KEEP):
            view = op(CAPTION, np.random.default_rng(seed))
        assert _protected_sequence(view, KEEP) == _protected_sequence(CAPTION, KEEP), (seed, view)
        changed += view != CAPTION
    assert changed >= 30  # protection leaves the ops their other words to change


def test_swap_never_moves_a_protected_word():
    positions = {k: w for k, w in enumerate(_words(CAPTION)) if w.lower() in KEEP}
    for seed in range(40):
        with protecting(KEEP):
            view = RandomSwap(alpha=0.9)(CAPTION, np.random.default_rng(seed))
        assert {k: _words(view)[k] for k in positions} == positions


def test_deletion_with_every_word_protected_leaves_the_text():
    text = "two red cars"
    with protecting({"two", "red", "cars"}):
        view, params = RandomDeletion(alpha=1.0).augment(text, np.random.default_rng(0))
    assert view == text and params["applied"] is False


def test_synonym_replacement_and_insertion_skip_protected_sources():
    with protecting({"big", "old", "house", "cars", "park", "trees"}):
        for seed in range(20):
            _, params = RandomInsertion(alpha=0.5).augment(CAPTION, np.random.default_rng(seed))
            assert all(e["source_word"].lower() not in {"big", "old", "house", "cars", "park", "trees"}
                       for e in params.get("edits", []))


def test_digits_are_protected_on_request_and_case_is_ignored():
    text = "Route 66 runs past RED barns and 12 silos"
    for seed in range(20):
        with protecting({"red"}, digits=True):
            view = RandomDeletion(alpha=0.9)(text, np.random.default_rng(seed))
        assert "66" in view and "12" in view and "RED" in view


def test_the_set_is_scoped_and_nests():
    assert protected() == frozenset()
    with protecting(["Red"]):
        with protecting({"two"}):
            assert protected() == {"red", "two"}
        assert protected() == {"red"}
    assert protected() == frozenset()


def test_replay_needs_no_protection():
    op = RandomDeletion(alpha=0.6)
    with protecting(KEEP):
        view, params = op.augment(CAPTION, np.random.default_rng(3))
    assert op.apply(CAPTION, params) == view


def test_colour_and_number_lists():
    assert {"red", "grey", "gray", "blue"} <= COLOURS and {"two", "three", "dozen"} <= NUMBERS


@pytest.mark.parametrize("bad", ["red", [1, 2], [None]])
def test_bad_words_are_refused(bad):
    with pytest.raises(TypeError, match="protect"), protecting(bad):
        pass


def test_back_translation_falls_back_when_a_protected_word_is_lost():
    def drop_red(texts, src, tgt):  # a "translator" that loses the colour on the way back
        return [t.replace("red ", "") if tgt == "en" else t for t in texts]

    bt = BackTranslation(drop_red, pivot="de", model_id="drop-red")
    with protecting({"red"}):
        view, params = bt.augment("a red car", np.random.default_rng(0))
    assert view == "a red car" and params["fallback"] is True and params["protected_lost"] == ["red"]
    assert bt.apply("a red car", params) == "a red car"
    view, params = bt.augment("a red car", np.random.default_rng(0))  # unprotected: the translation stands
    assert view == "a car" and params["fallback"] is False


@settings(deadline=None, max_examples=60)
@given(st.lists(st.sampled_from(VOCAB), min_size=0, max_size=14), st.sets(st.sampled_from(VOCAB), max_size=6),
       st.integers(0, 2**32 - 1), st.sampled_from([RandomDeletion, RandomSwap, SynonymReplacement, RandomInsertion]),
       st.floats(0.05, 1.0))
def test_protection_holds_for_any_text(words, keep, seed, op_type, alpha):
    text = " ".join(words)
    with protecting(keep, digits=True):
        view, params = op_type(alpha=alpha).augment(text, np.random.default_rng(seed))
    assert _protected_sequence(view, keep) == _protected_sequence(text, keep)
    assert op_type(alpha=alpha).apply(text, params) == view

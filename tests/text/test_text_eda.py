"""EDA text operations: counts, real WordNet synonyms, stop words, in-place edits, replay."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit import text
from augkit.text._words import split_words, words
from augkit.text.lexicon import SynonymTable, get_lexicon, inflect
from augkit.text.stopwords import STOP_WORDS

# 20 words; 12 of them are content words with WordNet synonyms
TWENTY = ("The clever student quickly finished the difficult exam, then the happy teacher "
          "gave her a big shiny golden star today.")


def test_twenty_words_at_alpha_0_1_get_exactly_two_real_synonyms() -> None:
    assert len(words(TWENTY)) == 20
    table = get_lexicon("wordnet")
    assert isinstance(table, SynonymTable)
    op = text.SynonymReplacement(alpha=0.1)
    for seed in range(30):
        params = op.sample(TWENTY, np.random.default_rng(seed))
        edits = params["edits"]
        assert len(edits) == 2
        for e in edits:
            assert e["old"].lower() not in STOP_WORDS
            # the new word is a WordNet synonym of the old one (through its lemma for inflections)
            assert e["new"].lower() in table.synonyms(e["old"]), e
        assert op.apply(TWENTY, params) != TWENTY


def test_synonyms_come_from_wordnet_and_keep_inflection() -> None:
    table = get_lexicon("wordnet")
    assert "domestic dog" in table.synonyms("dog")
    assert "domestic dogs" in table.synonyms("dogs")
    assert "urban centers" in table.synonyms("cities")
    assert "leaped" in table.synonyms("jumped")
    assert inflect("cleaning_woman", "s") == "cleaning women"
    assert inflect("look_up", "ed") == "looked up"
    assert table.synonyms("the") == [] and table.synonyms("qwzx") == []


def test_stop_words_are_never_replaced_or_used_for_insertion() -> None:
    only_stop = "it is what it is, and they were there"
    for op in (text.SynonymReplacement(0.5), text.RandomInsertion(0.5)):
        for seed in range(20):
            assert op(only_stop, np.random.default_rng(seed)) == only_stop


def test_case_and_untouched_text_survive_exactly() -> None:
    sentence = "  Dogs  CHASE cats...   (really!)  "
    op = text.SynonymReplacement(alpha=1.0)
    y, params = op.augment(sentence, np.random.default_rng(0))
    for e in params["edits"]:
        old, new = e["old"], e["new"]
        if old.isupper() and len(old) > 1:
            assert new == new.upper()
        elif old[0].isupper():
            assert new[0].isupper()
    # everything outside the edited spans is byte-identical
    kept = [sentence[a:b] for a, b in _gaps(sentence, params["edits"])]
    position = 0
    for piece in kept:
        found = y.find(piece, position)
        assert found >= 0
        position = found + len(piece)


def _gaps(text_: str, edits: list[dict[str, int]]) -> list[tuple[int, int]]:
    out, last = [], 0
    for e in sorted(edits, key=lambda e: e["start"]):
        out.append((last, e["start"]))
        last = e["end"]
    out.append((last, len(text_)))
    return out


def test_deletion_never_empties_and_keeps_punctuation() -> None:
    op = text.RandomDeletion(alpha=1.0)
    for seed in range(20):
        out = op("Hello, world!", np.random.default_rng(seed))
        assert len(words(out)) == 1 and "," in out and "!" in out
    assert text.RandomDeletion(alpha=0.5)("one", np.random.default_rng(0)) == "one"
    long = " ".join(f"w{i}" for i in range(2000))
    kept = len(words(text.RandomDeletion(alpha=0.3)(long, np.random.default_rng(1))))
    assert abs(kept - 1400) < 3 * np.sqrt(2000 * 0.3 * 0.7)
    assert "  " not in text.RandomDeletion(alpha=0.3)(long, np.random.default_rng(1))


def test_deletion_output_is_the_kept_words_with_their_separators() -> None:
    plain = " ".join(f"w{i}" for i in range(40))
    op = text.RandomDeletion(alpha=0.3)
    for seed in range(20):
        y, params = op.augment(plain, np.random.default_rng(seed))
        gone = {e["position"] for e in params["edits"]}
        assert y == " ".join(f"w{i}" for i in range(40) if i not in gone)
        assert all(e["old"].strip() == f"w{e['position']}" for e in params["edits"])
    # a seed that deletes "look" and "listen": the word goes, its punctuation stays, and the last
    # word takes the space before it (no space is left dangling before "!")
    seed = next(s for s in range(500) if [e["position"] for e in op.sample("Stop, (look) and listen!",
                np.random.default_rng(s))["edits"]] == [1, 3])
    y, params = op.augment("Stop, (look) and listen!", np.random.default_rng(seed))
    assert [e["old"] for e in params["edits"]] == ["look", " listen"]
    assert y == "Stop, () and!"


@pytest.mark.parametrize("alpha", [0.1, 0.5])  # one swap (its own code path), four swaps
def test_swap_output_applies_the_recorded_swaps_in_order(alpha: float) -> None:
    sentence = "one, two; three four (five) six-seven eight's nine."
    op = text.RandomSwap(alpha=alpha)
    for seed in range(40):
        y, params = op.augment(sentence, np.random.default_rng(seed))
        order = [w for _, _, w in words(sentence)]
        for i, j in params["swaps"]:
            order[i], order[j] = order[j], order[i]
        assert [w for _, _, w in words(y)] == order
        assert split_words(y)[0::2] == split_words(sentence)[0::2]  # separators stay put
        assert op.apply(sentence, params) == y


def test_swap_moves_words_not_punctuation() -> None:
    sentence = "alpha, beta; gamma: delta."
    y, params = text.RandomSwap(alpha=0.5).augment(sentence, np.random.default_rng(3))
    assert len(params["swaps"]) == 2
    assert [c for c in y if not c.isalnum() and c != " "] == [",", ";", ":", "."]
    assert sorted(w for _, _, w in words(y)) == sorted(w for _, _, w in words(sentence))


def test_insertion_adds_synonyms_of_words_in_the_text() -> None:
    y, params = text.RandomInsertion(alpha=0.2).augment(TWENTY, np.random.default_rng(0))
    assert len(params["edits"]) == 4
    table = get_lexicon("wordnet")
    for e in params["edits"]:
        assert e["new"].strip() in table.synonyms(e["source_word"])
    assert len(words(y)) >= 24


@pytest.mark.parametrize("op_name", ["SynonymReplacement", "RandomInsertion", "RandomSwap", "RandomDeletion"])
def test_same_seed_same_view_and_json_replay(op_name: str) -> None:
    op = getattr(text, op_name)(alpha=0.2)
    a = op.augment(TWENTY, np.random.default_rng(7))
    b = op.augment(TWENTY, np.random.default_rng(7))
    assert a == b
    assert op.apply(TWENTY, json.loads(json.dumps(a[1]))) == a[0]


def test_replaying_params_on_another_text_is_an_error() -> None:
    params = text.SynonymReplacement(alpha=0.2).sample(TWENTY, np.random.default_rng(0))
    with pytest.raises(ValueError, match="params do not fit this text"):
        text.SynonymReplacement(alpha=0.2).apply("A different sentence entirely, with other words in it.", params)


def test_eda_preset_picks_one_op_per_view() -> None:
    vg = text.eda(alpha=0.1, n_views=2, seed=0)
    names = set()
    for i in range(200):
        views = vg.generate(TWENTY, index=i)
        for p in views.params:
            names.add(p["op"])
        assert vg.replay(TWENTY, views.params) == views.items
    assert names == {"text.synonym_replacement", "text.random_insertion", "text.random_swap", "text.random_deletion"}


def test_empty_and_whitespace_come_back_unchanged() -> None:
    for op in (text.SynonymReplacement(), text.RandomInsertion(), text.RandomSwap(), text.RandomDeletion()):
        for s in ("", "   ", "\n\t"):
            assert op(s, np.random.default_rng(0)) == s


def test_bad_arguments_and_inputs() -> None:
    with pytest.raises(ValueError, match="alpha=0"):
        text.SynonymReplacement(alpha=0)
    with pytest.raises(ValueError, match="source='web'"):
        text.RandomSwap(source="web")
    with pytest.raises(TypeError, match="takes a str, got bytes"):
        text.RandomSwap()(b"bytes", np.random.default_rng(0))  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.one_of(
    st.text(),
    st.lists(st.sampled_from(["😀", "שלום", "مرحبا", " ", "\u200f", "word", "Dogs", ",", "\n"])).map("".join),
))
def test_any_string_gives_a_string(s: str) -> None:
    for op in (text.SynonymReplacement(0.3), text.RandomInsertion(0.3), text.RandomSwap(0.3), text.RandomDeletion(0.3)):
        out, params = op.augment(s, np.random.default_rng(0))
        assert isinstance(out, str)
        assert op.apply(s, json.loads(json.dumps(params))) == out
        assert bool(words(out)) == bool(words(s))  # deletion leaves a word; nothing appears from nothing
        if not s.strip():
            assert out == s


def test_a_hundred_thousand_words() -> None:
    big = " ".join(["the clever dogs ran quickly home"] * 16_667)
    for op in (text.SynonymReplacement(0.1), text.RandomInsertion(0.1), text.RandomSwap(0.1), text.RandomDeletion(0.1)):
        out, params = op.augment(big, np.random.default_rng(0))
        assert isinstance(out, str) and out != big
        assert len(params["edits"]) > 5_000  # ≈ 10% of 100k words (swaps: two edits per swap)


@given(st.one_of(st.integers(), st.none(), st.binary(), st.lists(st.text())))
def test_non_strings_raise_type_error(x: object) -> None:
    with pytest.raises(TypeError):
        text.RandomDeletion()(x, np.random.default_rng(0))  # type: ignore[arg-type]


def test_malformed_edits_name_the_edit_and_key() -> None:
    from augkit.core.errors import InvalidParams

    op = text.RandomSwap(alpha=0.5)
    sentence = "one two three four"
    params = op.sample(sentence, np.random.default_rng(1))
    assert params["applied"] is True and params["edits"]
    broken = {**params, "edits": [{k: v for k, v in params["edits"][0].items() if k != "old"}]}
    with pytest.raises(InvalidParams, match=r"\['edits'\]\[0\]\['old'\]"):
        op.apply(sentence, broken)
    with pytest.raises(InvalidParams, match=r"\['edits'\] must be list"):
        op.apply(sentence, {**params, "edits": "x"})


@pytest.mark.parametrize("cls", ["SynonymReplacement", "RandomInsertion", "RandomSwap", "RandomDeletion"])
def test_every_eda_op_takes_p_and_declares_alpha(cls: str) -> None:
    make = getattr(text, cls)
    sentence = "The quick brown foxes were jumping over the lazy dogs."
    never = make(alpha=0.3, p=0.0)
    assert all(never.augment(sentence, np.random.default_rng(i)) == (sentence, {"applied": False}) for i in range(20))
    with pytest.raises(ValueError, match=r"alpha=0 must be a number in \(0, 1\]"):
        make(alpha=0)
    with pytest.raises(ValueError, match="source='web'"):
        make(source="web")
    assert repr(make(0.2)) == f"{cls}(alpha=0.2, source='wordnet', p=1.0)"


def test_insertions_at_one_point_keep_their_recorded_order() -> None:
    # an augkit 0.1 record: two insertions before word 0, in draw order; 0.1 replays it to this text
    record = {"applied": True, "edits": [
        {"position": 0, "source_word": "one", "start": 0, "end": 0, "old": "", "new": "zeta "},
        {"position": 0, "source_word": "two", "start": 0, "end": 0, "old": "", "new": "alpha "},
    ]}
    op = text.RandomInsertion(alpha=0.5)
    assert op.apply("one two", record) == "zeta alpha one two"
    # a drawn record whose insertions share slots ("ruined" is drawn before "instructor", both
    # before "teacher"): the view augkit 0.1 made from the same draws
    y, params = op.augment(TWENTY, np.random.default_rng(0))
    starts = [e["start"] for e in params["edits"]]
    assert len(starts) > len(set(starts))
    assert y == ("bookman The clever glistening student quickly finished felicitous the nowadays difficult "
                 "exam, hard then champion the happy ruined instructor teacher gave her rapidly a big test "
                 "shiny golden star today.")
    assert op.apply(TWENTY, json.loads(json.dumps(params))) == y

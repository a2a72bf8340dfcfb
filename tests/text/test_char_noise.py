"""Character noise: the share of characters changed against the rule's expectation, layouts and
confusion tables as data, protection, and replay of the recorded character offsets."""

from __future__ import annotations

import json
import math

import pytest

from augkit.core import modalities
from augkit.core.streams import stream
from augkit.text import CharDelete, CharInsert, CharSubstitute, CharSwap, KeyboardTypo, OCRNoise
from augkit.text._chars import expected_edits
from augkit.text.keyboard_typo import keyboard_layouts, neighbours
from augkit.text.ocr_noise import ocr_confusions
from augkit.text.protect import protecting

WORDS = ["quick", "brown", "jumps", "lazy", "river", "table", "green", "house"]
TEXT = " ".join(WORDS)
DRAWS = 2000
ALL_OPS = [CharSwap(), CharInsert(), CharDelete(), CharSubstitute(), KeyboardTypo(), OCRNoise()]


@pytest.mark.parametrize("word_rate,char_rate", [(0.3, 0.3), (1.0, 0.1), (0.5, 0.8)])
def test_share_of_characters_changed_matches_the_rule(word_rate: float, char_rate: float) -> None:
    """CharSubstitute changes exactly the characters it picks: per word, word_rate ·
    E[max(1, Binomial(len, char_rate))] of them on average."""
    op = CharSubstitute(word_rate=word_rate, char_rate=char_rate)
    expected = sum(expected_edits(len(w), word_rate, char_rate) for w in WORDS)
    changed = []
    for i in range(DRAWS):
        y = op(TEXT, stream(0, 0, i, 0))
        assert len(y) == len(TEXT)
        changed.append(sum(a != b for a, b in zip(y, TEXT, strict=True)))
    mean = sum(changed) / DRAWS
    var = sum((c - mean) ** 2 for c in changed) / (DRAWS - 1)
    assert abs(mean - expected) < 5 * math.sqrt(var / DRAWS), (mean, expected)


def test_share_of_edited_words_matches_word_rate() -> None:
    op = CharSwap(word_rate=0.4, char_rate=0.5)
    edited = 0
    for i in range(DRAWS):
        y = op(TEXT, stream(1, 0, i, 0))
        edited += sum(a != b for a, b in zip(y.split(), WORDS, strict=True))
    # a swap of two equal letters changes nothing: none in WORDS has doubled letters
    share = edited / (DRAWS * len(WORDS))
    assert abs(share - 0.4) < 5 * math.sqrt(0.4 * 0.6 / (DRAWS * len(WORDS)))


def test_short_words_are_never_edited() -> None:
    for op in ALL_OPS:
        for i in range(100):
            assert op("a an the fox is", stream(2, 0, i, 0)) == "a an the fox is"


def test_keyboard_typos_are_neighbours_on_the_layout_in_case() -> None:
    assert set(keyboard_layouts()) >= {"qwerty", "qwertz", "azerty"}
    near = neighbours("qwerty")
    assert set(near["g"]) == set("ftyhbv") and set(near["q"]) == set("w12a")
    for layout in ("qwerty", "azerty"):
        op = KeyboardTypo(word_rate=1.0, layout=layout)
        for i in range(200):
            _, r = op.augment("Quick BROWN", stream(3, 0, i, 0))
            for e in r["edits"]:
                assert e["new"].lower() in neighbours(layout)[e["old"].lower()]
                assert not e["new"].isalpha() or e["new"].isupper() == e["old"].isupper()


def test_ocr_edits_come_from_the_table() -> None:
    table = ocr_confusions()
    op = OCRNoise(word_rate=1.0, char_rate=0.5)
    for i in range(200):
        _, r = op.augment("Call 0800 123 456 now, said Olga", stream(4, 0, i, 0))
        for e in r["edits"]:
            assert e["new"] in table[e["old"]]


def test_delete_keeps_a_character_and_swap_swaps_neighbours() -> None:
    for i in range(300):
        y = CharDelete(word_rate=1.0, char_rate=1.0, min_word_length=1)("ab cd efgh", stream(5, 0, i, 0))
        assert all(len(w) >= 1 for w in y.split()) and len(y.split()) == 3
        _, r = CharSwap(word_rate=1.0, char_rate=1.0).augment(TEXT, stream(6, 0, i, 0))
        assert all(e["new"] == e["old"][::-1] and len(e["old"]) == 2 for e in r["edits"])


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda o: type(o).__name__)
def test_protected_words_are_never_edited(op: object) -> None:
    with protecting({"brown", "river"}):
        for i in range(200):
            out = op(TEXT, stream(7, 0, i, 0)).split()  # type: ignore[operator]
            if not isinstance(op, CharInsert):
                assert out[1] == "brown" and out[4] == "river"
            else:
                assert "brown" in out and "river" in out


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda o: type(o).__name__)
def test_records_hold_character_offsets_that_replay_and_render(op: object) -> None:
    text = modalities.get("text")
    source = "Ünïcødé words, café naïve — the quick brown fox 0123!"
    for i in range(50):
        y, r = op.augment(source, stream(8, 0, i, 0))  # type: ignore[attr-defined]
        assert op.apply(source, json.loads(json.dumps(r))) == y  # type: ignore[attr-defined]
        if r["applied"]:
            for e in r["edits"]:
                assert source[e["start"] : e["end"]] == e["old"]
            page = text.render(y, r, source=source)
            assert "<mark" in page or "<ins>" in page or "<del>" in page

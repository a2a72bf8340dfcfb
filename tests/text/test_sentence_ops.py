"""WordRepetition, TokenShuffle and SpanDeletion against their reference rules (ESimCSE, ConSERT,
Cutoff): distributions over thousands of draws, order, protection and replay."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter

import numpy as np
import pytest

from augkit.core.errors import InvalidArgument, WrongArgumentType
from augkit.core.streams import stream
from augkit.text import SpanDeletion, TokenShuffle, WordRepetition
from augkit.text._words import WORD
from augkit.text.protect import protecting
from augkit.text.span_deletion import span_length
from augkit.text.word_repetition import repetition_count_bound

TEXT = "the quick brown fox jumps over the lazy dog near a quiet river bank today"
N = len(TEXT.split())
DRAWS = 3000


def chi_square_p(observed: list[int], expected: list[float]) -> float:
    from scipy.stats import chisquare

    return float(chisquare(observed, expected).pvalue)


def test_repetition_count_follows_esimcse_rule() -> None:
    """dup_len ~ randint(0, max(2, int(rate · n))), both ends included; 0 is not applied."""
    op = WordRepetition(max_rate=0.32)
    bound = repetition_count_bound(0.32, N)
    assert bound == max(2, int(0.32 * N)) == 4
    counts: Counter[int] = Counter()
    for i in range(DRAWS):
        y, record = op.augment(TEXT, stream(1, 0, i, 0))
        counts[record["count"] if record["applied"] else 0] += 1
        if record["applied"]:
            assert len(y.split()) == N + record["count"]
    observed = [counts[k] for k in range(bound + 1)]
    assert sum(observed) == DRAWS
    assert chi_square_p(observed, [DRAWS / (bound + 1)] * (bound + 1)) > 1e-3


def test_repetition_keeps_the_order_and_repeats_in_place() -> None:
    op = WordRepetition(max_rate=1.0)
    for i in range(200):
        y, record = op.augment(TEXT, stream(2, 0, i, 0))
        if not record["applied"]:
            continue
        out, src = y.split(), TEXT.split()
        j = 0
        for w in out:  # the view is the source with some words written twice in a row
            if j < len(src) and w == src[j]:
                j += 1
            else:
                assert w == src[j - 1]
        assert j == len(src)
        positions = [e["position"] for e in record["edits"]]
        assert positions == sorted(set(positions)) and len(positions) == record["count"]


def test_repetition_more_than_words_repeats_nothing_like_the_reference() -> None:
    """On a two-word text randint(0, 2) may draw 2 = n: possible; on one word, 2 > 1 fails → nothing."""
    op = WordRepetition()
    fired = [op.augment("hello", stream(3, 0, i, 0))[1]["applied"] for i in range(300)]
    # one word: counts 0, 1, 2 equally likely; 0 and 2 repeat nothing
    assert 0.2 < np.mean(fired) < 0.47


def test_repetition_never_repeats_protected_words() -> None:
    op = WordRepetition(max_rate=1.0)
    with protecting({"two", "red"}):
        for i in range(300):
            y, _ = op.augment("two red apples on a wooden table", stream(4, 0, i, 0))
            assert y.split().count("two") == 1 and y.split().count("red") == 1


def test_shuffle_is_a_uniform_permutation_of_the_words() -> None:
    op = TokenShuffle()
    seen = Counter(op.augment("a b c", stream(5, 0, i, 0))[0] for i in range(DRAWS))
    perms = [" ".join(p) for p in itertools.permutations("abc")]
    assert set(seen) == set(perms)
    assert chi_square_p([seen[p] for p in perms], [DRAWS / 6] * 6) > 1e-3


def test_shuffle_keeps_separators_and_words() -> None:
    text = "Hello, world! How are you today?"
    for i in range(100):
        y, record = TokenShuffle().augment(text, stream(6, 0, i, 0))
        assert sorted(WORD.findall(y)) == sorted(WORD.findall(text))
        assert WORD.sub("", y) == WORD.sub("", text)
        assert sorted(record["order"]) == list(range(6))


def test_shuffle_window_keeps_words_in_their_block() -> None:
    words = [f"w{k}" for k in range(10)]
    for i in range(200):
        y = TokenShuffle(window=3)(" ".join(words), stream(7, 0, i, 0))
        for place, w in enumerate(y.split()):
            assert int(w[1:]) // 3 == place // 3


def test_shuffle_leaves_protected_words_in_place() -> None:
    text = "two red apples on a wooden table"
    with protecting({"two", "red", "table"}):
        for i in range(200):
            out = TokenShuffle()(text, stream(8, 0, i, 0)).split()
            assert out[0] == "two" and out[1] == "red" and out[-1] == "table"


def test_shuffle_refuses_a_window_below_two() -> None:
    with pytest.raises(InvalidArgument, match="window"):
        TokenShuffle(window=1)
    with pytest.raises(WrongArgumentType, match="window"):
        TokenShuffle(window=2.5)


def test_span_deletion_follows_the_cutoff_rule() -> None:
    """One run of int(rate · n) words, starting uniformly in 0 .. n - length."""
    op = SpanDeletion(max_rate=0.2)
    length = span_length(0.2, N)
    assert length == int(0.2 * N) == 3
    firsts: Counter[int] = Counter()
    src = TEXT.split()
    for i in range(DRAWS):
        y, record = op.augment(TEXT, stream(9, 0, i, 0))
        first = record["first"]
        assert record["length"] == length
        assert y.split() == src[:first] + src[first + length :]
        firsts[first] += 1
    places = N - length + 1
    assert chi_square_p([firsts[k] for k in range(places)], [DRAWS / places] * places) > 1e-3


def test_span_deletion_keeps_protected_words_and_one_word() -> None:
    with protecting({"red"}):
        for i in range(200):
            y = SpanDeletion(max_rate=0.9)("a big red ball and a small red cube", stream(10, 0, i, 0))
            assert y.split().count("red") == 2
    assert SpanDeletion(0.5).augment("alone", stream(0, 0, 0, 0))[1] == {"applied": False}
    for i in range(50):
        assert SpanDeletion(0.99)("two words", stream(11, 0, i, 0)).strip() in ("two", "words")


def test_span_deletion_leaves_no_double_spaces() -> None:
    for i in range(200):
        y = SpanDeletion(0.3)(TEXT + ".", stream(12, 0, i, 0))
        assert "  " not in y and not y.startswith(" ")


@pytest.mark.parametrize("op", [WordRepetition(), TokenShuffle(window=4), SpanDeletion(0.3)])
def test_records_replay_from_json(op: object) -> None:
    for i in range(50):
        y, record = op.augment(TEXT, stream(13, 0, i, 0))  # type: ignore[attr-defined]
        assert op.apply(TEXT, json.loads(json.dumps(record))) == y  # type: ignore[attr-defined]


def test_expected_share_of_repeated_words() -> None:
    """The mean number of repeated words is bound / 2 (uniform on 0 .. bound)."""
    op = WordRepetition(max_rate=0.5)
    bound = repetition_count_bound(0.5, N)
    total = sum(len(op(TEXT, stream(14, 0, i, 0)).split()) - N for i in range(DRAWS))
    sd = math.sqrt(((bound + 1) ** 2 - 1) / 12 / DRAWS)
    assert abs(total / DRAWS - bound / 2) < 5 * sd

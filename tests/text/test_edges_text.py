"""Text edges that used to fail: a translator returning lone surrogates (not valid text) crashed the
cache-key digest with a UnicodeEncodeError, whatever ``on_error`` said."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from augkit.text import BackTranslation, TranslationError
from augkit.text.translate_util import digest
from augkit.text.translation_cache import TranslationCache

TEXT = "the quick brown fox jumps over the lazy dog"
BAD_OUTPUTS = ["\ud800", "\udfff", "fox \udce9 dog", "\ud83d", "ok\udc80"]


def _translator(bad: str, on: str = "both") -> object:
    """Reverses word order, but answers ``bad`` in one direction (``on``: "there", "back", "both")."""

    def translate(texts: list[str], src: str, tgt: str) -> list[str]:
        there = src == "en"
        if on == "both" or (on == "there") == there:
            return [bad for _ in texts]
        return [" ".join(reversed(t.split(" "))) for t in texts]

    return translate


def test_the_digest_takes_lone_surrogates_and_keeps_valid_text_digests() -> None:
    assert digest("\ud800") != digest("\udfff") != digest("")
    assert len(digest("a\ud800b", "en", "de")) == 64
    # valid text digests as before (sha256 of the UTF-8 bytes): existing caches stay valid
    import hashlib

    assert digest("über", "en") == hashlib.sha256("über\x1fen".encode()).hexdigest()
    assert TranslationCache.key("\ud800", "de", "en", "m", 3) != TranslationCache.key("\udfff", "de", "en", "m", 3)


@pytest.mark.parametrize("bad", BAD_OUTPUTS)
@pytest.mark.parametrize("on", ["there", "back", "both"])
def test_an_invalid_translation_falls_back_to_the_input(bad: str, on: str, caplog: pytest.LogCaptureFixture) -> None:
    bt = BackTranslation(_translator(bad, on), on_error="fallback")
    with caplog.at_level(logging.WARNING, logger="augkit.text.back_translation"):
        view, params = bt.augment(TEXT, np.random.default_rng(0))
    assert view == TEXT
    assert params["fallback"] is True and params["output"] == TEXT
    assert bt.failures == 1 and bt.failure_reasons == {"invalid_output": 1}
    assert "lone surrogate" in caplog.text
    json.dumps(params)  # the record stays JSON-safe
    assert bt.apply(TEXT, params) == TEXT  # and replays


@pytest.mark.parametrize("bad", BAD_OUTPUTS)
@pytest.mark.parametrize("on", ["there", "back"])
def test_an_invalid_translation_raises_a_translation_error(bad: str, on: str) -> None:
    bt = BackTranslation(_translator(bad, on))
    with pytest.raises(TranslationError, match=r"lone surrogate.*on_error='fallback'"):
        bt(TEXT, np.random.default_rng(0))


def test_back_translate_marks_only_the_invalid_texts(tmp_path: Path) -> None:
    def translate(texts: list[str], src: str, tgt: str) -> list[str]:
        return [t + "\ud800" if "bad" in t else t.upper() if src == "en" else t.lower() for t in texts]

    bt = BackTranslation(translate, on_error="fallback", model_id="m", cache=str(tmp_path / "bt.sqlite"))
    results = bt.back_translate(["a good one", "a bad one", "another good one"])
    assert [r.output for r in results] == ["a good one", "a bad one", "another good one"]
    assert [r.fallback for r in results] == [False, True, False]
    assert bt.failure_reasons == {"invalid_output": 1}
    assert len(TranslationCache(str(tmp_path / "bt.sqlite"))) == 4  # two texts there and back; failures never
    again = bt.back_translate(["a good one", "a bad one"])  # cached texts come from the cache, the bad one retried
    assert [r.fallback for r in again] == [False, True] and bt.failures == 2

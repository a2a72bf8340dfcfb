"""The shipped synonym table against NLTK's WordNet reader over Debian's WordNet 3.0 files."""

from __future__ import annotations

import gzip
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from augkit import text
from augkit.text.build_lexicon import DEBIAN_WORDNET, main, make_nltk_wordnet
from augkit.text.lexicon import NLTKWordNet, get_lexicon

pytestmark = pytest.mark.skipif(
    not DEBIAN_WORDNET.is_dir(), reason="needs Debian's wordnet-base (installed by .ci/run)"
)


@pytest.fixture(scope="module")
def nltk_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import nltk

    root = tmp_path_factory.mktemp("nltk_data")
    make_nltk_wordnet(root)
    nltk.data.path.insert(0, str(root))
    yield root
    nltk.data.path.remove(str(root))


@pytest.mark.slow  # NLTK reads all 117k synsets: ≈ 15 s
def test_shipped_table_is_what_the_build_script_makes(nltk_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "synonyms.tsv.gz"
    main([str(out), "--nltk-data", str(nltk_data)])  # python -m augkit.text.build_lexicon OUT --nltk-data DIR
    shipped = resources.files("augkit.text").joinpath("data/synonyms.tsv.gz").read_bytes()
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(shipped)
    rows = gzip.decompress(shipped).decode("utf-8").splitlines()
    assert rows == sorted(rows, key=lambda row: row.split("\t")[0])  # what the binary search relies on
    assert "dog\tn\tdomestic_dog\tcanis_familiaris" in rows


def test_nltk_backend_agrees_with_the_shipped_table(nltk_data: Path) -> None:
    ours, theirs = get_lexicon("wordnet"), NLTKWordNet()
    for word in ("dog", "dogs", "happy", "car", "jumped", "quickly", "cities"):
        assert set(ours.synonyms(word)) == set(theirs.synonyms(word)), word
    op = text.SynonymReplacement(alpha=0.3, source="nltk")
    sentence = "The happy dogs chased the red car quickly through the cities."
    y, params = op.augment(sentence, np.random.default_rng(0))
    assert params["edits"] and all(e["new"].lower() in theirs.synonyms(e["old"]) for e in params["edits"])
    assert y != sentence

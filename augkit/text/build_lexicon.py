"""Rebuild augkit's shipped synonym lexicon from WordNet 3.0, offline.

    sudo apt-get install wordnet-base wordnet-sense-index
    python -m augkit.text.build_lexicon augkit/text/data/synonyms.tsv.gz [--nltk-data ~/nltk_data]

Debian's files are copied into an NLTK-style ``corpora/wordnet`` folder (nltk ≥ 3.10 refuses
symlinks and paths outside its data folders; Debian lacks the ``lexnames`` file, written here from
the list in ``lexnames(5WN)``), read with NLTK's WordNet reader, and every lemma of every synset with at
least two distinct lemmas becomes one line: ``lemma<TAB>pos<TAB>synonym...`` (lower case;
multi-word lemmas keep WordNet's underscores), sorted by lemma so that a lookup is a binary search
over the lines and loading the table is one decompress and one split. The WordNet 3.0 licence
must travel with the file: it is ``augkit/text/data/WORDNET_LICENSE``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

DEBIAN_WORDNET = Path("/usr/share/wordnet")
_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
# WordNet 3.0's lexicographer files, numbered 00-44 in this order (lexnames(5WN)); Debian ships
# them only in that man page, which minimal images often leave out, so they are listed here
_LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()


def make_nltk_wordnet(dest: Path, source: Path = DEBIAN_WORDNET) -> Path:
    """Copy Debian's WordNet 3.0 into ``dest/corpora/wordnet`` in the layout NLTK reads.

    Raises:
        FileNotFoundError: when the Debian packages are not installed.
    """
    if not source.is_dir():
        raise FileNotFoundError(f"{source} not found: sudo apt-get install wordnet-base wordnet-sense-index")
    folder = dest / "corpora" / "wordnet"
    folder.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.is_file():
            shutil.copy(item, folder / item.name)
    rows = [f"{i:02d}\t{name}\t{_CATEGORY[name.split('.')[0]]}\n" for i, name in enumerate(_LEXNAMES)]
    (folder / "lexnames").write_text("".join(rows))
    # NLTK's wordnet.license() reads this file
    shutil.copy(Path(__file__).parent / "data" / "WORDNET_LICENSE", folder / "LICENSE")
    return folder


def wordnet_reader(nltk_data: Path) -> Any:
    """NLTK's WordNet reader over an ``nltk_data`` folder made by :func:`make_nltk_wordnet`."""
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    # nltk >= 3.10 only reads corpora inside its data path
    if str(nltk_data) not in nltk.data.path:
        nltk.data.path.insert(0, str(nltk_data))
    return WordNetCorpusReader(nltk.data.find("corpora/wordnet"), None)


def synonym_lines(wn: Any) -> list[str]:
    """The table's rows: ``lemma<TAB>pos<TAB>synonym...`` for every lemma of every synset with at
    least two distinct lemmas, sorted by lemma (stable: a lemma's synsets keep WordNet's order)."""
    rows = []
    for synset in wn.all_synsets():
        lemmas = list(dict.fromkeys(name.lower() for name in synset.lemma_names()))
        if len(lemmas) >= 2:
            pos = "a" if synset.pos() == "s" else synset.pos()
            for lemma in lemmas:
                rows.append("\t".join([lemma, pos, *(other for other in lemmas if other != lemma)]))
    rows.sort(key=lambda row: row[: row.index("\t")])
    return rows


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m augkit.text.build_lexicon OUT [--nltk-data DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="the .tsv.gz file to write")
    parser.add_argument(
        "--nltk-data", type=Path, help="also keep NLTK's wordnet folder in DIR (NLTK_DATA=DIR enables source='nltk')"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.nltk_data or Path(tmp)
        make_nltk_wordnet(root)
        lines = synonym_lines(wordnet_reader(root))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the file byte-identical from one rebuild to the next
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"{args.out}: {len(lines)} lines, {os.path.getsize(args.out) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

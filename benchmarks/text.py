"""EDA text operations: augkit vs nlpaug (and an EDA-style NLTK WordNet baseline), one run.

Run: python benchmarks/text.py [--quick]

Inputs: the 1,500 real English sentences in data/sentences.txt (WordNet 3.0 usage examples).
nlpaug's SynonymAug needs NLTK's POS-tagger data, which cannot be downloaded on an offline
machine; where it cannot run, synonym replacement is compared with an EDA-style baseline that
looks every word up in NLTK's WordNet (the reference EDA code's approach), labelled as such.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from augkit import text  # noqa: E402
from augkit.datasets import read_lines  # noqa: E402


def rate(fn: Callable[[str], object], sentences: list[str], seconds: float) -> float:
    """Sentences per second of this process's CPU time (steadier than wall time on a shared machine)."""
    for s in sentences[:20]:
        fn(s)
    n, start = 0, time.process_time()
    while True:
        for s in sentences:
            fn(s)
        n += len(sentences)
        if time.process_time() - start >= seconds:
            return n / (time.process_time() - start)


def eda_nltk_baseline(nltk_data: Path) -> Callable[[str], str]:
    """Synonym replacement as the reference EDA code does it: split, look words up in NLTK's WordNet."""
    import nltk

    nltk.data.path.insert(0, str(nltk_data))
    from nltk.corpus import wordnet

    stop = set(text.STOP_WORDS)
    rnd = random.Random(0)

    def replace(sentence: str) -> str:
        words = sentence.split(" ")
        candidates = [w for w in dict.fromkeys(words) if w.lower() not in stop]
        rnd.shuffle(candidates)
        n = max(1, int(0.1 * len(words)))
        replaced = 0
        for word in candidates:
            synonyms = {lemma.name().replace("_", " ") for syn in wordnet.synsets(word) for lemma in syn.lemmas()}
            synonyms.discard(word)
            if synonyms:
                choice = rnd.choice(sorted(synonyms))
                words = [choice if w == word else w for w in words]
                replaced += 1
                if replaced >= n:
                    break
        return " ".join(words)

    return replace


def cold_start(code: str, env: dict[str, str], runs: int = 5) -> float:
    """Best wall time of ``runs`` fresh processes running ``code``."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 1.0 if args.quick else 3.0
    sentences = read_lines(ROOT / "data" / "sentences.txt")
    rng = np.random.default_rng(0)
    ours = {
        "synonym replacement": text.SynonymReplacement(0.1),
        "random deletion": text.RandomDeletion(0.1),
        "random swap": text.RandomSwap(0.1),
    }
    results: dict[tuple[str, str], float] = {}
    for name, op in ours.items():
        results[(name, "augkit")] = rate(lambda s, op=op: op(s, rng), sentences, seconds)

    tmp = tempfile.mkdtemp(prefix="nltk_data_")
    from augkit.text.build_lexicon import make_nltk_wordnet

    make_nltk_wordnet(Path(tmp))
    env = dict(os.environ, NLTK_DATA=tmp)
    synonym_peer = "nlpaug SynonymAug"
    import nltk

    nltk.data.path.insert(0, tmp)
    try:
        # nlpaug's SynonymAug POS-tags every sentence, and calls nltk.download when the tagger data
        # is missing: look for the data first so that this benchmark never touches the network
        nltk.data.find("taggers/averaged_perceptron_tagger_eng")
        import nlpaug.augmenter.word as naw

        os.environ["NLTK_DATA"] = tmp
        syn = naw.SynonymAug(aug_src="wordnet", aug_p=0.1)
        syn.augment(sentences[0])
        results[("synonym replacement", synonym_peer)] = rate(lambda s: syn.augment(s), sentences, seconds)
    except (ImportError, LookupError) as exc:
        reason = "not installed" if isinstance(exc, ImportError) else "NLTK's POS-tagger data is not installed"
        print(f"nlpaug SynonymAug cannot run here ({reason}): synonym replacement is compared with an")
        print("EDA-style baseline (split on spaces, look each word up with NLTK's WordNet reader)")
        synonym_peer = "EDA-style NLTK WordNet baseline"
        results[("synonym replacement", synonym_peer)] = rate(eda_nltk_baseline(Path(tmp)), sentences, seconds)
    try:
        import nlpaug.augmenter.word as naw

        for name, action in (("random deletion", "delete"), ("random swap", "swap")):
            aug = naw.RandomWordAug(action=action, aug_p=0.1)
            results[(name, "nlpaug RandomWordAug")] = rate(lambda s, aug=aug: aug.augment(s), sentences, seconds)
    except ImportError:
        print("nlpaug is not installed (pip install 'augkit[bench]'): RandomWordAug skipped")

    print(f"\n{len(sentences)} sentences, sentences per CPU second (one core)")
    for (op, who), r in results.items():
        print(f"  {op:<22} {who:<34} {r:>10.0f}")

    ours_cold = cold_start(
        "import numpy as np; from augkit.text import SynonymReplacement; "
        "SynonymReplacement(0.1)('The quick brown fox jumps over the lazy dog.', np.random.default_rng(0))",
        env,
    )
    cold = {"augkit": ours_cold}
    try:
        import nlpaug  # noqa: F401

        cold["nlpaug RandomWordAug"] = cold_start(
            "import nlpaug.augmenter.word as naw; naw.RandomWordAug(action='delete').augment('The quick brown fox')",
            env,
            runs=2,
        )
    except ImportError:
        pass
    shutil.rmtree(tmp, ignore_errors=True)
    print("\nCold start (fresh process: import + first augmented sentence), best wall time of 5 (nlpaug: 2)")
    for who, seconds_taken in cold.items():
        print(f"  {who:<34} {seconds_taken:6.2f} s")

    print("\nRatios against the goals")
    checks = [
        ("synonym replacement", synonym_peer, 15.0 if synonym_peer.startswith("nlpaug") else 5.0),
        ("random deletion", "nlpaug RandomWordAug", 5.0),
        ("random swap", "nlpaug RandomWordAug", 5.0),
    ]
    for op, peer, goal in checks:
        if (op, peer) in results:
            r = results[(op, "augkit")] / results[(op, peer)]
            print(f"  {op:<22} vs {peer:<34} {r:6.1f}x  goal >= {goal}x  {'met' if r >= goal else 'MISSED'}")
    print(f"  cold start {ours_cold:.2f} s  goal <= 0.5 s  {'met' if ours_cold <= 0.5 else 'MISSED'}")


if __name__ == "__main__":
    main()

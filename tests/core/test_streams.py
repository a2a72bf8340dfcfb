"""The one stream function: a pure function of its key, cheap, independent across neighbouring keys."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from scipy import stats

from augkit.core.streams import stream

N = 4000  # draws per stream in the statistical tests


def _draws(*key: int | str) -> np.ndarray:
    return stream(*key).random(N)


def test_a_stream_is_a_pure_function_of_its_key() -> None:
    a = _draws(0, 1, 2, 3)
    _draws(9, 9, 9, 9)  # another stream in between re-keys the shared generator
    np.testing.assert_array_equal(a, _draws(0, 1, 2, 3))
    np.testing.assert_array_equal(a, stream(0, 1, 2, 3, keep=True).random(N))
    np.testing.assert_array_equal(_draws(0, 1, 2, 3, "image"), stream(0, 1, 2, 3, "image", keep=True).random(N))


def test_numpy_ints_and_python_ints_give_the_same_stream() -> None:
    np.testing.assert_array_equal(_draws(np.int64(4), 0, np.uint32(7), 1), _draws(4, 0, 7, 1))


def test_keys_that_look_alike_give_different_streams() -> None:
    # the encoding separates parts and types: (1, 23) is not (12, 3), and "1" is not 1
    seen = {stream(*k).random() for k in [(1, 23), (12, 3), (1, 2, 3), ("1", 23), (123,), ("a", "b"), ("ab",)]}
    assert len(seen) == 7


@pytest.mark.parametrize("position", [0, 1, 2, 3, 4])
def test_neighbouring_keys_give_independent_streams(position: int) -> None:
    # seed, epoch, index, view, and an op's place: change one part by one
    base = [0, 0, 100, 0, 2]
    other = list(base)
    other[position] += 1
    a, b = stream(*base).random(N), stream(*other).random(N)
    # independent uniforms: correlation ~ N(0, 1/N); 4.5 sigma keeps the false-alarm rate negligible
    assert abs(np.corrcoef(a, b)[0, 1]) < 4.5 / np.sqrt(N)
    assert stats.kstest(a, "uniform").pvalue > 1e-4
    assert stats.kstest(b - a + (a > b), "uniform").pvalue > 1e-4  # (b - a) mod 1 is uniform when independent


def test_first_draws_across_many_indices_are_uniform_and_uncorrelated() -> None:
    firsts = np.array([stream(0, 0, i, 0).random() for i in range(N)])
    seconds = np.array([stream(0, 0, i, 1).random() for i in range(N)])
    assert stats.kstest(firsts, "uniform").pvalue > 1e-4
    assert abs(np.corrcoef(firsts[:-1], firsts[1:])[0, 1]) < 4.5 / np.sqrt(N)  # index i vs i + 1
    assert abs(np.corrcoef(firsts, seconds)[0, 1]) < 4.5 / np.sqrt(N)          # view 0 vs view 1


def test_spawn_is_keyed_and_reproducible() -> None:
    a = [g.random() for g in stream(1, 2, 3, 4).spawn(3)]
    b = [g.random() for g in stream(1, 2, 3, 4).spawn(3)]
    assert a == b and len(set(a)) == 3


def test_threads_do_not_share_generators() -> None:
    expected = {i: stream(0, 0, i, 0).random(64) for i in range(8)}
    failures: list[int] = []

    def work(i: int) -> None:
        for _ in range(200):
            g = stream(0, 0, i, 0)
            if not np.array_equal(g.random(64), expected[i]):
                failures.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


@pytest.mark.parametrize("key", [(), (-1,), (1.5,), (True,), (None,)])
def test_bad_keys_are_refused(key: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises((ValueError, TypeError)):
        stream(*key)

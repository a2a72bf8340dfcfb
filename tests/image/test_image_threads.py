"""Stored image views must not depend on threads: the image descriptor runs OpenCV on one thread
while a generate job makes its shards, and gives the thread count back afterwards."""

from __future__ import annotations

import cv2

from augkit.core import modalities


def test_single_threaded_runs_opencv_on_one_thread_and_restores_the_count() -> None:
    before = cv2.getNumThreads()
    cv2.setNumThreads(2)
    try:
        with modalities.get("image").single_threaded():
            assert cv2.getNumThreads() == 1
        assert cv2.getNumThreads() == 2
    finally:
        cv2.setNumThreads(before)


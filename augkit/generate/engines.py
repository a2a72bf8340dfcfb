"""Where shards are made: local worker processes or a Ray cluster, with a progress bar."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from augkit.generate.layout import GenerateError
from augkit.generate.shards import ShardJob, make_shard

__all__ = ["ENGINES", "progress_bar", "run_shards", "run_shards_on_ray"]

ENGINES = ("local", "ray")


def progress_bar(total: int, enabled: bool, desc: str) -> Callable[[int | None], None]:
    if not enabled or total == 0:
        return lambda n: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="item", desc=desc, dynamic_ncols=True)

    def update(n: int | None) -> None:
        if n is None:
            bar.close()
        else:
            bar.update(n)

    return update


def run_shards(jobs: list[ShardJob], workers: int, engine: str, address: str | None) -> Iterator[dict[str, Any]]:
    if not jobs:
        return
    if engine == "ray":
        yield from run_shards_on_ray(jobs, workers, address)
    elif workers == 1:
        for job in jobs:
            yield make_shard(job)
    else:
        import multiprocessing
        from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

        # spawn: a forked worker that sets OpenCV's threads after the parent used them deadlocks
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(make_shard, job) for job in jobs]
            try:
                pending = set(futures)
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                    for f in finished:
                        yield f.result()
            finally:
                for f in futures:
                    f.cancel()


def run_shards_on_ray(jobs: list[ShardJob], workers: int, address: str | None) -> Iterator[dict[str, Any]]:
    try:
        import ray
    except ImportError:
        raise GenerateError("--engine ray needs Ray: pip install 'augkit[ray]'") from None
    started = False
    if not ray.is_initialized():
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        started = True
    try:
        task = ray.remote(num_cpus=1)(make_shard)
        refs = [task.remote(job) for job in jobs]
        while refs:
            ready, refs = ray.wait(refs, num_returns=1)
            try:
                yield ray.get(ready[0])
            except ray.exceptions.RayTaskError as exc:
                cause = exc.as_instanceof_cause()
                raise cause from None
    finally:
        if started:
            ray.shutdown()

"""Where shards are made: local worker processes or a Ray cluster, with a progress bar."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from augkit.generate.layout import GenerateError
from augkit.generate.shards import ShardJob, make_shard

__all__ = ["ENGINES", "START_METHOD", "die_with_parent", "progress_bar", "run_shards", "run_shards_on_ray"]

ENGINES = ("local", "ray")

#: How local workers start: "spawn", since a forked worker that sets OpenCV's threads after the parent
#: used them deadlocks. (The fault-injection tests fork them from a parent that never ran OpenCV,
#: to kill and restart many jobs quickly.)
START_METHOD = "spawn"


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
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                                 mp_context=multiprocessing.get_context(START_METHOD),
                                 initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(make_shard, job) for job in jobs]
            try:
                pending = set(futures)
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)  # each shard as it is done
                    for f in finished:
                        yield f.result()
            except KeyboardInterrupt:  # stop at once: no worker writes on into the folder or outlives the job
                quiet_fd_server()
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.kill()
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            finally:
                for f in futures:
                    f.cancel()


def quiet_fd_server() -> None:
    """Keep the thread that hands file descriptors to workers (``multiprocessing.resource_sharer``:
    torch tensors in a job travel that way) from printing a traceback when a worker it serves is
    killed mid-handshake. That thread reports through ``sys.excepthook`` and serves on; every other
    error is printed as before."""
    import sys

    previous = sys.excepthook
    if getattr(previous, "quiet_fd_server", False):
        return

    def hook(kind: type[BaseException], error: BaseException, tb: Any) -> None:
        served, here = False, tb
        while here is not None:
            served = served or here.tb_frame.f_code.co_filename.endswith(os.path.join("multiprocessing",
                                                                                       "resource_sharer.py"))
            here = here.tb_next
        if not (served and issubclass(kind, (OSError, EOFError))):
            previous(kind, error, tb)

    hook.quiet_fd_server = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def die_with_parent(parent: int) -> None:
    """Make this worker end when the process that started it ends, however it ends (a SIGKILL too),
    instead of writing its queued shards into a folder nobody holds: the kernel's parent-death
    signal where there is one (Linux), and a thread watching the parent everywhere."""
    import signal
    import sys
    import threading
    import time

    # Ctrl-C reaches the whole process group: the parent stops the workers, which say nothing
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before the signal was set
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="augkit-die-with-parent", daemon=True).start()


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

"""The Dask cluster a run uses: an existing scheduler's, or a local one sized to the machine."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

# Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, which turns off glibc's
# adaptive mmap threshold: every array over 128 kB (a score per worker) is then a fresh
# mmap with its page faults. A 250-job partition took 12.1-12.7 s so, 7.2-7.7 s without it.
WORKER_ENVIRONMENT = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, n_workers: int | None = None) -> Iterator:
    """A `distributed.Client` on `scheduler`, else on a LocalCluster closed on exit.

    The local cluster has one single-threaded worker process per core: ranking is NumPy
    and scikit-learn work that holds the GIL much of the time. Its workers keep glibc's
    own allocator tuning (`WORKER_ENVIRONMENT`).
    """
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    workers = n_workers or os.cpu_count() or 1
    with (
        dask.config.set(WORKER_ENVIRONMENT),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            memory_limit=0,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client

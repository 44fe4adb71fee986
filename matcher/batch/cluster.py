"""The Dask cluster a run uses: an existing scheduler's, or a local one sized to the machine."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, n_workers: int | None = None) -> Iterator:
    """A `distributed.Client` on `scheduler`, else on a LocalCluster closed on exit.

    The local cluster has one single-threaded worker process per core: ranking is NumPy
    and scikit-learn work that holds the GIL much of the time.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    workers = n_workers or os.cpu_count() or 1
    with (
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

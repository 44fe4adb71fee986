"""Shortlists stay fast while a bulk import writes workers (issue 13, item 8(e)).

Every import chunk bumps the workers' change counter, so the web app rebuilds its worker
table again and again: a rebuild must not wait behind another one, and must not count the
tokens of every resume again.
"""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np

from matcher.demo.generator import generate_workers, worker_rows
from matcher.features import population
from matcher.features.population import load_worker_rows, load_worker_table
from matcher.importing import import_rows
from matcher.ranking.caches import VersionedCache

AS_OF = dt.date(2026, 11, 25)


def demo_workers(count: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    return worker_rows(generate_workers(rng, count), AS_OF, np.random.default_rng([seed, 1]))


def assert_same_table(left, right) -> None:
    assert np.array_equal(left.worker_ids, right.worker_ids)
    for name in ("resume_terms", "skills"):
        a, b = getattr(left, name), getattr(right, name)
        assert a.shape == b.shape and (a != b).nnz == 0, name
    assert np.array_equal(left.term_idf, right.term_idf)


def test_rebuilt_worker_table_reuses_counts_and_equals_a_fresh_build(db):
    rows = demo_workers(60, seed=3)
    assert not import_rows(db, "workers", rows[:40]).rejected
    load_worker_table(db)  # the table the next build reuses counts from

    edited = {**rows[5], "resume_text": rows[5]["resume_text"] + " Kubernetes Terraform Rust"}
    assert not import_rows(db, "workers", [edited, *rows[40:]]).rejected
    db.execute(
        "UPDATE workers SET deleted_at = '2026-11-25T00:00:00Z' WHERE external_id = ?",
        [rows[9]["external_id"]],
    )
    db.conn.commit()
    counted: list[int] = []
    real_transform = population.TEXT_VECTORIZER.transform

    def counting(texts):
        counted.append(len(texts))
        return real_transform(texts)

    population.TEXT_VECTORIZER.transform = counting
    try:
        reused = load_worker_table(db)
    finally:
        population.TEXT_VECTORIZER.transform = real_transform
    fresh = population.worker_table_from_rows(*load_worker_rows(db))

    assert len(reused.worker_ids) == 59
    assert counted[0] == 21  # the edited resume and the 20 new workers, not all 59
    assert_same_table(reused, fresh)


def test_requests_serve_the_previous_object_while_another_thread_rebuilds():
    cache = VersionedCache()
    assert cache.get("db", 1, lambda: "v1") == "v1"
    building, release = threading.Event(), threading.Event()

    def slow_build() -> str:
        building.set()
        release.wait(30)
        return "v2"

    builder = threading.Thread(target=lambda: cache.get("db", 2, slow_build))
    builder.start()
    assert building.wait(30)
    # Version 3 arrived during the rebuild: answered at once with what is built, no rebuild.
    assert cache.get("db", 3, lambda: "must not be built while v2 builds") == "v1"
    release.set()
    builder.join(30)
    assert cache.get("db", 2, lambda: "stale") == "v2"
    # With no rebuild in progress a newer version is built before answering.
    assert cache.get("db", 3, lambda: "v3") == "v3"


def test_first_build_is_waited_for_and_not_repeated():
    cache = VersionedCache()
    builds: list[int] = []
    started = threading.Event()

    def build(version: int):
        def run() -> int:
            builds.append(version)
            started.set()
            threading.Event().wait(0.2)
            return version

        return run

    first = threading.Thread(target=lambda: cache.get("db", 1, build(1)))
    first.start()
    assert started.wait(30)
    # Nothing to serve yet: this waits for the first build and takes it, not a second build.
    assert cache.get("db", 2, build(2)) == 1
    first.join(30)
    assert builds == [1]

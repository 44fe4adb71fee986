"""A batch task keeps the garbage collector off its long-lived data only while it ranks."""

from __future__ import annotations

import gc

import pytest
from ranking_rows import add_job, add_worker

from matcher.batch.tasks import long_lived_data_frozen
from matcher.config import Settings
from matcher.ranking.index import worker_index


def test_the_indexes_are_built_and_frozen_while_ranking_then_unfrozen(db, db_path):
    add_job(db, "J1", required=["Python"])
    add_worker(db, "W1", skills={"Python": 3})
    db.conn.commit()
    settings = Settings(db_path=db_path)
    assert gc.get_freeze_count() == 0
    with long_lived_data_frozen(db, settings):
        index = worker_index(db)  # the cached one, built before the freeze: frozen with it
        assert gc.get_freeze_count() > 0 and not _collectable(index)
    assert gc.get_freeze_count() == 0 and _collectable(index)


def test_a_failing_partition_still_unfreezes(db, db_path):
    with pytest.raises(RuntimeError), long_lived_data_frozen(db, Settings(db_path=db_path)):
        raise RuntimeError("the partition failed")
    assert gc.get_freeze_count() == 0


def _collectable(thing: object) -> bool:
    """Whether the collector's generations hold `thing` (frozen objects are in none)."""
    return any(tracked is thing for tracked in gc.get_objects())

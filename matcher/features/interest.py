"""Worker interest as a pair fact for the features: +1 "I'm interested", -1 "Not for me", 0 none.

The `worker_interest` feature (`pair_features.FEATURE_NAMES`) reads a `PairInterest` carried
by the worker table: a sorted lookup from (job id, worker id) to the answer. Serving reads the
current answer (the latest row of m016's append-only `worker_interest`, `current_interest`);
training reads the answer as of each pair's decision time (`interest_as_of`), so no row
learns from an answer the employer could not have seen when deciding:

- a pair that reached a grade above "shown"/"viewed": strictly before its label time (when it
  first reached its furthest grade, as `matcher.features.history` reads profiles);
- a pair that never went further: strictly before its rejection or withdrawal, else before
  the job's last outcome event (the employer's last decision on the job, when it still had not
  advanced this worker). Reading these at the pair's "shown" time instead would give every
  never-advanced pair "no answer" and every advanced one its answer: interest would look
  predictive because of when it is read, not because of what it says.

The cold-start scorer gives the feature no weight; it only moves a learned model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlite_utils import Database

from matcher.constants import STAGE_RELEVANCE, TERMINAL_STAGES

INTEREST_VALUES: dict[str, float] = {"interested": 1.0, "not_for_me": -1.0}
_KEY_SHIFT = np.int64(1 << 32)  # key = job id * 2**32 + worker id (ids below 2**31)


def pair_keys(job_ids, worker_ids) -> np.ndarray:
    """One int64 key per (job id, worker id) pair."""
    jobs = np.asarray(job_ids, dtype=np.int64)
    return jobs * _KEY_SHIFT + np.asarray(worker_ids, dtype=np.int64)


@dataclass(frozen=True)
class PairInterest:
    """Answers by pair key, sorted for `searchsorted`; `version` names the data it was read from."""

    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    version: tuple = ()
    _by_key: list[dict[int, str]] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def of(cls, job_ids, worker_ids, values, version: tuple = ()) -> PairInterest:
        """The lookup of these pairs' values (0 values are dropped: 0 is "no answer")."""
        keys = pair_keys(job_ids, worker_ids)
        values = np.asarray(values, dtype=np.float32)
        kept = values != 0
        keys, values = keys[kept], values[kept]
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], values[order], version)

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, job_ids, worker_ids) -> np.ndarray:
        """The value of each (job_ids[i], worker_ids[i]); 0 where there is no answer."""
        out = np.zeros(len(np.atleast_1d(worker_ids)), dtype=np.float32)
        if len(self.keys) == 0 or len(out) == 0:
            return out
        wanted = pair_keys(job_ids, worker_ids)
        position = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        found = self.keys[position] == wanted
        out[found] = self.values[position[found]]
        return out

    def choice(self, job_id: int, worker_id: int) -> str | None:
        """The answer of one pair as its stored word, None when there is none."""
        if not len(self.keys):
            return None
        return self._words().get(int(pair_keys(job_id, worker_id)))

    def _words(self) -> dict[int, str]:
        """Pair key -> answer word, built whole on first use (one explanation per shortlist row
        asks), then published in one step so that another thread never reads it half-built."""
        if not self._by_key:
            names = {value: word for word, value in INTEREST_VALUES.items()}
            pairs = zip(self.keys.tolist(), self.values.tolist(), strict=True)
            self._by_key.append({key: names[value] for key, value in pairs if value in names})
        return self._by_key[0]


NO_INTEREST = PairInterest()


def interest_version(db: Database) -> tuple[int, int]:
    """A version of the append-only interest table: its row count and newest id."""
    count, newest = db.execute(
        "SELECT count(*), coalesce(max(id), 0) FROM worker_interest"
    ).fetchone()
    return int(count), int(newest)


def current_interest(db: Database, version: tuple | None = None) -> PairInterest:
    """Every pair's current answer (its latest row), as of `version` (read now when None)."""
    version = interest_version(db) if version is None else version
    rows = db.execute(
        "SELECT job_id, worker_id, choice FROM worker_interest i WHERE id = "
        "(SELECT MAX(id) FROM worker_interest WHERE worker_id = i.worker_id AND job_id = i.job_id)"
    ).fetchall()
    if not rows:
        return PairInterest(version=version)
    jobs, workers, choices = zip(*rows, strict=True)
    values = [INTEREST_VALUES.get(choice, 0.0) for choice in choices]
    return PairInterest.of(jobs, workers, values, version)


def decision_times(
    db: Database, job_ids: np.ndarray, worker_ids: np.ndarray, label_at: Sequence[str]
) -> np.ndarray:
    """Each training pair's decision time, before which its interest counts (module doc)."""
    keys = pair_keys(job_ids, worker_ids)
    times = np.array(label_at, dtype=object)  # ISO strings; compared as Python strings
    if len(keys) == 0:
        return times
    advanced = [stage for stage, grade in STAGE_RELEVANCE.items() if grade > 0]
    marks = ",".join("?" * len(advanced))
    moved = db.execute(
        f"SELECT DISTINCT job_id, worker_id FROM outcomes WHERE stage IN ({marks})", advanced
    ).fetchall()
    waiting = ~np.isin(keys, pair_keys(*_columns(moved, 2)))
    terminal_marks = ",".join("?" * len(TERMINAL_STAGES))
    ended = db.execute(
        f"SELECT job_id, worker_id, MIN(at) FROM outcomes WHERE stage IN ({terminal_marks})"
        " GROUP BY job_id, worker_id",
        list(TERMINAL_STAGES),
    ).fetchall()
    ended_at, has_ended = _lookup(pair_keys(*_columns(ended, 2)), _column(ended, 2), keys)
    last = db.execute("SELECT job_id, MAX(at) FROM outcomes GROUP BY job_id").fetchall()
    job_ids = np.asarray(job_ids, dtype=np.int64)
    job_last, has_last = _lookup(
        np.array(_column(last, 0), dtype=np.int64), _column(last, 1), job_ids
    )
    rejected = np.flatnonzero(waiting & has_ended)
    times[rejected] = ended_at[rejected]
    idle = np.flatnonzero(waiting & ~has_ended & has_last)
    later = idle[job_last[idle] > times[idle]]
    times[later] = job_last[later]
    return times


def _column(rows: list[tuple], position: int) -> list:
    return [row[position] for row in rows]


def _columns(rows: list[tuple], count: int) -> list[np.ndarray]:
    return [np.array(_column(rows, i), dtype=np.int64) for i in range(count)]


def _lookup(keys: np.ndarray, values: list[str], wanted: np.ndarray) -> tuple[np.ndarray, ...]:
    """values[keys == wanted[i]] for each i (keys unique; None where absent), and where found."""
    out = np.full(len(wanted), None, dtype=object)
    if len(keys) == 0:
        return out, np.zeros(len(wanted), dtype=bool)
    order = np.argsort(keys)
    keys, values = keys[order], np.array(values, dtype=object)[order]
    position = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    found = keys[position] == wanted
    out[found] = values[position[found]]
    return out, found


def interest_as_of(
    db: Database, job_ids: np.ndarray, worker_ids: np.ndarray, times: Sequence[str]
) -> np.ndarray:
    """Each pair's answer from the latest interest row recorded strictly before times[i].

    Rows and asked pairs are sorted together by (pair, time), an asked pair before a row of the
    same time (strictly before), rows of one time in id order; each asked pair then takes the
    nearest row before it, when that row is of the same pair."""
    out = np.zeros(len(job_ids), dtype=np.float32)
    rows = db.execute(
        "SELECT job_id, worker_id, choice, created_at FROM worker_interest ORDER BY id"
    ).fetchall()
    if not rows or len(out) == 0:
        return out
    row_keys = pair_keys(*_columns(rows, 2))
    asked = np.flatnonzero(np.isin(pair_keys(job_ids, worker_ids), row_keys))
    if len(asked) == 0:
        return out
    asked_keys = pair_keys(np.asarray(job_ids)[asked], np.asarray(worker_ids)[asked])
    keys = np.concatenate([row_keys, asked_keys])
    at = np.concatenate(
        [np.array(_column(rows, 3), dtype=object), np.array(times, dtype=object)[asked]]
    )
    is_row = np.r_[np.ones(len(rows), dtype=bool), np.zeros(len(asked), dtype=bool)]
    order = np.lexsort((is_row, at, keys))  # stable: rows of one time stay in id order
    position = np.arange(len(order))
    latest = np.maximum.accumulate(np.where(is_row[order], position, -1))
    queries = np.flatnonzero(~is_row[order])
    before = latest[queries]
    values = np.array([INTEREST_VALUES.get(choice, 0.0) for choice in _column(rows, 2)])
    row = np.where(before >= 0, order[np.maximum(before, 0)], 0)  # a row index (< len(rows))
    same = (before >= 0) & (keys[row] == keys[order[queries]])
    out[asked[order[queries] - len(rows)]] = np.where(same, values[row], 0.0)
    return out

"""Shortlist filters: the hard filters and sort order an employer picks, and who passes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matcher import clock
from matcher.constants import CITIES, WORK_AUTHORIZATIONS
from matcher.features.population import EPOCH, JobProfile, WorkerTable
from matcher.hiring.stages import PIPELINE_STAGE_KEYS, STAGE_BY_KEY
from matcher.permits import NEEDS_NEW_PERMIT, NO_NEW_PERMIT, pathway_for_job, permit_ready
from matcher.ranking.index import WorkerIndex

# "reciprocal": the employer's fit band first, then the worker's interest, then the score
# (`matcher.ranking.shortlists.reciprocal_order`).
SORT_KEYS: tuple[str, ...] = ("score", "experience", "available_from", "salary", "reciprocal")


class FilterError(ValueError):
    """A candidate filter has a value that cannot be used; `field` names it."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class CandidateFilters:
    """Hard filters and the sort order of a shortlist (the employer's filter form)."""

    city_preference_max_rank: int | None = None  # 1: only workers who rank the job city first
    open_to_remote: bool | None = None  # True: only workers open to remote work
    min_french_level: int | None = None
    work_authorizations: frozenset[str] | None = None
    min_years_experience: float | None = None
    max_years_experience: float | None = None
    stages: frozenset[str] | None = None  # only candidates now in these pipeline stages
    hide_decided: bool = False  # leave out hired, rejected and withdrawn candidates
    can_start_by: dt.date | None = None  # earliest feasible start (`matcher.permits`) by then
    sort: str = "score"

    def __post_init__(self) -> None:
        for name in ("work_authorizations", "stages"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, frozenset(getattr(self, name)))
        self.validate()

    @property
    def reads_stages(self) -> bool:
        """Whether passing depends on the candidates' pipeline stages on the job."""
        return self.stages is not None or self.hide_decided

    def validate(self) -> None:
        """Raise FilterError naming the first field whose value makes no sense."""
        if self.city_preference_max_rank is not None and not (
            1 <= self.city_preference_max_rank <= len(CITIES)
        ):
            raise FilterError("city_preference_max_rank", f"must be 1 to {len(CITIES)}")
        if self.min_french_level is not None and not 0 <= self.min_french_level <= 12:
            raise FilterError("min_french_level", "must be 0 to 12")
        unknown = set(self.work_authorizations or ()) - set(WORK_AUTHORIZATIONS)
        if unknown:
            raise FilterError("work_authorizations", f"unknown value {sorted(unknown)[0]!r}")
        for name in ("min_years_experience", "max_years_experience"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise FilterError(name, "must be 0 or more")
        unknown = set(self.stages or ()) - set(PIPELINE_STAGE_KEYS)
        if unknown:
            raise FilterError("stage", f"unknown stage {sorted(unknown)[0]!r}")
        if self.can_start_by is not None and not isinstance(self.can_start_by, dt.date):
            raise FilterError("can_start_by", "must be a date (YYYY-MM-DD)")
        if self.sort not in SORT_KEYS:
            raise FilterError("sort", f"must be one of {', '.join(SORT_KEYS)}")


def passes_stage(filters: CandidateFilters, stage: str) -> bool:
    """Whether a candidate in pipeline `stage` passes the stage filters."""
    if filters.hide_decided and not STAGE_BY_KEY[stage].is_open:
        return False
    return filters.stages is None or stage in filters.stages


def stage_mask(
    index: WorkerIndex, filters: CandidateFilters, stages: Mapping[int, str]
) -> np.ndarray:
    """Which workers pass the stage filters; `stages` maps internal worker ids to their stage,
    and a worker missing from it is `new`."""
    mask = np.full(len(index), passes_stage(filters, "new"))
    for worker_id, stage in stages.items():
        row = index.row_of(worker_id)
        if row is not None:
            mask[row] = passes_stage(filters, stage)
    return mask


def eligible_mask(
    index: WorkerIndex,
    job: JobProfile,
    filters: CandidateFilters,
    stages: Mapping[int, str] | None = None,
) -> np.ndarray:
    """Which workers pass the filters for `job` (deleted workers are never in the table).

    `stages` (internal worker id -> pipeline stage on the job) is read by the stage filters.
    """
    table = index.table
    mask = np.ones(len(index), dtype=bool)
    if filters.city_preference_max_rank is not None:
        rank = table.city_rank[:, CITIES.index(job.city)]
        mask &= (rank > 0) & (rank <= filters.city_preference_max_rank)
    if filters.open_to_remote is not None:
        mask &= table.open_to_remote == filters.open_to_remote
    if filters.min_french_level is not None:
        mask &= np.nan_to_num(table.french_level, nan=-1.0) >= filters.min_french_level
    if filters.work_authorizations is not None:
        mask &= np.isin(table.work_authorization, list(filters.work_authorizations))
    if filters.min_years_experience is not None:
        mask &= table.years_experience >= filters.min_years_experience
    if filters.max_years_experience is not None:
        # Years not stated are not known to exceed it: kept, as an unknown is never a 0.
        years = table.years_experience
        mask &= np.isnan(years) | (years <= filters.max_years_experience)
    if filters.reads_stages:
        mask &= stage_mask(index, filters, stages or {})
    if filters.can_start_by is not None:
        mask &= can_start_by_mask(table, job, filters.can_start_by)
    return mask


def can_start_by_mask(
    table: WorkerTable, job: JobProfile, by: dt.date, *, today: dt.date | None = None
) -> np.ndarray:
    """Whether each worker's earliest feasible start for `job` (`matcher.permits.earliest_start`,
    applying today) is on or before `by`; an unknown authorization never passes."""
    today = today or clock.today()
    today_days = float((today - EPOCH).days)
    free = np.fmax(np.nan_to_num(table.available_from, nan=today_days), today_days)
    ready = float((permit_ready(pathway_for_job(job.occupation), today) - EPOCH).days)
    needs = np.isin(table.work_authorization, list(NEEDS_NEW_PERMIT))
    known = needs | np.isin(table.work_authorization, list(NO_NEW_PERMIT))
    start = np.where(needs, np.maximum(free, ready), free)
    return known & (start <= float((by - EPOCH).days))

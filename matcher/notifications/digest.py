"""What a match digest says: the worker, the period, and each job with its fit and reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from matcher.fit import Fit
from matcher.presentation import DisplayItem, explanation_items, fit_text

DEFAULT_JOBS_PER_DIGEST = 5
# The reasons an email shows on its one line per job: the skills and the place.
SUMMARY_KEYS = ("skills", "city")


@dataclass(frozen=True)
class DigestJob:
    """One job in a digest, with the ranking's explanation of why it fits and its fit."""

    job_id: int
    external_id: str
    title: str
    employer: str
    city: str
    remote: str
    score: float
    explanation: Mapping[str, Any] = field(default_factory=dict)
    fit: Fit | None = None
    salary_min_cad: int | None = None
    salary_max_cad: int | None = None

    @cached_property
    def reasons(self) -> list[DisplayItem]:
        """The presenter's reasons in the worker's voice, as on their matches page."""
        return explanation_items(self.explanation, "worker")

    @property
    def summary(self) -> list[DisplayItem]:
        """The reasons of the email's one line: skills held and missing, and the place."""
        return [item for item in self.reasons if item.key in SUMMARY_KEYS]

    @property
    def fit_text(self) -> str:
        """The fit in the words every surface uses ("Good fit · 85th percentile")."""
        return fit_text(self.fit) if self.fit else ""


@dataclass(frozen=True)
class Digest:
    """The jobs chosen for one worker in one digest period."""

    worker_id: int
    worker_external_id: str
    name: str
    email: str
    period: str
    jobs: tuple[DigestJob, ...]

"""What a match digest says: the worker, the period, and each job with its reasons."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

DEFAULT_JOBS_PER_DIGEST = 5
# The lowest serving-scorer score a job needs to be mailed. The scale depends on the model
# (the cold-start scorer gives good fits 0.7-0.9, the demo's learned ranker 0.3-0.5), so it
# is configurable: TALENTMATCH_DIGEST_MIN_SCORE, or `send-digests --threshold`.
DEFAULT_SCORE_THRESHOLD = 0.3
THRESHOLD_VARIABLE = "TALENTMATCH_DIGEST_MIN_SCORE"


def configured_threshold(environ: Mapping[str, str] | None = None) -> float:
    """The digest score threshold from the environment, else the default."""
    value = (os.environ if environ is None else environ).get(THRESHOLD_VARIABLE)
    return float(value) if value else DEFAULT_SCORE_THRESHOLD


@dataclass(frozen=True)
class DigestJob:
    """One job in a digest, with the ranking's explanation of why it fits."""

    job_id: int
    external_id: str
    title: str
    employer: str
    city: str
    remote: str
    score: float
    explanation: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def reasons(self) -> list[str]:
        return reasons_from_explanation(self.explanation, city=self.city, remote=self.remote)

    @property
    def percent(self) -> int:
        """The score as the 0-100 figure the email shows."""
        return round(self.score * 100)


@dataclass(frozen=True)
class Digest:
    """The jobs chosen for one worker in one digest period."""

    worker_id: int
    worker_external_id: str
    name: str
    email: str
    period: str
    jobs: tuple[DigestJob, ...]


_ORDINALS = {1: "first", 2: "second", 3: "third"}


def reasons_from_explanation(
    explanation: Mapping[str, Any], *, city: str = "", remote: str = "onsite"
) -> list[str]:
    """Plain-language reasons from a ranking explanation (`matcher.ranking.explanations`)."""
    reasons: list[str] = []
    matched = list(explanation.get("matched_skills") or [])
    missing = list(explanation.get("missing_skills") or [])
    nice = list(explanation.get("matched_nice_to_have_skills") or [])
    if matched:
        reasons.append("Your skills it asks for: " + ", ".join(matched))
    if missing:
        reasons.append("Skills it asks for that you have not listed: " + ", ".join(missing))
    if nice:
        reasons.append("Bonus skills you have: " + ", ".join(nice))
    reasons.extend(_place_reasons(explanation.get("city_preference_rank"), city, remote))
    reasons.extend(_experience_reasons(explanation))
    reasons.extend(_french_and_salary_reasons(explanation))
    return reasons


def _place_reasons(rank: Any, city: str, remote: str) -> list[str]:
    if remote == "remote":
        return [f"Remote ({city}-based employer)" if city else "Remote"]
    where = f"In {city} ({remote})" if remote == "hybrid" else f"In {city}"
    if isinstance(rank, int) and rank in _ORDINALS:
        return [f"{where}, your {_ORDINALS[rank]} choice of city"]
    if isinstance(rank, int):
        return [f"{where}, choice {rank} on your list of cities"]
    return [f"{where}, not on your list of cities"] if city else []


def _experience_reasons(explanation: Mapping[str, Any]) -> list[str]:
    years, needed = explanation.get("years_experience"), explanation.get("min_years_experience")
    if not isinstance(years, int | float) or not isinstance(needed, int | float) or needed <= 0:
        return []
    verdict = "meet" if years >= needed else "fall short of"
    return [f"Your {years:g} years of experience {verdict} the {needed:g} it asks for"]


def _french_and_salary_reasons(explanation: Mapping[str, Any]) -> list[str]:
    reasons = []
    required = explanation.get("french_level_required")
    if isinstance(required, int) and required > 0:
        meets = explanation.get("meets_french_requirement")
        verdict = {True: "your level meets it", False: "above your level"}.get(meets, "")
        reasons.append(f"Asks for French at NCLC {required}" + (f", {verdict}" if verdict else ""))
    salary = explanation.get("salary_fit")
    if salary == "within":
        reasons.append("Pays within your salary expectation")
    elif salary == "above":
        reasons.append("Your salary expectation is above its range")
    return reasons

"""What a match digest says: the worker, the period, and each job with its reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_JOBS_PER_DIGEST = 5
DEFAULT_SCORE_THRESHOLD = 0.5


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

    @property
    def reasons(self) -> list[str]:
        return reasons_from_explanation(self.explanation, city=self.city, remote=self.remote)


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
    """Plain-language reasons from a ranking explanation (PRODUCT.md's explanation fields)."""
    reasons: list[str] = []
    matched = list(explanation.get("matched_skills") or [])
    missing = list(explanation.get("missing_skills") or [])
    if matched:
        reasons.append("Your skills it asks for: " + ", ".join(matched))
    if missing:
        reasons.append("Skills it asks for that you have not listed: " + ", ".join(missing))
    reasons.extend(_place_reasons(explanation.get("city_preference_rank"), city, remote))
    reasons.extend(_experience_and_language_reasons(explanation))
    return reasons


def _place_reasons(rank: Any, city: str, remote: str) -> list[str]:
    if remote == "remote":
        return [f"Remote ({city}-based employer)" if city else "Remote"]
    if isinstance(rank, int) and rank in _ORDINALS:
        return [f"In {city}, your {_ORDINALS[rank]} choice of city"]
    if isinstance(rank, int):
        return [f"In {city}, choice {rank} on your list of cities"]
    return [f"In {city}, not on your list of cities"] if city else []


def _experience_and_language_reasons(explanation: Mapping[str, Any]) -> list[str]:
    reasons = []
    years, needed = explanation.get("years_experience"), explanation.get("min_years_experience")
    if isinstance(years, int | float) and isinstance(needed, int | float) and needed > 0:
        verdict = "meets" if years >= needed else "is below"
        reasons.append(f"Your {years:g} years of experience {verdict} the {needed:g} it asks for")
    french = explanation.get("french_level_required")
    if isinstance(french, int) and french > 0:
        reasons.append(f"Asks for French at NCLC {french}")
    return reasons

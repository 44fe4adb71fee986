"""What a resume states, as `parse_resume` reads it: the value types shared by the package."""

from __future__ import annotations

from dataclasses import dataclass

# Where a skill's years came from, so a confirm page can say why it shows a number.
YEARS_STATED = "stated"
YEARS_FROM_WORK_HISTORY = "work_history"


@dataclass(frozen=True)
class ResumeSkill:
    """A canonical skill named in a resume; `years` is None when the resume does not say."""

    name: str
    years: float | None = None
    years_from: str | None = None


@dataclass(frozen=True)
class ResumeFacts:
    """Skills (in order of first mention), total years, recent titles and education level."""

    skills: tuple[ResumeSkill, ...] = ()
    total_years: float | None = None
    recent_titles: tuple[str, ...] = ()
    education: str | None = None

    def years_by_skill(self) -> dict[str, float | None]:
        """Each skill's years (None when not stated), by canonical name."""
        return {skill.name: skill.years for skill in self.skills}

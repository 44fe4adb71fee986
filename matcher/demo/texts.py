"""The demo's free text, written the way real resumes and postings are.

Real resumes rarely say "5 years of Python": they list dated jobs and a skills line, or
just the skills. Real postings are long, sectioned, and wrap the requirements in an about-us
and a benefits section. The demo's text follows suit so that it no longer flatters the ranker.
Everything here is pure: a worker's or job's facts (and a random stream) in, text out.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

# Share of workers who only upload a resume (no skill list, no years typed in), and of
# those, the share whose resume dates its jobs (the rest: skills and titles only).
RESUME_ONLY_SHARE = 0.40
DATED_RESUME_SHARE = 0.85

EDUCATION_LINES = {
    "secondary": "High school diploma",
    "diploma": "College diploma in computer programming",
    "bachelor": "B.Sc. in Computer Science",
    "master": "M.Sc. in Computer Science",
    "phd": "Ph.D. in Computer Science",
}
PREVIOUS_EMPLOYERS = (
    "Initech", "Globex", "Hooli", "Umbrella Systems", "Stark Industries", "Wayne Analytics",
    "Acme Corp", "Soylent Data", "Vandelay Industries", "Cyberdyne", "Massive Dynamic",
    "Tyrell Software", "Aperture Labs", "Oscorp Digital", "Pied Piper",
)  # fmt: skip
BENEFITS = (
    "Health, dental and vision coverage from day one",
    "Four weeks of paid vacation",
    "RRSP matching up to 5%",
    "A yearly learning budget",
    "Flexible hours",
    "Parental leave top-up",
)
REMOTE_PHRASES = {
    "onsite": "on site",
    "hybrid": "hybrid, three days a week in the office",
    "remote": "fully remote within Canada",
}


def resume_text(
    rng: np.random.Generator,
    *,
    title: str,
    years: float,
    skills: list[str],
    cities: list[str],
    education: str,
    as_of: dt.date,
    dated: bool,
) -> str:
    """A resume with a summary, work history (dated or not), a skills line and education.

    It never states years per skill; a dated history lets a reader infer them.
    """
    history = _work_history(rng, title, years, skills, as_of, dated)
    return "\n".join(
        [
            f"{title}",
            f"Relocating to Canada; open to {', '.join(cities) or 'any city'}.",
            "",
            "SUMMARY",
            f"{title} who enjoys shipping reliable software with small teams.",
            "",
            "EXPERIENCE",
            *history,
            "",
            "SKILLS",
            ", ".join(skills),
            "",
            "EDUCATION",
            EDUCATION_LINES.get(education, education),
        ]
    )


def _work_history(
    rng: np.random.Generator,
    title: str,
    years: float,
    skills: list[str],
    as_of: dt.date,
    dated: bool,
) -> list[str]:
    """One or two jobs covering `years`, the skills spread across their bullet points."""
    employers = rng.choice(len(PREVIOUS_EMPLOYERS), size=2, replace=False).tolist()
    recent_years = years if years < 3 else max(1.0, round(years * rng.uniform(0.4, 0.7)))
    spans = [(as_of.year - int(round(recent_years)), None)]
    if years >= 3:
        spans.append((as_of.year - int(round(years)), spans[0][0]))
    half = max(1, len(skills) // 2)
    chunks = [skills[:half], skills[half:] or skills[:half]]
    lines = []
    for (start, end), employer, chunk in zip(spans, employers, chunks, strict=False):
        when = f"  {start} – {end or 'Present'}" if dated else ""
        lines.append(f"{title}, {PREVIOUS_EMPLOYERS[employer]}{when}")
        lines.append(f"- Built and maintained production systems using {', '.join(chunk)}.")
    return lines


def posting_text(
    rng: np.random.Generator,
    *,
    employer: str,
    title: str,
    mission: str,
    city: str,
    remote: str,
    required: list[str],
    nice: list[str],
    min_years: float,
    french_level: int,
    salary: tuple[int, int],
) -> str:
    """A posting as job boards show it: about us, the role, requirements, assets, benefits."""
    benefits = rng.choice(len(BENEFITS), size=3, replace=False).tolist()
    requirements = [f"- Hands-on experience with {skill}" for skill in required]
    if min_years > 0:
        requirements.insert(0, f"- {min_years:g}+ years of professional experience")
    if french_level > 0:
        requirements.append(f"- French at NCLC {french_level} or above (bilingual workplace)")
    return "\n".join(
        [
            f"About {employer}",
            f"{employer} is a growing Canadian company with teams across the country. We value"
            " curiosity, kindness and shipping often.",
            "",
            "The role",
            f"As our {title} in {city} ({REMOTE_PHRASES.get(remote, remote)}), you will {mission}.",
            "",
            "Requirements",
            *requirements,
            "",
            "Nice to have",
            *(f"- {skill}" for skill in nice),
            "",
            "What we offer",
            f"- Salary: ${salary[0]:,} – ${salary[1]:,} CAD a year",
            *(f"- {BENEFITS[b]}" for b in benefits),
            "- Open work permit holders welcome; we support Global Talent Stream applications.",
        ]
    )

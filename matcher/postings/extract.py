"""`extract_job_fields`: the jobs contract's fields a posting's free text states.

Skills are split by emphasis, not count. A skill is a required candidate when the
requirements section or the title names it (or, in a posting without a requirements section,
when the text names it outside a nice-to-have part); a skill that only the duties or the
introduction mention is a candidate when mentioned at least twice; a skill offered as an
alternative ("Django or FastAPI") counts as nice to have there. Candidates are ranked by
weighted mentions (requirements and title 3, elsewhere 1) and the first `MAX_REQUIRED_SKILLS`
are required; the rest, and the nice-to-have sections' skills, are nice to have (at most
`MAX_NICE_TO_HAVE_SKILLS`). About-us, benefits and equal-opportunity text is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.postings import fields
from matcher.postings.sections import SectionKind, Segment, heading_kind, split_sections
from matcher.postings.text import clip, fold, strip_bullet

MAX_REQUIRED_SKILLS = 8
MAX_NICE_TO_HAVE_SKILLS = 20
MIN_MENTIONS_OUTSIDE_REQUIREMENTS = 2
MAX_BARE_ITEM_WORDS = 3
ALTERNATIVE_REACH_CHARS = 30
MAX_ALTERNATIVES = 10
_OR = re.compile(r"\s+(?:or|ou|and/or)\s+", re.IGNORECASE)
MAX_LED_ITEM_WORDS = 6
_LEADING_NAME = re.compile(r"[A-Z][\w.+#]*(?=[\s,(]|$)")
EMPHASIS_WEIGHTS = {SectionKind.REQUIRED: 3, SectionKind.DUTIES: 1, SectionKind.INTRO: 1}
TITLE_WEIGHT = 3
MAX_TITLE_CHARS = 100
MAX_TITLE_WORDS = 12

_ROLE_WORD = re.compile(
    r"\b(?:developer|engineer|scientist|analyst|architect|manager|designer|lead|administrator|"
    r"admin|specialist|consultant|programmer|devops|sre|tester|qa|director|intern|head of|"
    r"vp|cto|owner|researcher|statistician|technician|coordinator|strategist|"
    r"developpeu(?:r|se)|ingenieur|ingenieure|analyste|architecte|gestionnaire|concepteur|"
    r"conceptrice|technicien|technicienne|chef|directeur|directrice|scientifique|"
    r"programmeu(?:r|se)|stagiaire|conseill(?:er|ere))s?\b"
)
_TITLE_LABEL = re.compile(r"^(?:job title|title|position|poste|titre du poste|role)\s*:\s*", re.I)


@dataclass
class _Tally:
    first: int
    weight: int = 0
    required: int = 0
    nice: int = 0
    other: int = 0


def extract_job_fields(text: str) -> dict:
    """The job fields stated in `text`, with the jobs contract's names; None when not stated."""
    text = clip(text or "")
    segments = split_sections(text)
    title = read_title(text)
    required, nice = split_skills(segments, title)
    salary_min, salary_max = fields.read_salary(segments)
    years = fields.read_min_years(segments)
    return {
        "title": title,
        "city": fields.read_city(segments, title),
        "remote": fields.read_remote(segments),
        "min_years_experience": int(years) if years is not None and years.is_integer() else years,
        "salary_min_cad": salary_min,
        "salary_max_cad": salary_max,
        "french_level_required": fields.read_french_level(segments),
        "required_skills": required,
        "nice_to_have_skills": nice,
    }


def read_title(text: str) -> str | None:
    """The first line when it reads as a job title ("Senior Backend Developer - Toronto")."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    line = _TITLE_LABEL.sub("", strip_bullet(first)).strip()
    if not line or len(line) > MAX_TITLE_CHARS or len(line.split()) > MAX_TITLE_WORDS:
        return None
    if line[-1] in ".!?" or heading_kind(line) is not None or not _ROLE_WORD.search(fold(line)):
        return None
    return line


def split_skills(segments: list[Segment], title: str | None) -> tuple[list[str], list[str]]:
    """(required, nice to have) canonical skills, the required kept few and most emphasised."""
    from matcher.skills import extract_skills  # loads the vocabulary: only when needed

    tallies: dict[str, _Tally] = {}
    for order, skill in enumerate(extract_skills(title) if title else []):
        tally = tallies.setdefault(skill, _Tally(first=order))
        tally.weight += TITLE_WEIGHT
        tally.required += 1
    for index, segment in enumerate(segments):
        if segment.kind is SectionKind.IGNORED:
            continue
        alternatives = _alternatives(segment.text, extract_skills)
        for skill in _skills_of(segment, extract_skills):
            kind = SectionKind.NICE if skill in alternatives else segment.kind
            _count(tallies.setdefault(skill, _Tally(first=1000 + index)), kind)
    has_requirements = any(t.required for t in tallies.values())
    candidates = [s for s, t in tallies.items() if _is_candidate(t, has_requirements)]
    candidates.sort(key=lambda s: (-tallies[s].weight, tallies[s].first))
    required = candidates[:MAX_REQUIRED_SKILLS]
    rest = [s for s in tallies if s not in required]
    rest.sort(key=lambda s: tallies[s].first)
    return required, rest[:MAX_NICE_TO_HAVE_SKILLS]


def _alternatives(text: str, extract_skills) -> set[str]:
    """Skills offered as an alternative ("Django or FastAPI": FastAPI), which are not required."""
    parts = _OR.split(text, maxsplit=MAX_ALTERNATIVES)
    found = set()
    for part in parts[1:]:
        first = extract_skills(part[:ALTERNATIVE_REACH_CHARS])[:1]
        found.update(first)
    return found - set(extract_skills(parts[0]))


def _skills_of(segment: Segment, extract_skills) -> list[str]:
    """Skills in a sentence; a short list item of a skills section may be just "Go" or "Rust",
    which prose alone would not confirm, so there the whole item is looked up as a term."""
    found = extract_skills(segment.text)
    if segment.kind not in (SectionKind.REQUIRED, SectionKind.NICE):
        return found
    words = segment.text.split()
    if found or len(words) > MAX_LED_ITEM_WORDS:
        return found
    skill = _exact_skill(segment.text) if len(words) <= MAX_BARE_ITEM_WORDS else None
    # "React for internal tools": a list item led by a capitalised skill name is about it.
    lead = _LEADING_NAME.match(segment.text)
    skill = skill or (_exact_skill(lead.group()) if lead else None)
    return [skill] if skill else []


def _exact_skill(term: str) -> str | None:
    from matcher.skills import load_vocabulary
    from matcher.skills.folding import fold_exact

    return load_vocabulary().exact_index.get(fold_exact(term))


def _count(tally: _Tally, kind: SectionKind) -> None:
    if kind is SectionKind.NICE:
        tally.nice += 1
        return
    tally.weight += EMPHASIS_WEIGHTS[kind]
    if kind is SectionKind.REQUIRED:
        tally.required += 1
    else:
        tally.other += 1


def _is_candidate(tally: _Tally, has_requirements: bool) -> bool:
    if tally.required:
        return True
    if not tally.other:
        return False
    return not has_requirements or tally.other >= MIN_MENTIONS_OUTSIDE_REQUIREMENTS

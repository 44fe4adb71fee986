"""Resume text made regular (line breaks, dashes, headings run into text) and cut into sections.

Resumes pasted from PDFs and the real Kaggle set often lose the line break around a heading
("...Skill DetailsPython", "24 monthsCompany Details"); known headings get it back, so each
section (education, experience, skills, projects) can be read on its own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Longer than any real resume; past it, text is ignored so parsing time stays bounded.
MAX_RESUME_CHARS = 100_000

EDUCATION = "education"
EXPERIENCE = "experience"
SKILLS = "skills"
PROJECTS = "projects"
OTHER = "other"

_HEADINGS: dict[str, str] = {
    **dict.fromkeys(
        """education|education details|educational qualification|educational qualifications
        |academic qualification|academic qualifications|academics|academic background
        |academic details|qualifications|education and training|formation
        |formation academique|etudes|scolarite|diplomes""".split("|"),
        EDUCATION,
    ),
    **dict.fromkeys(
        """experience|work experience|professional experience|work history|employment
        |employment history|career history|company details|experience details
        |experience professionnelle|experiences professionnelles|parcours professionnel
        |experiences|relevant experience""".split("|"),
        EXPERIENCE,
    ),
    **dict.fromkeys(
        """skills|skill details|technical skills|key skills|core competencies|competencies
        |key competencies|it skills|skill set|skillset|technical proficiency|technologies
        |competences|competences techniques|skills summary""".split("|"),
        SKILLS,
    ),
    **dict.fromkeys(
        "projects|academic projects|personal projects|project details|projets".split("|"),
        PROJECTS,
    ),
    **dict.fromkeys(
        """summary|profile|professional summary|objective|career objective|certifications
        |certificates|languages|langues|interests|hobbies|personal details|references
        |awards|achievements|profil|declaration|personal information""".split("|"),
        OTHER,
    ),
}
_HEADINGS = {" ".join(key.split()): kind for key, kind in _HEADINGS.items()}

# Headings that the real data runs into the neighbouring words, in their written case.
_GLUED_HEADINGS = ("Education Details", "Skill Details", "Company Details", "Project Details")
_GLUED_BEFORE = re.compile(r"(?<=[a-z0-9.)\]])(" + "|".join(_GLUED_HEADINGS) + r")")
_GLUED_AFTER = re.compile(r"(" + "|".join(_GLUED_HEADINGS) + r")[ \t]*(?=\S)")
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_SPACES = str.maketrans({**{c: " " for c in "\u00a0\u2007\u202f\t\u200b"}, "\u2019": "'"})
_DASHES_AND_SPACES = {**_DASHES, **_SPACES}
_HEADING_PUNCTUATION = " :-*#•|_=\u25aa\u25cf"


@dataclass(frozen=True)
class Line:
    """One line of the resume, the section it belongs to, and its position in the text."""

    text: str
    section: str | None
    index: int


def clean_text(text: str) -> str:
    """NFC text, at most `MAX_RESUME_CHARS`, with one kind of dash and space and line break."""
    text = unicodedata.normalize("NFC", text[:MAX_RESUME_CHARS])
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not text.isascii():
        text = text.translate(_DASHES_AND_SPACES)
    text = _GLUED_BEFORE.sub(r"\n\1", text)
    return _GLUED_AFTER.sub(r"\1\n", text)


def fold(text: str) -> str:
    """Lower case without accents, for matching words written either way (expérience)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def heading_kind(line: str) -> str | None:
    """The section a heading line opens (education, experience, ...), or None for text."""
    if len(line) > 60:
        return None  # no heading is this long; most lines are, so skip folding them
    key = " ".join(fold(line).strip(_HEADING_PUNCTUATION).split())
    return _HEADINGS.get(key)


def split_lines(text: str) -> list[Line]:
    """The non-empty lines of cleaned text, each with the section its last heading opened."""
    lines: list[Line] = []
    section: str | None = None
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            continue
        kind = heading_kind(stripped)
        if kind is not None:
            section = kind
            continue
        lines.append(Line(stripped, section, len(lines)))
    return lines

"""Occupations: job titles and resumes normalised to O*NET-SOC codes (and NOC 2021), and how
close two occupations are. Reads only the committed `occupations.json`."""

from matcher.occupations.lookup import (
    RESUME_OCCUPATIONS,
    Occupation,
    load_titles,
    occupation_of_title,
    occupations_in_text,
)
from matcher.occupations.similarity import (
    UNKNOWN_SIMILARITY,
    code_positions,
    occupation_codes,
    occupation_similarity,
    similarity_to_codes,
)

__all__ = [
    "RESUME_OCCUPATIONS",
    "UNKNOWN_SIMILARITY",
    "Occupation",
    "code_positions",
    "load_titles",
    "occupation_codes",
    "occupation_of_title",
    "occupation_similarity",
    "occupations_in_text",
    "similarity_to_codes",
]

"""Builds `occupations.json`, job titles -> O*NET-SOC codes, from O*NET 29.0 and a curated seed.

Run `python -m matcher.occupations.build_occupations [DATA_DIR]` (default
`shared/data/real/occupations` beside the project folder). O*NET's alternate titles, its
sample of reported titles and its official titles each vote for the occupations a title
names; a title is kept for the occupation with the most votes (computer and mathematical
occupations first, since this service hires tech workers), and dropped when it is one
generic word. The curated seed (`seed_titles.txt`) overrides ambiguous titles and adds the
phrases resumes use for a line of work, and maps codes to NOC 2021. The generated file is
committed, so the product never reads the reference data at run time.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

from matcher.occupations.words import title_key

PACKAGE_DIR = Path(__file__).parent
SEED_PATH = PACKAGE_DIR / "seed_titles.txt"
OUTPUT_PATH = PACKAGE_DIR / "occupations.json"


def _nearest_shared_data() -> Path:
    """`shared/data/real/occupations` in the nearest folder above the package that has it."""
    for folder in PACKAGE_DIR.parents:
        candidate = folder / "shared" / "data" / "real" / "occupations"
        if candidate.is_dir():
            return candidate
    return PACKAGE_DIR.parents[2] / "shared" / "data" / "real" / "occupations"


DEFAULT_DATA_DIR = _nearest_shared_data()
ALTERNATE_TITLES = "onet_29_0_alternate_titles.txt"
REPORTED_TITLES = "onet_29_0_sample_of_reported_titles.txt"
OCCUPATION_DATA = "onet_29_0_occupation_data.txt"
ATTRIBUTION = [
    "This product includes information from the O*NET 29.0 Database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 "
    "license. O*NET is a trademark of USDOL/ETA.",
    "talentmatch has modified all or some of this information. USDOL/ETA has not approved, "
    "endorsed, or tested these modifications.",
]
# Votes: one per O*NET source listing the alternate title, more for a title workers
# reported and most for the official title; tech occupations get a head start.
REPORTED_VOTES = 2
OFFICIAL_VOTES = 5
TECH_PREFIX = "15-"
TECH_VOTES = 3
MAX_TITLE_WORDS = 6
# O*NET's one-word titles shorter than this are abbreviations (`dr`, `co`, `pa`) that
# collide with other words; the seed lists the few worth keeping (`hr`, `dba`).
MIN_SINGLE_WORD_LENGTH = 4


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of an O*NET text-edition file (tab-separated, no quoting)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def parse_seed(text: str) -> dict[str, list[list[str]]]:
    """The seed's sections: each line split on `|` and stripped, comments dropped."""
    sections: dict[str, list[list[str]]] = defaultdict(list)
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.strip() and not line.startswith("#"):
            sections[section].append([part.strip() for part in line.split("|")])
    return sections


def title_votes(data_dir: Path) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """title key -> code -> votes, and code -> official title."""
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    official = {}
    for row in read_rows(data_dir / OCCUPATION_DATA):
        code = row["O*NET-SOC Code"]
        official[code] = row["Title"]
        # Official titles are plural category names; one word of them ("Models") is far
        # more often a plain word in a resume than a job title.
        if len(title_key(row["Title"]).split()) > 1:
            votes[title_key(row["Title"])][code] += OFFICIAL_VOTES
    for row in read_rows(data_dir / ALTERNATE_TITLES):
        code = row["O*NET-SOC Code"]
        weight = max(len(row["Source(s)"].split(",")), 1)
        for title in (row["Alternate Title"], row["Short Title"]):
            if title and title != "n/a":
                votes[title_key(title)][code] += weight
    for row in read_rows(data_dir / REPORTED_TITLES):
        votes[title_key(row["Reported Job Title"])][row["O*NET-SOC Code"]] += REPORTED_VOTES
    return votes, official


def best_code(candidates: dict[str, int]) -> str:
    """The code with most votes, tech codes first; ties to the lower code."""
    return min(
        candidates,
        key=lambda code: (-(candidates[code] + TECH_VOTES * code.startswith(TECH_PREFIX)), code),
    )


def _kept_length(key: str) -> bool:
    """Whether a title is short enough to be a title and, if one word, not an abbreviation."""
    count = len(key.split())
    return count <= MAX_TITLE_WORDS and (count > 1 or len(key) >= MIN_SINGLE_WORD_LENGTH)


def build_occupations(data_dir: Path, seed_text: str) -> dict:
    """The document written to `occupations.json`."""
    seed = parse_seed(seed_text)
    generic = {line[0] for line in seed["generic"]}
    votes, official = title_votes(data_dir)
    titles = {
        key: best_code(candidates)
        for key, candidates in votes.items()
        if key and key not in generic and _kept_length(key)
    }
    for title, code in seed["titles"]:
        if code not in official:
            raise ValueError(f"seed title {title!r}: unknown O*NET-SOC code {code}")
        titles[title_key(title)] = code
    by_code: dict[str, list[str]] = defaultdict(list)
    for key in sorted(titles):
        by_code[titles[key]].append(key)
    return {
        "attribution": ATTRIBUTION,
        "occupations": {code: official[code] for code in sorted(official)},
        "titles": {code: by_code[code] for code in sorted(by_code)},
        "noc": {prefix: noc for prefix, noc in seed["noc"]},
        "related": [[left, right, float(value)] for left, right, value in seed["related"]],
        # One-word titles read anywhere in a resume; O*NET's ("server", "model") only near
        # its start, since in running text such words are mostly used in another sense.
        "words_in_text": sorted(
            title_key(title) for title, _ in seed["titles"] if len(title_key(title).split()) == 1
        ),
    }


def main(argv: list[str] | None = None) -> int:
    """Write `occupations.json` from the data folder named on the command line (or the default)."""
    argv = sys.argv[1:] if argv is None else argv
    data_dir = Path(argv[0]) if argv else DEFAULT_DATA_DIR
    document = build_occupations(data_dir, SEED_PATH.read_text(encoding="utf-8"))
    OUTPUT_PATH.write_text(
        json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
        encoding="utf-8",
    )
    count = sum(len(titles) for titles in document["titles"].values())
    print(f"wrote {OUTPUT_PATH} ({count} titles of {len(document['titles'])} occupations)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

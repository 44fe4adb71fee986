"""Builds `vocabulary.json`, the skill vocabulary, from the curated seed and public reference data.

Run `python -m matcher.skills.build_vocabulary [DATA_DIR]` (default `shared/data/skills` beside
the project folder, which is `/work/shared/data/skills` in the workspace).
The seed (`seed_skills.txt`) names each skill, its category, its Stack Overflow tags, hand-written
aliases and how ambiguous words may be read in prose. The reference data adds Stack Overflow
tag synonyms as aliases, Stack Overflow question counts and O*NET occurrences as popularity, and
O*NET product names as aliases. The generated file is committed, so the product never needs the
reference data at run time.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from matcher.skills.folding import fold_compact, fold_exact

PACKAGE_DIR = Path(__file__).parent
SEED_PATH = PACKAGE_DIR / "seed_skills.txt"
OUTPUT_PATH = PACKAGE_DIR / "vocabulary.json"
DEFAULT_DATA_DIR = PACKAGE_DIR.parents[2] / "shared" / "data" / "skills"

ATTRIBUTION = [
    "Includes information from the O*NET database by the U.S. Department of Labor, "
    "Employment and Training Administration, under CC BY 4.0",
    "Skill synonyms derived from Stack Overflow tag synonyms, CC BY-SA 4.0",
]
# Stack Overflow synonyms that are everyday words or name something narrower than the skill.
REJECTED_SYNONYMS = frozenset(
    """
    javascript-alert javascript-execution javascript-disabled mysql-if .cs-file div divs span
    webpage addclass toggleclass removeclass jsonobject htmldocument ibm domains domain can room
    exchange sheets gs cake proto moss tests test secure vulnerability vulnerabilities pattern
    patterns oops oo functional concurrent async asynchronously fast slow speed faster
    efficiency tuning slowness cache cached mining classifier scraper coverage annotation stats
    workbook localize performance-issues running-time speed-up concurrency-violation
    asynchronous-processing performance-comparison
    """.split()
)
# O*NET prefixes a vendor's name to many products (`Oracle Java`, `Apache Kafka`).
ONET_VENDORS = (
    "amazon web services aws",
    "amazon",
    "microsoft",
    "google",
    "apache",
    "oracle",
    "ibm",
    "adobe",
    "atlassian",
    "apple",
    "red hat",
    "the mathworks",
    "esri",
    "sap",
    "hewlett packard",
    "cisco",
    "national instruments",
    "statacorp",
    "quest",
    "qlik tech",
    "embarcadero",
    "salesforce",
    "tenable",
    "portswigger",
    "vmware",
)
RULE = re.compile(r"(case|context|never):(.+?)(?=\s+(?:case|context|never):|$)")
ACRONYM = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Za-z0-9]+$")


@dataclass
class SeedSkill:
    """One curated line of the seed, plus what the reference data adds to it."""

    name: str
    category: str
    tags: list[str]
    aliases: list[str]
    text_rules: dict[str, str]
    derived_aliases: list[str] = field(default_factory=list)
    stackoverflow_questions: int = 0
    onet_occupations: set[str] = field(default_factory=set)
    hot_technology: bool = False


def parse_seed(text: str) -> list[SeedSkill]:
    """Reads the seed format described at the top of `seed_skills.txt`."""
    skills: list[SeedSkill] = []
    category = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            category = line[3:].strip()
        elif line.strip() and not line.startswith("#"):
            skills.append(_parse_seed_line(line, category, number))
    return skills


def _parse_seed_line(line: str, category: str, number: int) -> SeedSkill:
    columns = [column.strip() for column in line.split("|")] + ["", "", ""]
    name, tags, aliases, rules = columns[:4]
    if not name or not category:
        raise ValueError(f"seed line {number}: a skill needs a name and a category")
    default_tag = name.lower().replace(" ", "-")
    return SeedSkill(
        name=name,
        category=category,
        tags=_split_list(tags) or [default_tag],
        aliases=_split_list(aliases),
        text_rules=_parse_rules(rules, number),
    )


def _split_list(column: str) -> list[str]:
    return [item.strip() for item in column.split(",") if item.strip()]


def _parse_rules(column: str, number: int) -> dict[str, str]:
    rules = {form.strip(): kind for kind, form in RULE.findall(column)}
    if RULE.sub("", column).strip():
        raise ValueError(f"seed line {number}: cannot read text rules {column!r}")
    return rules


def read_tag_counts(data_dir: Path) -> dict[str, int]:
    """Stack Overflow tag name -> number of questions (August 2021)."""
    with open(data_dir / "stackoverflow_Tags_2021.csv", newline="", encoding="utf-8") as file:
        return {row["TagName"]: int(row["Count"] or 0) for row in csv.DictReader(file)}


def read_tag_synonyms(data_dir: Path) -> dict[str, list[str]]:
    """Stack Overflow target tag -> its synonym tags."""
    synonyms: dict[str, list[str]] = defaultdict(list)
    path = data_dir / "stackoverflow_TagSynonyms_2021.csv"
    with open(path, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["SourceTagName"] not in REJECTED_SYNONYMS:
                synonyms[row["TargetTagName"]].append(row["SourceTagName"])
    return synonyms


def read_onet_examples(data_dir: Path) -> dict[str, tuple[set[str], bool]]:
    """O*NET technology name -> (occupation codes listing it, whether it is a hot technology)."""
    examples: dict[str, tuple[set[str], bool]] = {}
    path = data_dir / "onet_technology_skills.tsv"
    with open(path, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file, delimiter="\t"):
            codes, hot = examples.get(row["Example"], (set(), False))
            codes.add(row["O*NET-SOC Code"])
            examples[row["Example"]] = (codes, hot or row["Hot Technology"] == "Y")
    return examples


def add_stackoverflow(skills: list[SeedSkill], counts: dict, synonyms: dict) -> None:
    """Adds question counts, and tags and their synonyms (spaced) as derived aliases."""
    first_words = {fold_exact(skill.name): skill.name for skill in skills}
    for skill in skills:
        skill.stackoverflow_questions = sum(counts.get(tag, 0) for tag in skill.tags)
        for tag in skill.tags:
            for name in [tag, *synonyms.get(tag, [])]:
                if first_words.get(fold_exact(name.split("-")[0]), skill.name) == skill.name:
                    skill.derived_aliases.append(name.replace("-", " "))


def onet_candidate_keys(example: str) -> list[str]:
    """Exact keys an O*NET product name may match: as is, and without vendor or acronym."""
    name = example.removesuffix(" software").strip()
    words = name.split()
    forms = [name]
    if len(words) > 2 and ACRONYM.match(words[-1]):
        # "Structured query language SQL": the words before the acronym must match on their own.
        forms.append(" ".join(words[:-1]))
    keys = []
    for form in forms:
        key = fold_exact(form)
        keys.append(key)
        vendor = next((v for v in ONET_VENDORS if key.startswith(v + " ")), None)
        if vendor:
            keys.append(key[len(vendor) + 1 :])
    return keys


def add_onet(skills: list[SeedSkill], examples: dict[str, tuple[set[str], bool]]) -> None:
    """Links O*NET product names to skills: occupations, hot flag, and the name as an alias."""
    by_key = {}
    for skill in skills:
        for alias in [skill.name, *skill.aliases, *skill.derived_aliases]:
            by_key.setdefault(fold_exact(alias), skill)
    for example, (codes, hot) in examples.items():
        skill = next((by_key[k] for k in onet_candidate_keys(example) if k in by_key), None)
        if skill is not None:
            skill.onet_occupations |= codes
            skill.hot_technology |= hot
            skill.derived_aliases.append(example)


def popularity_figures(skills: list[SeedSkill]) -> dict[str, tuple[int, str]]:
    """Skill -> (popularity, source): SO questions, else scaled O*NET, else the median."""
    ratios = [
        s.stackoverflow_questions / len(s.onet_occupations)
        for s in skills
        if s.stackoverflow_questions and s.onet_occupations
    ]
    questions_per_occupation = statistics.median(ratios)
    known = [s.stackoverflow_questions for s in skills if s.stackoverflow_questions]
    neutral = round(statistics.median(known))
    figures = {}
    for skill in skills:
        if skill.stackoverflow_questions:
            figures[skill.name] = (skill.stackoverflow_questions, "stackoverflow")
        elif skill.onet_occupations:
            estimate = round(len(skill.onet_occupations) * questions_per_occupation)
            figures[skill.name] = (estimate, "onet")
        else:
            figures[skill.name] = (neutral, "default")
    return figures


def resolve_aliases(skills: list[SeedSkill]) -> tuple[dict[str, tuple[list, list]], list[str]]:
    """Each skill's curated and derived aliases, without keys that two skills claim.

    A key that is some skill's own name belongs to that skill; any other key claimed by two
    skills is dropped from both, since it cannot say which one is meant.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for skill in skills:
        for key in _keys(skill.name):
            names[key] = skill.name
        for alias in [skill.name, *skill.aliases, *skill.derived_aliases]:
            for key in _keys(alias):
                owners[key].add(skill.name)
    dropped: list[str] = []
    resolved = {}
    for skill in skills:
        seen = {fold_exact(skill.name)}
        kept = []
        for aliases in (skill.aliases, skill.derived_aliases):
            kept.append([])
            for alias in aliases:
                exact = fold_exact(alias)
                if not exact or exact in seen:
                    continue
                seen.add(exact)
                if all(_owned_by(key, skill.name, owners, names) for key in _keys(alias)):
                    kept[-1].append(alias)
                else:
                    dropped.append(f"{alias!r} of {skill.name}")
        resolved[skill.name] = (kept[0], kept[1])
    return resolved, dropped


def _keys(alias: str) -> tuple[str, str]:
    exact = fold_exact(alias)
    return exact, fold_compact(exact)


def _owned_by(key: str, name: str, owners: dict[str, set[str]], names: dict[str, str]) -> bool:
    if key in names:
        return names[key] == name
    return owners[key] == {name}


def check_unique_names(skills: list[SeedSkill]) -> None:
    """Two skills must never share a name or its compact key."""
    seen: dict[str, str] = {}
    for skill in skills:
        for key in _keys(skill.name):
            if seen.setdefault(key, skill.name) != skill.name:
                raise ValueError(f"{skill.name!r} and {seen[key]!r} fold to the same key {key!r}")


def build_vocabulary(data_dir: Path, seed_text: str) -> tuple[dict, list[str]]:
    """The vocabulary document and the list of aliases dropped as ambiguous."""
    skills = parse_seed(seed_text)
    check_unique_names(skills)
    add_stackoverflow(skills, read_tag_counts(data_dir), read_tag_synonyms(data_dir))
    add_onet(skills, read_onet_examples(data_dir))
    aliases, dropped = resolve_aliases(skills)
    errors = [e for skill in skills for e in text_rule_errors(skill, aliases[skill.name][0])]
    if errors:
        raise ValueError("\n".join(errors))
    popularity = popularity_figures(skills)
    entries = [_entry(skill, aliases[skill.name], popularity[skill.name]) for skill in skills]
    document = {
        "attribution": ATTRIBUTION,
        "generated_by": "python -m matcher.skills.build_vocabulary",
        "popularity": "Stack Overflow questions for the skill's tags (August 2021); when a "
        "tag is missing from that export, O*NET occupations listing the skill times the median "
        "questions per occupation; otherwise the 10th percentile of known figures",
        "aliases": "aliases are curated and also read in prose; derived_aliases come from Stack "
        "Overflow tag synonyms and O*NET product names and are only used to normalise terms",
        "text_rules": "How an alias that is also an English word may be read in prose: case = "
        "only in exactly this case (with tech context at a sentence start), context = exactly "
        "this case and with tech context, never = not in prose",
        "skills": entries,
    }
    return document, dropped


def text_rule_errors(skill: SeedSkill, curated: list[str]) -> list[str]:
    """A text rule must name the skill or one of its curated aliases, or it would do nothing."""
    usable = {fold_exact(alias) for alias in [skill.name, *curated]}
    return [
        f"text rule {form!r} of {skill.name} names none of its curated aliases"
        for form in skill.text_rules
        if fold_exact(form) not in usable
    ]


def _entry(skill: SeedSkill, aliases: tuple[list, list], popularity: tuple[int, str]) -> dict:
    return {
        "name": skill.name,
        "category": skill.category,
        "aliases": aliases[0],
        "derived_aliases": aliases[1],
        "popularity": popularity[0],
        "popularity_source": popularity[1],
        "onet_occupations": len(skill.onet_occupations),
        "hot_technology": skill.hot_technology,
        "text_rules": skill.text_rules,
    }


def main(argv: list[str] | None = None) -> int:
    """Writes `vocabulary.json` and reports what it dropped."""
    arguments = sys.argv[1:] if argv is None else argv
    data_dir = Path(arguments[0]) if arguments else DEFAULT_DATA_DIR
    document, dropped = build_vocabulary(data_dir, SEED_PATH.read_text(encoding="utf-8"))
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    OUTPUT_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {len(document['skills'])} skills to {OUTPUT_PATH}")
    for alias in dropped:
        print(f"dropped ambiguous alias {alias}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How fast and how right skill normalisation and extraction are, with a baseline in the same run.

Prints medians of several runs for:
- `normalize_skill` on a realistic stream of raw terms (skill-list entries: canonical names,
  aliases, odd case and punctuation, typos and non-skills, repeated with a Zipf-like skew),
  starting each run from a cold memo; target >= 100,000 terms/s;
- the same code without the memo on each unique term once (the cold, uncached rate);
- a baseline: rapidfuzz `process.extractOne` over every alias key on every term, no exact
  path and no memo (run on a sample, since it is slow);
- accuracy and wrong answers of both on the labelled fixture `tests/fixtures/skill_terms.csv`;
- `extract_skills` on generated resumes, and the time that implies for 100,000 of them.

    .venv/bin/python benchmarks/bench_skills.py [--terms 200000] [--runs 5] [--resumes 2000]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from matcher.skills import extract_skills, load_vocabulary, normalize_skill
from matcher.skills.normalize import clear_memo, normalize_uncached

FIXTURE = Path(__file__).parent.parent / "tests" / "fixtures" / "skill_terms.csv"
NON_SKILLS = (
    "teamwork;communication;leadership skills;driving;customer service;sprint;office".split(";")
    + ["banana", "hello world", "n/a", "-", "various", "tbd"]
)
PROSE = [
    "Worked closely with product managers to ship features on time.",
    "Go to the office twice a week and express an interest in mentoring.",
    "Led a team of five engineers through a swift migration in the Spring of 2024.",
    "Improved reliability and cut costs by 30% across three regions.",
    "Comfortable with ambiguity; strong written and spoken English and French.",
]


def fixture_rows() -> list[dict[str, str]]:
    with open(FIXTURE, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def unique_terms(rng: random.Random) -> list[str]:
    """Raw terms as people type them in skill lists: names, aliases, variants, typos, noise."""
    vocabulary = load_vocabulary()
    terms: list[str] = []
    for name in vocabulary.names:
        skill = vocabulary.get(name)
        terms += [name, name.lower(), name.upper(), f" {name} "]
        terms += list(skill.aliases[:4])
        if len(name) >= 6:
            terms.append(_typo(name.lower(), rng))
    terms += [row["term"] for row in fixture_rows()] + NON_SKILLS
    return list(dict.fromkeys(terms))


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def term_stream(terms: Sequence[str], count: int, rng: random.Random) -> list[str]:
    """`count` terms drawn with a Zipf-like skew: a few terms are very common, most are rare."""
    weights = [1 / (rank + 1) for rank in range(len(terms))]
    shuffled = list(terms)
    rng.shuffle(shuffled)
    return rng.choices(shuffled, weights=weights, k=count)


def baseline_normalize() -> Callable[[str], str | None]:
    """Plain rapidfuzz over every alias key, the usual first attempt."""
    vocabulary = load_vocabulary()
    keys = list(vocabulary.exact_index)
    owners = [vocabulary.exact_index[key] for key in keys]

    def normalize(term: str) -> str | None:
        best = process.extractOne(
            term, keys, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=90
        )
        return owners[best[2]] if best else None

    return normalize


def accuracy(normalize: Callable[[str], str | None]) -> tuple[float, int, int]:
    rows = fixture_rows()
    right = wrong = 0
    for row in rows:
        got = normalize(row["term"])
        expected = row["expected"] or None
        right += got == expected
        wrong += got is not None and got != expected
    return right / len(rows), wrong, len(rows)


def median_rate(runs: int, count: int, work: Callable[[], None]) -> tuple[float, list[float]]:
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates), rates


def resumes(count: int, rng: random.Random) -> list[str]:
    """Generated resumes: prose sentences with skills in lists and sentences."""
    vocabulary = load_vocabulary()
    names = vocabulary.names
    texts = []
    for _ in range(count):
        parts = [rng.choice(PROSE) for _ in range(rng.randint(8, 20))]
        for _ in range(rng.randint(2, 6)):
            listed = ", ".join(rng.sample(names, rng.randint(3, 8)))
            parts.insert(rng.randrange(len(parts) + 1), f"Skills: {listed}.")
        parts.append(f"Built services in {rng.choice(names)} and {rng.choice(names)}.")
        texts.append("\n".join(parts))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-terms", type=int, default=3_000)
    parser.add_argument("--resumes", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    vocabulary = load_vocabulary()
    unique = unique_terms(rng)
    stream = term_stream(unique, arguments.terms, rng)
    print(f"vocabulary: {len(vocabulary.names)} skills; {len(unique)} unique raw terms")
    print(f"stream: {len(stream)} terms, {len(set(stream))} distinct")

    def memoised() -> None:
        clear_memo()
        for term in stream:
            normalize_skill(term)

    def uncached() -> None:
        for term in unique:
            normalize_uncached(term, vocabulary)

    baseline = baseline_normalize()
    sample = stream[: arguments.baseline_terms]

    def baseline_run() -> None:
        for term in sample:
            baseline(term)

    rate, rates = median_rate(arguments.runs, len(stream), memoised)
    print(f"normalize_skill, memo cold at start: median {rate:,.0f} terms/s  runs {_fmt(rates)}")
    rate, rates = median_rate(arguments.runs, len(unique), uncached)
    print(f"normalize, no memo, unique terms:    median {rate:,.0f} terms/s  runs {_fmt(rates)}")
    rate, rates = median_rate(min(arguments.runs, 3), len(sample), baseline_run)
    print(f"baseline rapidfuzz extractOne:       median {rate:,.0f} terms/s  runs {_fmt(rates)}")

    for label, normalize in (("normalize_skill", normalize_skill), ("baseline", baseline)):
        share, wrong, total = accuracy(normalize)
        print(f"fixture {label:>15}: {share:.1%} right of {total}, {wrong} naming a wrong skill")

    texts = resumes(arguments.resumes, rng)
    words = sum(len(text.split()) for text in texts)
    rate, rates = median_rate(
        arguments.runs, len(texts), lambda: [extract_skills(t) for t in texts]
    )
    print(
        f"extract_skills: median {rate:,.0f} resumes/s ({words / len(texts):.0f} words each)"
        f"  runs {_fmt(rates)}; 100,000 resumes ~ {100_000 / rate:,.0f} s"
    )


def _fmt(rates: list[float]) -> str:
    return " ".join(f"{r:,.0f}" for r in rates)


if __name__ == "__main__":
    main()

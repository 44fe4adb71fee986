"""Skill extraction quality on real job-ad sentences: precision and recall, before and after
the context rules (`matcher/skills/context_rules.json`).

The fixture (`tests/fixtures/skill_sentences.jsonl`) holds 47 sentences taken verbatim from the
real postings in `../shared/data/real/jobs/` (Microsoft careers sample, Glassdoor data-science
postings), each with its source. They were sampled on purpose around the words the context
rules are about ("cloud", "testing", "REST", "Spring", "microservices", "room") plus general
tech sentences, and labelled by the engineer who wrote the rules, with the vocabulary's
canonical names: a small, self-labelled set that shows the direction of a change, not an
independent measurement. Scores are micro-averaged over (sentence, skill) pairs.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_skill_extraction.py [--errors]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from matcher.skills import extract_skills

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "skill_sentences.jsonl"


def load_sentences(path: Path = FIXTURE) -> list[dict]:
    """The labelled sentences: `text`, `skills` (canonical names) and `source`."""
    with path.open(encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def score(sentences: list[dict], *, context_rules: bool) -> dict:
    """Micro precision, recall and F1 of `extract_skills` against the labels."""
    hits = found = labelled = 0
    errors = []
    for sentence in sentences:
        got = set(extract_skills(sentence["text"], context_rules=context_rules))
        expected = set(sentence["skills"])
        hits += len(got & expected)
        found += len(got)
        labelled += len(expected)
        if got != expected:
            errors.append((sentence["text"], sorted(got - expected), sorted(expected - got)))
    precision = hits / found if found else 1.0
    recall = hits / labelled if labelled else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list wrong sentences")
    args = parser.parse_args()
    sentences = load_sentences()
    labelled = sum(len(s["skills"]) for s in sentences)
    print(f"{len(sentences)} real job-ad sentences, {labelled} labelled skills (self-labelled)")
    for name, use_rules in (("before (no context rules)", False), ("after (context rules)", True)):
        result = score(sentences, context_rules=use_rules)
        print(
            f"{name:28} precision {result['precision']:.3f}  recall {result['recall']:.3f}"
            f"  F1 {result['f1']:.3f}"
        )
        if args.errors:
            for text, extra, missed in result["errors"]:
                print(f"    {text[:90]!r}\n      false hits {extra}  misses {missed}")


if __name__ == "__main__":
    main()

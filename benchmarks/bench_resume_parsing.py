"""What `parse_resume` reads from the 166 distinct real resumes, next to the old path.

The old path is `extract_skills` alone: skills, never any years, experience or education.
Both run in the same process on the same texts (repaired with latin-1 -> utf-8, as the data
kit's README says). Prints, per path: share of resumes with any skill, mean skills per
resume, share with years for at least one skill, share with a total experience, share with
an education level, share with a recent title, and the median and 95th-percentile parse time
per resume (best of `--runs` runs for each resume, so a busy shared machine distorts less).

    .venv/bin/python benchmarks/bench_resume_parsing.py [--runs 3] [--as-of 2026-12-01]
        [--resumes PATH]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from matcher.resumes import ResumeFacts, parse_resume
from matcher.skills import extract_skills

RESUMES = Path("/work/shared/data/real/resumes/UpdatedResumeDataSet.csv")


def distinct_resumes(path: Path) -> list[str]:
    """The distinct resume texts, in file order, with their mojibake repaired."""
    with path.open(encoding="utf-8", newline="") as handle:
        texts = dict.fromkeys(row["Resume"] for row in csv.DictReader(handle))
    return [_repaired(text) for text in texts]


def _repaired(text: str) -> str:
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def timed(function: Callable[[str], object], texts: list[str], runs: int) -> tuple[list, list]:
    """Each text's result and its best time over `runs` runs, in milliseconds."""
    results, times = [], []
    for text in texts:
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            result = function(text)
            best = min(best, time.perf_counter() - started)
        results.append(result)
        times.append(best * 1000)
    return results, times


def report(label: str, facts: list[ResumeFacts], times: list[float]) -> None:
    count = len(facts)

    def share(predicate: Callable[[ResumeFacts], bool]) -> str:
        return f"{100 * sum(map(predicate, facts)) / count:5.1f}%"

    mean_skills = statistics.fmean(len(f.skills) for f in facts)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(
        f"{label:<28} any skill {share(lambda f: bool(f.skills))}  "
        f"skills/resume {mean_skills:5.1f}  "
        f"years for a skill {share(lambda f: any(s.years for s in f.skills))}  "
        f"total experience {share(lambda f: f.total_years is not None)}  "
        f"education {share(lambda f: f.education is not None)}  "
        f"title {share(lambda f: bool(f.recent_titles))}  "
        f"median {statistics.median(times):6.2f} ms  p95 {p95:6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    parser.add_argument("--resumes", type=Path, default=RESUMES)
    args = parser.parse_args()
    path = args.resumes
    texts = distinct_resumes(path)
    extract_skills("warm up the vocabulary: Python")
    old, old_times = timed(extract_skills, texts, args.runs)
    old_facts = [ResumeFacts(skills=tuple(_unknown_years(names))) for names in old]
    new, new_times = timed(lambda text: parse_resume(text, as_of=args.as_of), texts, args.runs)
    print(f"{len(texts)} distinct real resumes from {path.name}, as of {args.as_of}")
    report("old: extract_skills only", old_facts, old_times)
    report("new: parse_resume", new, new_times)
    stated = sum(s.years_from == "stated" for f in new for s in f.skills)
    history = sum(s.years_from == "work_history" for f in new for s in f.skills)
    unknown = sum(s.years is None for f in new for s in f.skills)
    print(f"skill years: {stated} stated, {history} from work history, {unknown} not stated")


def _unknown_years(names: list[str]):
    from matcher.resumes import ResumeSkill

    return [ResumeSkill(name) for name in names]


if __name__ == "__main__":
    main()

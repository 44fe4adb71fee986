"""How long importing 100,000 worker rows takes, against baselines measured in the same run.

Prints, for each run and as medians: the full import into a fresh database (the real code
path, `import_file`), re-importing the same file (every row unchanged), and two baselines:
only reading and validating the rows (no writes), and sqlite-utils `insert_all` of the raw
CSV rows (writes without validation, skills or change detection). Target: import <= 30 s.
Each figure is wall-clock time and, in brackets, this process's CPU time: on a shared machine
the wall clock moves with the load, the CPU time much less.

    .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from matcher.importing import ImportReport, import_file
from matcher.importing.formats import csv_header, csv_rows
from matcher.records.workers import COLUMNS, parse_worker
from matcher.store import open_database

SKILLS = [
    "Python", "Java", "JavaScript", "TypeScript", "Go", "C#", "C++", "SQL", "PostgreSQL",
    "MySQL", "AWS", "Azure", "Docker", "Kubernetes", "React", "Node.js", "Django", "Spring",
    "Terraform", "Kafka", "Spark", "pandas", "scikit-learn", "Git", "Linux", "GraphQL",
]  # fmt: skip
FIRST = ["Ana", "Bo", "Chidi", "Dana", "Eli", "Fatima", "Gus", "Hiro", "Ines", "Jun", "Karan"]
LAST = ["Souza", "Chen", "Okafor", "Tremblay", "Roy", "Singh", "Kim", "Nguyen", "Patel", "Haddad"]
CITIES = ["Toronto", "Vancouver", "montréal"]
EDUCATION = ["", "secondary", "diploma", "bachelor", "bachelor", "master", "phd"]
AUTHORIZATIONS = ["open_work_permit", "open_work_permit", "employer_specific_permit",
                  "needs_permit", "permanent_resident", "citizen"]  # fmt: skip


def worker_row(index: int, rng: random.Random) -> dict:
    """One realistic worker row in the CSV shape."""
    skills = rng.sample(SKILLS, rng.randint(3, 8))
    listed = [f"{s.lower()}:{rng.randint(1, 10)}" if rng.random() < 0.6 else s for s in skills]
    extra = rng.sample(SKILLS, 2)
    return {
        "external_id": f"W{index:06d}",
        "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "email": f"worker{index}@example.com",
        "skills": ";".join(listed),
        "resume_text": f"Software developer, {rng.randint(1, 15)} years with {extra[0]} and "
        f"{extra[1]}; shipped services to production and mentored juniors.",
        "years_experience": rng.randint(0, 20),
        "education": rng.choice(EDUCATION),
        "city_preferences": ";".join(rng.sample(CITIES, rng.randint(1, 3))),
        "open_to_remote": rng.choice(["yes", "no", "true", "false"]),
        "english_level": rng.randint(5, 12),
        "french_level": rng.choice(["", "", "4", "7", "9"]),
        "salary_expectation_cad": rng.randrange(60_000, 200_000, 5_000),
        "work_authorization": rng.choice(AUTHORIZATIONS),
        "available_from": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "match_emails": rng.choice(["true", "false"]),
    }


def write_workers_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(worker_row(index, rng) for index in range(rows))


def parse_only(path: Path) -> None:
    """Baseline: read and validate every row, write nothing."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader, _ = csv_header(handle)
        for _, row in csv_rows(reader):
            parse_worker(row)


def insert_raw(path: Path, db_path: Path) -> None:
    """Baseline: sqlite-utils insert_all of the raw CSV rows, no validation."""
    with path.open(encoding="utf-8", newline="") as handle:
        Database(db_path)["raw_workers"].insert_all(csv.DictReader(handle), batch_size=1000)


Seconds = tuple[float, float]  # wall clock, CPU


def timed(action: Callable[..., object], *args: object) -> Seconds:
    wall, cpu = time.perf_counter(), time.process_time()
    action(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def timed_import(db: Database, path: Path) -> tuple[Seconds, ImportReport]:
    report: list[ImportReport] = []
    seconds = timed(lambda: report.append(import_file(db, "workers", path)))
    return seconds, report[0]


def shown(seconds: Seconds) -> str:
    return f"{seconds[0]:.2f}s (cpu {seconds[1]:.2f}s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[Seconds]] = {
        "import (fresh db)": [],
        "re-import (all unchanged)": [],
        "baseline: parse+validate only": [],
        "baseline: sqlite-utils insert_all raw": [],
    }
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "workers.csv"
        write_workers_csv(csv_path, args.rows)
        parse_only(csv_path)  # warm the skill vocabulary before timing
        for run in range(args.runs):
            db = open_database(Path(folder) / f"run{run}.db")
            seconds, report = timed_import(db, csv_path)
            assert report.inserted == args.rows, report.summary()
            figures["import (fresh db)"].append(seconds)
            seconds, report = timed_import(db, csv_path)
            assert report.unchanged == args.rows, report.summary()
            figures["re-import (all unchanged)"].append(seconds)
            db.close()
            figures["baseline: parse+validate only"].append(timed(parse_only, csv_path))
            raw_db = Path(folder) / f"raw{run}.db"
            figures["baseline: sqlite-utils insert_all raw"].append(
                timed(insert_raw, csv_path, raw_db)
            )
            latest = ", ".join(f"{name} {shown(times[-1])}" for name, times in figures.items())
            print(f"run {run + 1}: {latest}", flush=True)
    print(f"\n{args.rows:,} worker rows, median of {args.runs} run(s), wall clock and CPU:")
    for name, seconds in figures.items():
        wall = statistics.median(wall for wall, _ in seconds)
        cpu = statistics.median(cpu for _, cpu in seconds)
        print(f"  {name:<40} {wall:7.2f} s   cpu {cpu:7.2f} s")


if __name__ == "__main__":
    main()

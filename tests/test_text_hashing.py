"""The hashed term counter equals scikit-learn's HashingVectorizer, without importing it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction._stop_words import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32 as sklearn_murmurhash3_32

from matcher.features.hashing import ENGLISH_STOP_WORDS, HashedTermCounter, murmurhash3_32
from matcher.features.population import TEXT_VECTOR_FEATURES, TEXT_VECTORIZER

# The shared data beside the checkout (or beside the folder of worktrees), when it is there.
REAL_DATA = next(
    (
        folder / "shared" / "data" / "real"
        for folder in Path(__file__).resolve().parents
        if (folder / "shared" / "data" / "real").is_dir()
    ),
    Path("shared/data/real"),
)
ODD_TEXTS = [
    "",
    "a",
    "The and of",  # stop words only
    "Python, SQL & Node.js; C# / C++ — k8s, AWS-Lambda 5+ years since 2019",
    "Développeuse Montréal: données, français requis, Québec ÉTÉ ÇA",
    "naïve café résumé façade Œuvre straße İstanbul ǅemal",
    "東京 北京大学 データ 分析 😀 emoji 🚀rocket x😀y",
    "under_score __init__ snake_case CamelCase 1234 12 1 ab",
    "tab\tnew\nline\r\nzero\u200bwidth non\u00a0break",
    "repeated repeated repeated REPEATED Repeated",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 ｆｕｌｌｗｉｄｔｈ",
]


def _sklearn(n_features: int = TEXT_VECTOR_FEATURES) -> HashingVectorizer:
    return HashingVectorizer(
        n_features=n_features,
        alternate_sign=False,
        norm=None,
        ngram_range=(1, 1),
        stop_words="english",
        dtype=np.float32,
    )


def _assert_same(texts: list[str], ours: HashedTermCounter, theirs: HashingVectorizer) -> None:
    expected, got = theirs.transform(texts), ours.transform(texts)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert got.has_sorted_indices
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    np.testing.assert_array_equal(got.data, expected.data)


def test_the_stop_words_are_scikit_learns():
    assert ENGLISH_STOP_WORDS == SKLEARN_STOP_WORDS


@pytest.mark.parametrize("text", [t.encode() for t in ODD_TEXTS] + [bytes(range(256))])
def test_murmurhash_equals_scikit_learns(text):
    for seed in (0, 1, 42):
        assert murmurhash3_32(text, seed) == sklearn_murmurhash3_32(text, seed=seed)


def test_odd_texts_hash_as_scikit_learn_hashes_them():
    _assert_same(ODD_TEXTS, TEXT_VECTORIZER, _sklearn())
    _assert_same(ODD_TEXTS, HashedTermCounter(7), _sklearn(7))  # collisions sum the same


def test_demo_resumes_and_postings_hash_as_scikit_learn_hashes_them(tmp_path):
    from matcher.demo import build_demo
    from matcher.store import open_database

    db = open_database(tmp_path / "demo.db")
    build_demo(db, workers=300, jobs=40, seed=11)
    texts = [row[0] for row in db.execute("SELECT resume_text FROM workers")]
    texts += [row[0] for row in db.execute("SELECT title || ' ' || description FROM jobs")]
    assert sum(len(t) for t in texts) > 100_000
    _assert_same(texts, HashedTermCounter(TEXT_VECTOR_FEATURES), _sklearn())


@pytest.mark.skipif(not REAL_DATA.is_dir(), reason="the shared real data set is not here")
def test_real_resumes_and_postings_hash_as_scikit_learn_hashes_them():
    texts = []
    for name in ("resumes/UpdatedResumeDataSet.csv", "jobs/glassdoor_ds_jobs_us_2020.csv"):
        with (REAL_DATA / name).open(encoding="utf-8", errors="replace", newline="") as handle:
            texts += [" ".join(row) for row in csv.reader(handle)]
    texts.append((REAL_DATA / "jobs" / "microsoft_careers_sample.json").read_text("utf-8"))
    assert len(texts) > 1000
    _assert_same(texts, HashedTermCounter(TEXT_VECTOR_FEATURES), _sklearn())


def test_ranking_a_shortlist_imports_no_scikit_learn(tmp_path):
    """The cold-start path (worker table, features, scores) runs without scikit-learn."""
    code = f"""
import sys
from ranking_rows import add_job, add_worker
from matcher.store import open_database
from matcher.config import Settings
from matcher.batch.serving import served_shortlist
db = open_database({str(tmp_path / "x.db")!r})
add_job(db, "J1", required=["Python"], description="python data")
add_worker(db, "W1", skills={{"Python": 2}}, resume="python developer")
db.conn.commit()
settings = Settings(db_path={str(tmp_path / "x.db")!r}, models_dir={str(tmp_path / "m")!r})
assert served_shortlist(db, "J1", settings=settings).candidates[0].worker == "W1"
print(sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "skops")))
"""
    tests = Path(__file__).parent
    env_path = f"{tests.parent}:{tests}"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_shortlist_command_imports_no_scikit_learn_skops_or_pandas(db, run_cli):
    from ranking_rows import add_job, add_worker

    add_job(db, "J1", required=["Python"], description="python data")
    add_worker(db, "W1", years=None, skills={"Python": 2}, resume="python developer")
    db.conn.commit()
    result = run_cli("shortlist", "J1", "--json", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr
    shortlist = json.loads(result.stdout)
    assert shortlist["candidates"][0]["explanation"]["years_experience"] is None
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert imported and {name.split(".")[0] for name in imported} & HEAVY == set()


HEAVY = {"sklearn", "skops", "pandas"}

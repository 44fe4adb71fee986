"""The skill vocabulary, normalize_skill, extract_skills and the `skills` commands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from matcher.skills import Skill, extract_skills, load_vocabulary, normalize_skill
from matcher.skills.build_vocabulary import (
    DEFAULT_DATA_DIR,
    OUTPUT_PATH,
    SEED_PATH,
    build_vocabulary,
)
from matcher.skills.folding import fold_compact, fold_exact

FIXTURES = Path(__file__).parent / "fixtures"
CATEGORIES = {
    "Programming languages",
    "Web frontend",
    "Backend frameworks and runtimes",
    "Databases",
    "Cloud platforms and services",
    "DevOps and infrastructure",
    "Data engineering",
    "Data science and machine learning",
    "Mobile",
    "Testing and QA",
    "Security",
    "Practices and methods",
}


# --- normalize_skill ---------------------------------------------------------------------


def test_the_issue_example():
    terms = ["k8s", "reactjs", "postgres", "pyhton", "c sharp"]
    assert [normalize_skill(t) for t in terms] == [
        "Kubernetes",
        "React",
        "PostgreSQL",
        "Python",
        "C#",
    ]


@pytest.mark.parametrize(
    "group",
    [
        {"java": "Java", "javascript": "JavaScript", "js": "JavaScript"},
        {"c": "C", "c#": "C#", "c++": "C++", "C": "C", "C#": "C#", "C++": "C++"},
        {"r": "R", "rust": "Rust"},
        {"react": "React", "react native": "React Native"},
        {"sql": "SQL", "mysql": "MySQL", "nosql": "NoSQL"},
        {"go": "Go", "golang": "Go", "google": None},
        {"angular": "Angular", "angularjs": "AngularJS"},
        {".net": ".NET", ".net core": ".NET Core", "asp.net": "ASP.NET"},
    ],
)
def test_confusables_stay_apart(group):
    assert {term: normalize_skill(term) for term in group} == group


@pytest.mark.parametrize(
    "term", ["sprint", "docket", "consult", "packet", "looked", "scale", "flash", "reach"]
)
def test_english_words_one_letter_from_a_skill_are_not_skills(term):
    assert normalize_skill(term) is None


@pytest.mark.parametrize(
    ("term", "skill"),
    [("Kuberentes", "Kubernetes"), ("postgress", "PostgreSQL"), ("javascripts", "JavaScript")],
)
def test_typos_people_make_are_forgiven(term, skill):
    assert normalize_skill(term) == skill


@pytest.mark.parametrize("term", ["jav", "reac", "golan", "c+", "", "   ", "--", "123"])
def test_short_or_empty_terms_are_not_guessed(term):
    assert normalize_skill(term) is None


def test_a_non_string_is_no_skill():
    assert normalize_skill(None) is None  # type: ignore[arg-type]
    assert normalize_skill(["python"]) is None  # type: ignore[arg-type]


def test_every_canonical_name_normalizes_to_itself():
    vocabulary = load_vocabulary()
    assert [normalize_skill(name) for name in vocabulary.names] == vocabulary.names


def test_labelled_terms_are_right_at_least_97_percent_and_never_wrong():
    with open(FIXTURES / "skill_terms.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) >= 300
    answers = [(row, normalize_skill(row["term"])) for row in rows]
    wrong = [(r["term"], got) for r, got in answers if got is not None and got != r["expected"]]
    missed = [r["term"] for r, got in answers if got is None and r["expected"]]
    assert wrong == []
    assert 1 - len(missed) / len(rows) >= 0.97, missed


# --- extract_skills ----------------------------------------------------------------------


def test_extracts_canonical_names_in_order_of_first_appearance_without_repeats():
    text = (
        "Senior engineer: Python, Django and postgres. Built CI/CD pipelines on AWS with "
        "Terraform and k8s. More Python and Kubernetes."
    )
    assert extract_skills(text) == [
        "Python",
        "Django",
        "PostgreSQL",
        "CI/CD",
        "Amazon Web Services",
        "Terraform",
        "Kubernetes",
    ]


def test_extracts_multi_word_and_punctuated_names():
    text = (
        "Spring Boot microservices, React Native apps, C++, C#, .NET, Node.js, ASP.NET Core, "
        "machine learning, scikit-learn, A/B testing and end-to-end testing."
    )
    assert extract_skills(text) == [
        "Spring Boot",
        "Microservices",
        "React Native",
        "C++",
        "C#",
        ".NET",
        "Node.js",
        "ASP.NET Core",
        "Machine learning",
        "scikit-learn",
        "A/B testing",
        "End-to-end testing",
    ]


def test_a_slash_joins_two_skills():
    assert extract_skills("JavaScript/TypeScript and C#/.NET") == [
        "JavaScript",
        "TypeScript",
        "C#",
        ".NET",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Javanese cooking, a reactor, a Gopher, scalable teams, Scalar types",
        "Reactive people who like Rustic furniture and Golfing",
    ],
)
def test_word_boundaries_are_respected(text):
    assert extract_skills(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Go to the office every day.",
        "We invest in R&D and make things happen.",
        "Please express an interest before Friday.",
        "A swift response is expected. There was rust on the car.",
        "In the Spring of 2024 we moved. Swift action matters.",
        "You will react quickly and excel at communication.",
        "Net income rose; C-level executives met; plan B; vitamin C.",
        "Make sure you arrive on time.",
    ],
)
def test_ambiguous_words_in_prose_are_not_skills(text):
    assert extract_skills(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Experience with Java, Go, and Rust.", ["Java", "Go", "Rust"]),
        ("Services written in Go.", ["Go"]),
        ("Go developer wanted.", ["Go"]),
        ("Statistics in R and Python.", ["R", "Python"]),
        ("We use React and Redux.", ["React", "Redux"]),
        ("Java Spring developer", ["Java", "Spring"]),
        ("Languages:\n- Go\n- Python", ["Go", "Python"]),
        ("Build with Make and CMake.", ["Make", "CMake"]),
    ],
)
def test_ambiguous_words_with_tech_context_are_skills(text, expected):
    assert extract_skills(text) == expected


def test_empty_text_has_no_skills():
    assert extract_skills("") == []


# --- the vocabulary ----------------------------------------------------------------------


def test_vocabulary_has_at_least_800_well_formed_skills():
    vocabulary = load_vocabulary()
    assert len(vocabulary.names) >= 800
    for name in vocabulary.names:
        skill = vocabulary.get(name)
        assert isinstance(skill, Skill) and skill.name == name
        assert skill.category in CATEGORIES
        assert all(isinstance(alias, str) and alias.strip() for alias in skill.aliases)
        assert isinstance(skill.popularity, int) and skill.popularity > 0


def test_no_key_names_two_skills():
    vocabulary = load_vocabulary()
    owners: dict[str, set[str]] = {}
    for skill in map(vocabulary.get, vocabulary.names):
        for alias in (skill.name, *skill.aliases):
            exact = fold_exact(alias)
            for key in (exact, fold_compact(exact)):
                owners.setdefault(key, set()).add(skill.name)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


def test_vocabulary_helpers_for_ranking():
    vocabulary = load_vocabulary()
    assert vocabulary.get("Nope") is None
    assert vocabulary.category("Python") == "Programming languages"
    assert vocabulary.category("PostgreSQL") == "Databases"
    assert vocabulary.popularity("JavaScript") > vocabulary.popularity("Elixir") > 0
    assert 0 < vocabulary.rarity("JavaScript") < vocabulary.rarity("Elixir") <= 1


def test_data_file_carries_attribution():
    document = json.loads(OUTPUT_PATH.read_text(encoding="utf-8"))
    assert any("O*NET" in line and "CC BY 4.0" in line for line in document["attribution"])
    assert any("Stack Overflow" in line and "CC BY-SA" in line for line in document["attribution"])


@pytest.mark.skipif(not DEFAULT_DATA_DIR.is_dir(), reason="reference data not beside the project")
def test_committed_vocabulary_is_what_the_build_script_makes():
    document, _ = build_vocabulary(DEFAULT_DATA_DIR, SEED_PATH.read_text(encoding="utf-8"))
    assert json.loads(OUTPUT_PATH.read_text(encoding="utf-8")) == document


def test_build_adds_synonyms_onet_names_and_drops_shared_keys(tmp_path):
    (tmp_path / "stackoverflow_Tags_2021.csv").write_text(
        "Id,TagName,Count\n1,kubernetes,500\n2,docker,900\n", encoding="utf-8"
    )
    (tmp_path / "stackoverflow_TagSynonyms_2021.csv").write_text(
        "Id,SourceTagName,TargetTagName\n1,k8s,kubernetes\n2,kube,docker\n3,kube,kubernetes\n",
        encoding="utf-8",
    )
    (tmp_path / "onet_technology_skills.tsv").write_text(
        "O*NET-SOC Code\tExample\tCommodity Code\tCommodity Title\tHot Technology\tIn Demand\n"
        "15-1252.00\tGoogle Kubernetes\t1\tx\tY\tN\n"
        "15-1252.00\tCakewalk SONAR\t1\tx\tN\tN\n",
        encoding="utf-8",
    )
    seed = "## DevOps\nKubernetes | kubernetes |\nDocker | docker |\nHelm | | helm charts\n"
    document, dropped = build_vocabulary(tmp_path, seed)
    skills = {entry["name"]: entry for entry in document["skills"]}
    assert skills["Kubernetes"]["derived_aliases"] == ["k8s", "Google Kubernetes"]
    assert skills["Kubernetes"]["hot_technology"] is True
    assert skills["Kubernetes"]["popularity"] == 500
    assert sorted(dropped) == ["'kube' of Docker", "'kube' of Kubernetes"]
    assert skills["Helm"]["popularity_source"] == "default"


# --- the command line --------------------------------------------------------------------


def test_cli_normalize_prints_one_canonical_name_per_line(run_cli):
    result = run_cli("skills", "normalize", "k8s", "reactjs", "postgres", "pyhton", "c sharp")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Kubernetes", "React", "PostgreSQL", "Python", "C#"]


def test_cli_normalize_marks_unrecognised_terms_and_exits_1(run_cli):
    result = run_cli("skills", "normalize", "k8s", "pyhtonx")
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["Kubernetes", "pyhtonx: (unrecognised)"]


def test_cli_extract_reads_a_file_or_standard_input(run_cli, tmp_path):
    resume = tmp_path / "resume.txt"
    resume.write_text("Go developer: Kubernetes, C++ and Node.js.", encoding="utf-8")
    from_file = run_cli("skills", "extract", str(resume))
    from_stdin = run_cli("skills", "extract", "-", input=resume.read_text(encoding="utf-8"))
    expected = ["Go", "Kubernetes", "C++", "Node.js"]
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout.splitlines() == expected
    assert from_stdin.stdout.splitlines() == expected


# --- context rules (context_rules.json) --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("delivering highly scalable cloud based applications", ["Cloud computing"]),
        ("Experience with cloud platforms (AWS, GCP)", ["Cloud computing", "Amazon Web Services"]),
        ("Build REST-based services and rest endpoints", ["REST"]),
        ("java spring microservices", ["Java", "Spring", "Microservices"]),
        ("CI/CD and testing", ["CI/CD", "Software testing"]),
        ("Apache Airflow, DBT, Spring", ["Apache Airflow", "dbt", "Spring"]),
        ("Room database with Retrofit", ["Room", "Retrofit"]),
    ],
)
def test_generic_words_in_tech_context_are_skills(text, expected):
    found = extract_skills(text)
    assert [skill for skill in found if skill in expected] == expected


@pytest.mark.parametrize(
    "text",
    [
        "lots of room for personal and professional growth",
        "the technology in the conference room",
        "The rest of the team works in spring and summer.",
        "Completes all yearly compliance training and testing.",
    ],
)
def test_common_words_outside_tech_context_are_not_skills(text):
    assert extract_skills(text) == []


def test_context_rules_can_be_left_out_for_comparison():
    text = "cloud-based services in a meeting room"
    assert extract_skills(text, context_rules=False) == ["Room"]
    assert extract_skills(text) == ["Cloud computing"]


def test_real_job_ad_sentences_reach_the_issue_targets():
    # Self-labelled real sentences (benchmarks/bench_skill_extraction.py says how and why).
    lines = (FIXTURES / "skill_sentences.jsonl").read_text(encoding="utf-8").splitlines()
    sentences = [json.loads(line) for line in lines]
    found = [(set(extract_skills(s["text"])), set(s["skills"])) for s in sentences]
    hits = sum(len(got & expected) for got, expected in found)
    precision = hits / sum(len(got) for got, _ in found)
    recall = hits / sum(len(expected) for _, expected in found)
    assert len(sentences) >= 40
    assert precision >= 0.70 and recall >= 0.80, (precision, recall)

"""The presenter's words in the reader's language, for emails (reading_language) and the CLI."""

from __future__ import annotations

from matcher.fit import GOOD, Fit
from matcher.i18n import reading_language
from matcher.presentation import explanation_items, fit_text, item_text

EXPLANATION = {
    "matched_skills": ["Machine learning", "Python"],
    "missing_skills": ["Kubernetes"],
    "matched_nice_to_have_skills": [],
    "city_preference_rank": 1,
    "city": "Montreal",
    "open_to_remote": True,
    "remote": "hybrid",
    "years_experience": 4.5,
    "min_years_experience": 3,
    "meets_min_experience": True,
    "french_level": None,
    "french_level_required": 7,
    "meets_french_requirement": None,
    "salary_expectation_cad": 120000,
    "salary_fit": "within",
    "work_authorization": "open_work_permit",
    "available_from": "2027-01-15",
}


def _texts(audience: str) -> list[tuple[str, str]]:
    return [(item.label, item_text(item)) for item in explanation_items(EXPLANATION, audience)]


def test_reasons_default_to_english_and_read_in_french_inside_reading_language():
    assert _texts("worker")[1] == ("City", "Montreal is your choice #1 · hybrid ✓")
    assert fit_text(Fit(GOOD, 85)) == "Good fit · 85th percentile"
    with reading_language("fr"):
        worker = _texts("worker")
        employer = dict(_texts("employer"))
        fit = fit_text(Fit(GOOD, 85))
    assert worker[0] == (
        "Compétences",
        "vous en avez 2 sur 3 exigées: ✓ Apprentissage automatique ✓ Python ✗ Kubernetes ~",
    )
    assert worker[2] == ("Expérience", "exige 3 ans, vous en avez 4,5 ✓")
    assert worker[3] == ("Français", "exige NCLC 7 (ajoutez votre niveau) ?")
    assert employer["Salaire"] == "120\u00a0000 $ (dans l’échelle) ✓"
    assert employer["Permis · début"] == "Permis de travail ouvert · dès le 15 janv. 2027"
    assert fit == "Bonne adéquation · 85e centile"
    # Outside the block, English again.
    assert _texts("employer")[4] == ("Salary", "$120,000 (within range) ✓")


def test_one_year_reads_in_the_singular_and_dates_as_people_write_them():
    one_year = {**EXPLANATION, "years_experience": 1}
    employer = {item.label: item_text(item) for item in explanation_items(one_year, "employer")}
    assert employer["Experience"] == "1 yr (needs 3) ✓"
    assert employer["Permit · start"] == "Open work permit · from Jan 15, 2027"
    with reading_language("fr"):
        french = {item.label: item_text(item) for item in explanation_items(one_year, "employer")}
    assert french["Expérience"].startswith("1 an ")

"""A real Chromium, in French: sign up → profile (French labels, no preselected work
authorization, NCLC meanings) → switch to English and back, at 1280 and 375 px wide."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import PASSWORD, build_site, catching_mail, serving, sign_up_link

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WIDTHS = (1280, 375)


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[str, object]]:
    site = build_site(tmp_path, workers=6)
    with catching_mail(site) as mail, serving(site.app) as url:
        yield url, mail


def _shot(page, width: int, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"languages-{width}-{name}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_worker_signs_up_in_french_and_switches_languages(browser, served, width):
    served, mail = served
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-CA")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(served + "/sign-up")
    page.get_by_role("heading", name="Créez votre profil de chercheur d’emploi").wait_for()
    assert page.get_by_role("radio", name="Français").is_checked()
    authorization = page.get_by_label("Autorisation de travail au Canada")
    assert authorization.input_value() == ""  # "Choisir…": nothing preselected
    page.get_by_label("Nom complet").fill("Amélie Tremblay")
    page.get_by_label("Courriel", exact=True).fill(f"amelie.{width}@example.org")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon profil").click()
    page.get_by_text("Choisissez votre autorisation de travail au Canada").wait_for()
    _shot(page, width, "1-sign-up-error")

    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    authorization.select_option(
        label="Titulaire d’un visa H-1B américain avec un permis de travail ouvert canadien"
    )
    page.get_by_role("button", name="Créer mon profil").click()
    page.get_by_text(f"Nous avons envoyé un courriel à amelie.{width}@example.org").wait_for()
    page.goto(served + sign_up_link(mail, f"amelie.{width}@example.org"))
    page.get_by_role("button", name="Terminer la création de mon profil").click()
    page.get_by_role("heading", name="Votre profil").wait_for()
    assert page.get_by_role("status").filter(has_text="Bienvenue!").is_visible()
    french_level = page.get_by_label("Niveau de français (NCLC)")
    options = french_level.locator("option").all_inner_texts()
    assert "NCLC 7 ≈ CECR B2, autonome" in options and "NCLC 12 ≈ CECR C2, expert" in options
    french_level.select_option("7")
    page.get_by_label("Compétences", exact=True).fill("Python:4\nApprentissage automatique")
    page.get_by_label("CV", exact=True).fill(
        "Développeuse Python à Montréal. Bases de données PostgreSQL et infonuagique (AWS)."
    )
    page.get_by_role("button", name="Trouver les compétences dans mon CV").click()
    found = page.locator("#resume-skills")
    found.wait_for()
    assert found.get_by_label("Conception de bases de données", exact=True).is_checked()
    found.get_by_label("Années d’Infonuagique").fill("2")
    _shot(page, width, "2-profile-fr")
    page.get_by_role("button", name="Enregistrer le profil").first.click()
    page.get_by_role("heading", name="Mes emplois suggérés").wait_for()

    page.get_by_role("link", name="Profil", exact=True).click()
    assert "Infonuagique:2" in page.get_by_label("Compétences", exact=True).input_value()
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Your profile").wait_for()
    assert page.get_by_label("French level (NCLC)").locator("option:checked").inner_text() == (
        "NCLC 7 ≈ CEFR B2, independent"
    )
    assert "Cloud computing:2" in page.get_by_label("Skills", exact=True).input_value()
    _shot(page, width, "3-profile-en")
    page.get_by_role("button", name="Français").click()
    page.get_by_role("heading", name="Votre profil").wait_for()
    assert page.evaluate("document.documentElement.lang") == "fr"
    _shot(page, width, "4-profile-fr-again")
    assert errors == []
    context.close()

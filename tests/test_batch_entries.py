"""A batch row's stored entries: compressed JSON that reads back as what was ranked."""

from __future__ import annotations

import json
import zlib

from matcher.batch.entries import decode_entries, encode_entries, entry_lines, parse_entries
from matcher.fit import GOOD, Fit
from matcher.ranking.shortlists import Candidate

EXPLANATION = {"matched_skills": ["Python", "Français"], "city": "Montréal", "years": None}


def test_entries_round_trip_with_the_fit_as_the_apis_band_key():
    candidates = [
        Candidate("W1", 1, 0.75, EXPLANATION, Fit(GOOD, 72), {"interviewed": 0.4, "hired": 0.1}),
        Candidate("W2", 2, 0.5, EXPLANATION),
    ]
    stored = encode_entries(candidates)
    first, second = decode_entries(stored)
    assert first["fit"] == {"band": "good", "percentile": 72}
    assert first["explanation"] == EXPLANATION and first["outlook"]["hired"] == 0.1
    assert second["worker"] == "W2" and second["fit"] is None


def test_rows_stored_as_json_text_by_an_earlier_version_still_read():
    text = json.dumps([{"worker": "W1", "rank": 1, "fit": {"band": "good", "percentile": 72}}])
    assert decode_entries(text)[0]["fit"]["band"] == "good"


def test_rows_stored_as_a_compressed_array_by_an_earlier_version_still_read():
    entries = [{"worker": f"W{i}", "rank": i, "explanation": {"note": "a\nb"}} for i in (1, 2)]
    stored = zlib.compress(json.dumps(entries).encode())
    assert decode_entries(stored) == entries
    assert parse_entries(entry_lines(stored)[1:]) == entries[1:]


def test_a_page_of_entries_parses_alone_and_equals_that_slice_of_all():
    explanation = {**EXPLANATION, "summary": "line one\nline two, « guillemets »"}
    candidates = [Candidate(f"W{i}", i, 1 / i, explanation, Fit(GOOD, 72)) for i in range(1, 51)]
    lines = entry_lines(encode_entries(candidates))
    assert len(lines) == 50
    assert parse_entries(lines[20:40]) == decode_entries(encode_entries(candidates))[20:40]
    assert parse_entries(lines[20:21])[0]["explanation"]["summary"].endswith("« guillemets »")
    assert entry_lines(encode_entries([])) == []


def test_a_shortlists_entries_are_stored_compressed():
    candidates = [Candidate(f"W{i}", i, 1 / i, EXPLANATION, Fit(GOOD, 72)) for i in range(1, 201)]
    plain = json.dumps([candidate.to_json() for candidate in candidates])
    assert len(encode_entries(candidates)) < len(plain) / 5

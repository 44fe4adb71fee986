"""A batch row's stored entries: compressed JSON that reads back as what was ranked."""

from __future__ import annotations

import json

from matcher.batch.entries import decode_entries, encode_entries
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


def test_a_shortlists_entries_are_stored_compressed():
    candidates = [Candidate(f"W{i}", i, 1 / i, EXPLANATION, Fit(GOOD, 72)) for i in range(1, 201)]
    plain = json.dumps([candidate.to_json() for candidate in candidates])
    assert len(encode_entries(candidates)) < len(plain) / 5

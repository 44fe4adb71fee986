"""schemathesis, run against the OpenAPI document of the real server, finds no failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from web_support import ACME_EMAIL, build_site, serving

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


# OpenAPI 3.0 cannot say "salary_min_cad <= salary_max_cad", so a schema-valid job may
# rightly answer 400 for that rule; only createJob is allowed it.
CONFIG = """
[[operations]]
include-operation-id = "createJob"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]
"""


def test_schemathesis_finds_no_failures(tmp_path):
    site = build_site(tmp_path, workers=10)
    token = site.token(ACME_EMAIL)
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    with serving(site.app) as base_url:
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(config),
                "run",
                f"{base_url}/api/v1/openapi.json",
                "--checks",
                "all",
                "--header",
                f"Authorization: Bearer {token}",
                "--max-examples",
                "25",
                "--seed",
                "1",
                "--generation-database",
                "none",
                "--request-timeout",
                "30",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]

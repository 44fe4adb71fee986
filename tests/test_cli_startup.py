"""The command line starts without loading heavy libraries, yet lists and runs every command."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY_MODULES = ("sklearn", "skops", "flask", "apscheduler", "sqlite_utils", "numpy", "pandas")


def modules_loaded_by(code: str) -> dict[str, bool]:
    """Which heavy modules a fresh interpreter holds after running `code`."""
    report = f"print(json.dumps({{m: m in sys.modules for m in {HEAVY_MODULES!r}}}))"
    probe = f"{code}\nimport json, sys\n{report}"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library():
    loaded = modules_loaded_by("import matcher.cli")
    assert [name for name, present in loaded.items() if present] == []


def test_a_command_without_a_database_loads_no_heavy_library():
    code = (
        "import sys\n"
        "from matcher.cli import main\n"
        "try:\n"
        "    main(['skills', 'normalize', 'k8s'], prog_name='talentmatch')\n"
        "except SystemExit as stop:\n"
        "    assert stop.code == 0, stop.code"
    )
    loaded = modules_loaded_by(code)
    assert [name for name, present in loaded.items() if present] == []


def test_help_lists_feature_and_registered_commands(run_cli):
    result = run_cli("--help", check=True)
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line}
    expected = {"import", "export", "skills", "demo", "train", "models", "shortlist", "matches"}
    expected |= {"send-digests", "users", "tokens", "serve", "scheduler"}
    assert expected <= listed
    assert "Serve the web app." in result.stdout


def test_registered_commands_run_when_called(run_cli):
    result = run_cli("scheduler", "--list", check=True)
    assert "retrain" in result.stdout


def test_unknown_command_is_refused(run_cli):
    result = run_cli("no-such-command")
    assert result.returncode == 2
    assert "No such command 'no-such-command'" in result.stderr


def test_import_kind_names_match_the_importer():
    from matcher.cli.data_commands import KIND_NAMES
    from matcher.importing import KINDS

    assert KIND_NAMES == tuple(KINDS)


def test_demo_defaults_match_the_demo_builder():
    from matcher import demo
    from matcher.cli import demo_commands

    defaults = (
        demo_commands.DEFAULT_WORKERS,
        demo_commands.DEFAULT_JOBS,
        demo_commands.DEFAULT_SEED,
    )
    assert defaults == (demo.DEFAULT_WORKERS, demo.DEFAULT_JOBS, demo.DEFAULT_SEED)

"""Listing the model registry starts without loading scikit-learn or skops."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path


def test_models_list_on_an_empty_registry_loads_no_sklearn(db_path: Path, models_dir: Path):
    code = (
        "import json, sys\n"
        "from matcher.cli import main\n"
        "try:\n"
        f"    main(['--db', {str(db_path)!r}, '--models', {str(models_dir)!r}, 'models', 'list'],"
        " prog_name='talentmatch')\n"
        "except SystemExit as stop:\n"
        "    assert stop.code == 0, stop.code\n"
        "print(json.dumps({m: m in sys.modules for m in ('sklearn', 'skops')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "no models yet" in result.stdout
    assert json.loads(result.stdout.splitlines()[-1]) == {"sklearn": False, "skops": False}


def test_the_registry_imports_nothing_of_ranking_or_features_even_inside_functions():
    import matcher.registry

    tree = ast.parse(Path(matcher.registry.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not [m for m in imported if m.startswith(("matcher.ranking", "matcher.features"))]

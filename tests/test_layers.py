"""The dependency direction holds: departments ← trials ← the site layer (oncology_portal).

import-linter reads every import statement, function-level ones included, so a
`from trials… import` anywhere inside `departments` breaks this test and CI.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_layers_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_departments_code_never_reaches_trials_models():
    """Not even in disguise: no string reference to the trials app's models in departments/."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "departments").rglob("*.py")
        if "migrations" not in path.parts
        and any(
            marker in path.read_text()
            for marker in (
                "trials.",
                "trialsite",
                "trialactivity",
                "trial_sites",
                "trial_activities",
                "_related_model(",
            )
        )
    ]
    assert offenders == []

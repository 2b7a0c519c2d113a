"""checkov on infra/ (infra/check): no failed check, and every suppression says why.

checkov is not a dependency of the service or its tests (it pins packaging<24 and brings ~95
packages): infra/check installs it into .venv/tools/checkov, CI runs infra/check, and this test
runs the same checkov when it is there and is skipped, saying how to get it, when it is not.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.deploy.paths import REPO_ROOT

INSTALLED = REPO_ROOT / ".venv" / "tools" / "checkov" / "bin" / "checkov"


def test_checkov_finds_no_failure_and_every_suppression_has_a_reason() -> None:
    if not INSTALLED.is_file():
        pytest.skip("checkov is not installed: run infra/check once (it installs it)")
    done = subprocess.run(
        [str(REPO_ROOT / "infra" / "check"), "--output", "json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(done.stdout)
    report = report[0] if isinstance(report, list) else report
    summary, results = report["summary"], report["results"]
    failed = [f"{c['check_id']} {c['resource']}" for c in results["failed_checks"]]
    assert failed == [], failed
    assert summary["parsing_errors"] == 0  # a template checkov cannot read is checked by nothing
    assert summary["passed"] >= 20
    for skipped in results["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment", "")
        assert len(reason.strip()) > 20, f"{skipped['check_id']}: say why it is accepted"
    assert done.returncode == 0, done.stderr[-2000:]

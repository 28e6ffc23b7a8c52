"""The GitHub Actions workflow: valid YAML, the expected jobs and steps, the README's commands."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"


def _workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_it_builds_on_pushes_to_main_and_on_pull_requests() -> None:
    data = _workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers


def test_build_job_installs_builds_strictly_checks_and_keeps_the_site() -> None:
    steps = _workflow()["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    uses = [step.get("uses", "") for step in steps]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_command = re.search(r"^(pip install -e \. && python build\.py)\b", readme, re.MULTILINE)
    assert first_command is not None
    assert f"{first_command.group(1)} --strict" in runs
    assert "python build.py check" in runs
    review = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert review["if"] == "github.event_name == 'pull_request'" and review["with"]["path"] == "site"
    assert any(use.startswith("actions/upload-pages-artifact") for use in uses)


def test_deploy_job_publishes_to_pages_from_main_only() -> None:
    deploy = _workflow()["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert "refs/heads/main" in deploy["if"] and "pull_request" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages")

"""`make security`'s pip-audit step (scripts/security.py): offline may be allowed, a crash never.

A package pip-audit reports skipped (the vulnerability service is out of reach) is counted as
unaudited, which MICROVID_AUDIT_OFFLINE=allow lets pass. pip-audit giving no report at all is
an error that fails the run whatever the environment says."""

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def security():
    spec = importlib.util.spec_from_file_location("security_script", ROOT / "scripts/security.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pip_audit_answers(monkeypatch, module, *, stdout="", stderr="", returncode=0):
    def run(command, **kwargs):
        assert "pip_audit" in command
        return subprocess.CompletedProcess(command, returncode, stdout=stdout, stderr=stderr)

    monkeypatch.setattr(module.subprocess, "run", run)


def _counts(vulns=0, unaudited=0, errors=0):
    return {
        "schemathesis_server_errors": 0,
        "schema_violations": 0,
        "xss_executed": 0,
        "bandit_medium": 0,
        "pip_audit_vulns": vulns,
        "pip_audit_unaudited": unaudited,
        "pip_audit_errors": errors,
    }


def test_packages_skipped_offline_are_unaudited_and_may_be_allowed(security, monkeypatch):
    report = {
        "dependencies": [
            {"name": "django", "skip_reason": "Dependency not found on PyPI"},
            {"name": "six", "version": "1.16.0", "vulns": []},
        ]
    }
    _pip_audit_answers(monkeypatch, security, stdout=json.dumps(report))

    vulns, unaudited, errors = security.pip_audit()

    assert (vulns, unaudited, errors) == (0, 1, 0)
    assert not security.failed(_counts(unaudited=1), offline_ok=True)
    assert security.failed(_counts(unaudited=1), offline_ok=False)


@pytest.mark.parametrize(
    "answer",
    [
        {"stdout": "", "stderr": "Traceback (most recent call last): ...", "returncode": 1},
        {"stdout": "not json", "returncode": 2},
        {"stdout": json.dumps({"dependencies": [], "fixes": []})},  # it read no package
    ],
)
def test_pip_audit_crashing_fails_the_run_even_offline(security, monkeypatch, answer):
    _pip_audit_answers(monkeypatch, security, **answer)

    vulns, unaudited, errors = security.pip_audit()

    assert (vulns, unaudited, errors) == (0, 0, 1)
    assert security.failed(_counts(errors=1), offline_ok=True)


def test_a_vulnerability_not_on_the_allow_list_fails(security, monkeypatch):
    report = {
        "dependencies": [
            {"name": "pkg", "version": "1.0", "vulns": [{"id": "PYSEC-0000-1", "aliases": []}]}
        ]
    }
    _pip_audit_answers(monkeypatch, security, stdout=json.dumps(report), returncode=1)

    assert security.pip_audit() == (1, 0, 0)
    assert security.failed(_counts(vulns=1), offline_ok=True)

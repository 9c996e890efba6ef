"""`make security`: attack the site the way CI should, and print one RESULT line.

    RESULT schemathesis_server_errors=N schema_violations=N xss_executed=N bandit_medium=N
           pip_audit_vulns=N pip_audit_unaudited=N pip_audit_errors=N

- schemathesis: every operation of /api/v1/schema/, in-process against the WSGI app on a
  throwaway SQLite database, anonymous and with a JWT; a bounded number of examples each.
- XSS: tests/browser/test_xss_corpus.py (>= 30 payloads through every user text field,
  rendered in Chromium); each payload that runs sets a flag the test counts.
- bandit: medium and high findings outside bench/ and tests/.
- pip-audit: the lock file against the vulnerability service, minus
  security/pip-audit-allow.txt (each entry with its reason). Without access to the service
  nothing can be audited: `pip_audit_unaudited` says how many packages were not checked, and
  the run fails unless MICROVID_AUDIT_OFFLINE=allow (docs/security.md). pip-audit itself
  failing (no report: a crash, an unreadable lock file) is `pip_audit_errors`, which always
  fails the run: being offline is allowed, not auditing at all is not.

Exits non-zero when any count is not zero.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
EXAMPLES = int(os.environ.get("SECURITY_EXAMPLES", "15"))


def schemathesis_counts() -> tuple[int, int]:
    """(operations answering 5xx, operations whose answers break the schema)."""
    with tempfile.TemporaryDirectory(prefix="microvid-security-") as work:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{work}/db.sqlite3",
            "MEDIA_ROOT": f"{work}/media",
            "PRIVATE_MEDIA_ROOT": f"{work}/private-media",
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
            "API_RATE_ANON": "1000000/min",
            "API_RATE_USER": "1000000/min",
            "API_RATE_AUTH": "1000000/min",
            "RATE_LIMIT_LOGIN_FAILED": "1000000/m/ip",
            "LOG_LEVEL": "CRITICAL",
            "SECURITY_EXAMPLES": str(EXAMPLES),
        }
        env.pop("REDIS_URL", None)
        for action in ("LIKE", "COMMENT", "FOLLOW", "REPORT", "SEARCH", "SUGGEST", "FEEDBACK",
                       "PROFILE_EDIT", "API_LOGOUT", "UPLOAD", "EVENTS"):  # fmt: skip
            env[f"RATELIMIT_{action}"] = "1000000/m/user_or_ip"
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip
        done = subprocess.run(
            [PY, __file__, "--fuzz"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        sys.stderr.write(done.stderr[-4000:])
        match = re.search(r"FUZZ server_errors=(\d+) schema_violations=(\d+)", done.stdout)
        print(done.stdout.strip())
        if not match:
            return 1, 1
        return int(match.group(1)), int(match.group(2))


def _fuzz_in_process() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microvid.settings")
    django.setup()
    import schemathesis
    from allauth.account.models import EmailAddress
    from django.core.wsgi import get_wsgi_application
    from django.test import Client
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings

    from accounts.models import User

    user = User.objects.create_user("fuzzer", "fuzzer@example.com", "fuzz-password-123")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    tokens = (
        Client()
        .post("/api/v1/auth/token/", {"username": "fuzzer", "password": "fuzz-password-123"})
        .json()
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    server_errors, violations = set(), set()
    examples = int(os.environ.get("SECURITY_EXAMPLES", "15"))

    def run(operation, who, headers):
        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=examples, deadline=None, database=None,
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        def check(case):
            response = case.call(headers=headers)
            label = f"{operation.label} ({who})"
            if response.status_code >= 500:
                if label not in server_errors:
                    print(f"5xx: {label}: {response.status_code}")
                server_errors.add(label)
                return
            try:
                case.operation.validate_response(response)
            except Exception as error:  # a schema mismatch, whatever its class
                if label not in violations:
                    print(f"schema: {label}: {str(error).splitlines()[0][:200]}")
                violations.add(label)

        check()

    bearer = {"Authorization": f"Bearer {tokens['access']}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        run(operation, "anonymous", {})
        run(operation, "token", bearer)
    print(f"FUZZ server_errors={len(server_errors)} schema_violations={len(violations)}")


def xss_executed() -> int:
    report = ROOT / "var" / "xss-report.json"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    subprocess.run(
        [PY, "-m", "pytest", "tests/browser/test_xss_corpus.py", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, env={**os.environ, "XSS_REPORT": str(report)},
    )  # fmt: skip
    if not report.exists():
        print("xss: the corpus test did not run (is chromium installed?)")
        return 1
    data = json.loads(report.read_text())
    for hit in data["executed"]:
        print(f"xss executed: {hit}")
    return len(data["executed"])


def bandit_medium() -> int:
    done = subprocess.run(
        [PY, "-m", "bandit", "-r", ".", "-q", "-f", "json", "--severity-level", "medium",
         "-x", "./bench,./tests,./.venv,./node_modules,./static,./var,./media"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    results = json.loads(done.stdout or "{}").get("results", [])
    for item in results:
        print(f"bandit: {item['filename']}:{item['line_number']} {item['test_id']} "
              f"{item['issue_severity']}: {item['issue_text']}")  # fmt: skip
    return len(results)


def _allowed() -> dict[str, str]:
    allowed = {}
    for line in (ROOT / "security" / "pip-audit-allow.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            sys.exit(f"pip-audit-allow.txt: an entry needs an id, a package and a reason: {line}")
        allowed[parts[0]] = parts[2]
    return allowed


def pip_audit() -> tuple[int, int, int]:
    """(vulnerabilities not allowed, packages that could not be audited, errors).

    A package is *unaudited* when pip-audit ran and reported it skipped (the vulnerability
    service unreachable, so it is "not found"). An *error* is pip-audit giving no report at
    all (it crashed, timed out, or read no package): never mistaken for being offline.
    """
    try:
        done = subprocess.run(
            [PY, "-m", "pip_audit", "-r", "requirements.lock", "--disable-pip", "--no-deps",
             "--progress-spinner", "off", "-f", "json"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"pip-audit failed: {error}")
        return 0, 0, 1
    try:
        data = json.loads(done.stdout)
    except ValueError:
        print(f"pip-audit failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        return 0, 0, 1
    if not isinstance(data, dict) or not data.get("dependencies"):
        print(f"pip-audit failed: no package in its report: {done.stderr.strip()[-500:]}")
        return 0, 0, 1
    allowed = _allowed()
    vulns, unaudited = 0, 0
    for dependency in data.get("dependencies", []):
        if dependency.get("skip_reason"):
            unaudited += 1
            continue
        for vuln in dependency.get("vulns", []):
            if vuln["id"] in allowed or any(alias in allowed for alias in vuln.get("aliases", [])):
                continue
            vulns += 1
            print(f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']}")
    if unaudited:
        print(
            f"pip-audit: WARNING: {unaudited} packages could NOT be audited (the vulnerability "
            "service is unreachable from here); their vulnerabilities are unknown, not zero."
        )
    return vulns, unaudited, 0


def failed(counts: dict[str, int], *, offline_ok: bool) -> bool:
    """Whether the run fails: any count above zero, except unaudited packages when
    MICROVID_AUDIT_OFFLINE=allow."""
    return any(
        value and not (name == "pip_audit_unaudited" and offline_ok)
        for name, value in counts.items()
    )


def main() -> int:
    server_errors, violations = schemathesis_counts()
    counts = {"schemathesis_server_errors": server_errors, "schema_violations": violations}
    counts["xss_executed"] = xss_executed()
    counts["bandit_medium"] = bandit_medium()
    vulns, unaudited, errors = pip_audit()
    counts.update(pip_audit_vulns=vulns, pip_audit_unaudited=unaudited, pip_audit_errors=errors)
    offline_ok = os.environ.get("MICROVID_AUDIT_OFFLINE") == "allow"
    print("RESULT " + " ".join(f"{name}={value}" for name, value in counts.items()))
    return 1 if failed(counts, offline_ok=offline_ok) else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--fuzz"]:
        sys.path.insert(0, str(ROOT))
        _fuzz_in_process()
        sys.exit(0)
    sys.exit(main())

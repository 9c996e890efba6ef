"""What deployments rely on: health probes, queue routing, where the embedded broker writes."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import path

ROOT = Path(__file__).resolve().parent.parent


def test_liveness_answers_without_checking_any_service(client, settings):
    settings.DATABASES["default"]["HOST"] = "unreachable.invalid"  # never used by liveness

    response = client.get("/healthz/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_needs_the_database_but_not_redis(client, settings):
    from microvid.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz/ready")
    finally:
        app.conf.broker_url = original

    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database"}


@pytest.mark.django_db
def test_readiness_is_503_without_the_database(client, monkeypatch):
    from microvid import health

    def unreachable():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "check_database", unreachable)

    response = client.get("/healthz/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False


def test_secrets_can_be_read_from_files(tmp_path):
    import subprocess
    import sys

    secret = tmp_path / "key"
    secret.write_text("from-a-mounted-file-" + "x" * 40)
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "microvid.settings", "DJANGO_SECRET_KEY_FILE": str(secret),
             "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip

    assert result.stdout.strip() == secret.read_text()


@pytest.mark.django_db
def test_probes_from_a_pod_ip_are_answered_despite_allowed_hosts(client, settings):
    settings.ALLOWED_HOSTS = ["microvid.example"]

    readiness = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    liveness = client.get("/healthz/live", HTTP_HOST="10.1.2.3:8000")
    page = client.get("/", HTTP_HOST="10.1.2.3:8000")

    assert readiness.status_code == 200
    assert liveness.status_code == 200
    assert page.status_code == 400  # every other path still checks the host


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz/live").status_code == 200
    assert client.get("/about-https-redirects").status_code == 301


def test_transcodes_go_to_their_own_queue():
    from microvid.celery import app

    route = app.amqp.router.route({}, "videos.tasks.process_video")
    other = app.amqp.router.route({}, "feeds.tasks.recompute_trending")

    assert route["queue"].name == "transcode"
    assert other["queue"].name == settings.CELERY_TASK_DEFAULT_QUEUE


def test_the_embedded_broker_keeps_every_folder_under_var():
    if settings.CELERY_BROKER_URL != "filesystem://":
        pytest.skip("a server broker is configured")
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS

    folders = [Path(v) for k, v in options.items() if k.endswith("_folder") or "folder_" in k]

    assert "control_folder" in options
    assert all(folder.is_relative_to(settings.VAR_DIR) for folder in folders)


def _deploy_check():
    import importlib.util

    spec = importlib.util.spec_from_file_location("deploy_check", ROOT / "scripts/deploy_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_crd_resources_are_checked_for_what_the_manifests_rely_on():
    check = _deploy_check()
    docs = [
        {"kind": "Deployment", "metadata": {"name": "microvid-worker-transcode"}, "spec": {}},
        {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
         "spec": {"scaleTargetRef": {"name": "microvid-web"}}},
    ]  # fmt: skip
    names = check.index_names(docs)
    good = {
        "kind": "ScaledObject",
        "metadata": {"name": "transcode"},
        "spec": {
            "scaleTargetRef": {"name": "microvid-worker-transcode"},
            "triggers": [{"type": "redis", "metadata": {"address": "r:6379", "listName": "q"}}],
        },
    }
    dangling = {**good, "spec": {**good["spec"], "scaleTargetRef": {"name": "microvid-wrker"}}}
    doubly_scaled = {**good, "spec": {**good["spec"], "scaleTargetRef": {"name": "microvid-web"}}}

    assert check.check_crd_resource(good, names) == []
    assert "is not a Deployment here" in check.check_crd_resource(dangling, names)[0]
    assert any(
        "also has a HorizontalPodAutoscaler" in e
        for e in check.check_crd_resource(doubly_scaled, names | {"Deployment": {"microvid-web"}})
    )


def test_a_postgres_cluster_without_wal_archiving_is_refused():
    check = _deploy_check()
    cluster = {
        "kind": "Cluster",
        "metadata": {"name": "microvid-db"},
        "spec": {"instances": 3, "bootstrap": {"initdb": {"database": "microvid"}}},
    }
    names = {"secret_refs": {"microvid-db-app"}, "hpa_targets": set()}

    errors = check.check_crd_resource(cluster, names)

    assert errors == [
        "Cluster/microvid-db: WAL archiving to S3 (backup.barmanObjectStore) is required"
    ]


def _database_down(request):
    from django.db import OperationalError

    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def _bug(request):
    raise ZeroDivisionError


# This module is the URLconf of the two tests below (pytest.mark.urls).
urlpatterns = [path("down", _database_down), path("bug", _bug)]
handler500 = "core.unavailable.server_error"


@pytest.mark.urls("tests.test_deploy")
def test_an_unreachable_database_is_a_clean_503_with_retry_after(client):
    client.raise_request_exception = False

    page = client.get("/down")
    api = client.get("/down", HTTP_ACCEPT="application/json")

    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert b"<h1>Briefly unavailable</h1>" in page.content
    assert api.status_code == 503
    assert "unavailable" in api.json()["detail"]


@pytest.mark.urls("tests.test_deploy")
def test_other_errors_stay_500(client):
    client.raise_request_exception = False

    assert client.get("/bug").status_code == 500


# --- the client's address: one trusted-proxy setting, uvicorn never rewrites it ----------------
def _uvicorn_options(argv: list[str]) -> dict:
    """The options uvicorn's own command line makes of `argv` (what follows `uvicorn`)."""
    import sys

    import uvicorn.main  # noqa: F401  (the package re-exports `main`, the click command)

    return sys.modules["uvicorn.main"].main.make_context("uvicorn", list(argv)).params


def _uvicorn_argv(words: list[str]) -> list[str] | None:
    """The arguments after `uvicorn` in a command (`sh -c "exec uvicorn ..."` too), or None."""
    import shlex

    if len(words) >= 3 and words[0] == "sh" and words[1] == "-c":
        words = shlex.split(words[2].replace('"$PORT"', "8000"))  # the image's default port
    for marker in ("uvicorn", "-m uvicorn"):
        if marker in words:
            return words[words.index(marker) + 1 :]
    return None


def _yaml_command_lists(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _yaml_command_lists(value)
    elif isinstance(node, list):
        if node and all(isinstance(item, str) for item in node):
            yield node
        for item in node:
            yield from _yaml_command_lists(item)


def _python_command_lists(source: str):
    """Every list literal starting a process in a script: strings as written, anything computed
    (a port, a path) as a stand-in value."""
    import ast

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.List) and any(
            isinstance(item, ast.Constant) and item.value == "uvicorn" for item in node.elts
        ):
            words = []
            for item in node.elts:
                if isinstance(item, ast.Constant):
                    words.append(item.value)
                elif not isinstance(item, ast.Starred):
                    words.append("." if words and words[-1] == "--reload-dir" else "0")
            yield words


def _every_uvicorn_start() -> dict[str, list[str]]:
    import json

    import yaml

    found = {}
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD ") and "uvicorn" in line:
            found["Dockerfile CMD"] = _uvicorn_argv(json.loads(line[4:]))
    for file in [ROOT / "compose.yaml", *sorted((ROOT / "deploy").rglob("*.yaml"))]:
        for doc in yaml.safe_load_all(file.read_text()):
            for words in _yaml_command_lists(doc):
                argv = _uvicorn_argv(words)
                if argv is not None:
                    found[f"{file.relative_to(ROOT)}: {' '.join(words)[:60]}"] = argv
    for script in sorted([*(ROOT / "scripts").glob("*.py"), *(ROOT / "bench").glob("*.py")]):
        for words in _python_command_lists(script.read_text()):
            found[f"{script.relative_to(ROOT)}: {' '.join(words)[:60]}"] = _uvicorn_argv(words)
    return found


def test_no_server_start_lets_uvicorn_take_the_client_address_from_forwarded_headers():
    # uvicorn's default (proxy headers on, trusting 127.0.0.1) and --forwarded-allow-ips='*'
    # both let a client-written X-Forwarded-For become REMOTE_ADDR, before TRUSTED_PROXY_COUNT
    # is applied: every per-address limit and the /metrics network allow-list could be spoofed.
    starts = _every_uvicorn_start()
    trusting = {
        where: options
        for where, argv in starts.items()
        if (options := _uvicorn_options(argv))["proxy_headers"]
        or options["forwarded_allow_ips"] is not None
    }

    assert {"Dockerfile CMD", "scripts/run.py"} <= {where.split(":")[0] for where in starts}
    assert any(where.startswith("deploy/k8s/base/web.yaml") for where in starts)
    assert trusting == {}, "start uvicorn with --no-proxy-headers (docs/security.md)"


def test_no_file_tells_uvicorn_to_trust_forwarded_headers():
    # Where servers are started or described: our own files only (no virtualenv, no vendor).
    places = ["Dockerfile", "compose.yaml", "Makefile", "README.md", ".ci", "deploy", "docs",
              "scripts", "bench", "microvid", "core"]  # fmt: skip
    offenders = []
    files = [ROOT / place for place in places if (ROOT / place).is_file()]
    files += [f for place in places if (ROOT / place).is_dir() for f in (ROOT / place).rglob("*")]
    for file in files:
        relative = file.relative_to(ROOT)
        if not file.is_file() or file.suffix in {".pyc", ".json", ".png"}:
            continue
        text = file.read_text(errors="ignore")
        for needle in ("--proxy-headers", "forwarded-allow-ips", "FORWARDED_ALLOW_IPS"):
            if needle in text:
                offenders.append(f"{relative}: {needle}")

    assert offenders == []


def test_kubernetes_and_compose_say_how_many_proxies_are_in_front():
    import yaml

    config = yaml.safe_load((ROOT / "deploy/k8s/base/config.yaml").read_text())
    web = next(
        doc
        for doc in yaml.safe_load_all((ROOT / "deploy/k8s/base/web.yaml").read_text())
        if doc and doc["kind"] == "Deployment"
    )
    container = web["spec"]["template"]["spec"]["containers"][0]
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())

    # Kubernetes: the ingress controller appends the one trusted X-Forwarded-For entry.
    assert config["data"]["TRUSTED_PROXY_COUNT"] == "1"
    assert {"configMapRef": {"name": "microvid-config"}} in container["envFrom"]
    # Compose publishes web's port directly: no proxy, until the operator puts one in front.
    assert compose["services"]["web"]["environment"]["TRUSTED_PROXY_COUNT"] == (
        "${TRUSTED_PROXY_COUNT:-0}"
    )

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

"""What deployments rely on: health probes, queue routing, where the embedded broker writes."""

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_liveness_answers_without_checking_any_service(client, settings):
    settings.DATABASES["default"]["HOST"] = "unreachable.invalid"  # never used by liveness

    response = client.get("/healthz/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


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

"""Site-wide invariants: health, production settings, migrations, translations, page shell."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_each_service(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_says_503_when_the_broker_is_unreachable(client, settings):
    from microvid.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original

    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_production_settings_pass_the_deploy_check():
    # The browser tests' async-safety switch must not leak into a production check.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "microvid.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update({"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "microvid.example"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_every_translation_catalogue_compiles(tmp_path):
    import polib

    catalogues = sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po"))
    assert {p.parts[-3] for p in catalogues} >= {"es", "ar"}
    for po_path in catalogues:
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(tmp_path / "django.mo"))
        assert po.percent_translated() > 90, f"{po_path} is only {po.percent_translated()}% done"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/@alice"])
def test_pages_have_one_h1_landmarks_and_a_skip_link(client, alice, path):
    page = client.get(path).content.decode()

    assert page.count("<h1") == 1
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


@pytest.mark.django_db
def test_arabic_pages_are_right_to_left(client):
    with translation.override("ar"):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")

    assert '<html lang="ar" dir="rtl">' in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_changes_the_language(client):
    from tests.conftest import csrf_post

    response = csrf_post(client, "/i18n/setlang/", {"language": "es", "next": "/"})

    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="es"' in page
    assert "Iniciar sesión" in page


@pytest.mark.django_db
def test_demo_accounts_are_created_once(capsys):
    from accounts.models import User

    call_command("seed_accounts")
    call_command("seed_accounts")

    assert set(User.objects.values_list("username", flat=True)) == {"alice", "bob", "mod"}
    assert User.objects.get(username="mod").is_staff
    assert User.objects.get(username="alice").check_password("microvid-demo")


@override_settings(PRODUCTION=True)
@pytest.mark.django_db
def test_demo_accounts_are_refused_in_production():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_accounts")

"""The cast every test can use: alice (a creator), bob (a viewer), carol (a stranger), mod
(a moderator) and staff (staff with no permissions); plus the switches between the embedded
defaults and the real services."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: this is the embedded SQLite run (set DATABASE_URL to run it)"
    )
    skip_redis = pytest.mark.skip(
        reason="needs Redis: this is the embedded run (set REDIS_URL to run it)"
    )
    for item in items:
        if "postgres" in item.keywords and not settings.USING_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_tasks_in_the_test():
    # Tasks run in the test's own process and thread, right when they are queued (after the
    # transaction commits, as in production).
    from microvid.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    # Each test gets its own media folder and a clean cache (rate-limit counters live there).
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    # bcrypt is the production hasher and is tested on its own; the rest of the suite uses
    # a fast hasher so that creating users does not dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    # A request in Spanish or Arabic leaves its language active in this thread (LocaleMiddleware
    # activates, nothing deactivates): later tests must not read their messages in it.
    translation.deactivate()
    cache.clear()


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", display_name="Alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", display_name="Bob")


@pytest.fixture
def carol(db):
    return UserFactory(username="carol", display_name="Carol")


@pytest.fixture
def mod(db):
    """A moderator: staff, in the Moderators group (its permissions come from a migration)."""
    from django.contrib.auth.models import Group

    user = UserFactory(username="mod", display_name="Moderator", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def staff(db):
    """Staff without any permission: staff status alone grants nothing."""
    return UserFactory(username="staffer", display_name="Staffer", is_staff=True)


def csrf_post(client, url, data=None, **extra):
    """POST like a browser: fetch the CSRF cookie first, then send the token with the form."""
    from django.middleware.csrf import _get_new_csrf_string

    token = client.cookies.get(settings.CSRF_COOKIE_NAME)
    if token is None:
        client.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
        token = client.cookies[settings.CSRF_COOKIE_NAME]
    data = dict(data or {})
    data.setdefault("csrfmiddlewaretoken", token.value)
    return client.post(url, data, **extra)

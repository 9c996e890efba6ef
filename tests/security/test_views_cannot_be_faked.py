"""Finding 4 of issue 12: the anonymous viewer id is the server's (a signed cookie), and a
script making up ids, or throwing cookies away, counts as one viewer."""

import json
import uuid

import pytest
from django.test import Client

from tests.conftest import csrf_post
from tests.factories import published_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(alice):
    return published_video(alice)


def _play(client, video, viewer=None):
    data = {"batch": json.dumps([{"video": video.short_id, "kind": "play"}])}
    if viewer:
        data["viewer"] = viewer
    return csrf_post(client, "/events", data)


def test_a_script_rotating_viewer_ids_counts_as_one_viewer(video, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "events": "1000/m/user_or_ip"}
    for _ in range(30):
        # A fresh client each time: no cookie kept, a made-up id in the form.
        assert _play(Client(enforce_csrf_checks=True), video, str(uuid.uuid4())).status_code == 204

    video.refresh_from_db()
    assert video.view_count == 1


def test_a_forged_viewer_cookie_is_ignored(video, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "events": "1000/m/user_or_ip"}
    for _ in range(10):
        browser = Client(enforce_csrf_checks=True)
        browser.cookies["mv_viewer"] = uuid.uuid4().hex  # unsigned: not ours
        _play(browser, video)

    video.refresh_from_db()
    assert video.view_count == 1


def test_a_browser_keeps_its_issued_id_and_counts_once(client, video):
    first = _play(client, video)
    second = _play(client, video)

    assert "mv_viewer" in first.cookies
    assert "mv_viewer" not in second.cookies  # already has one
    assert first.cookies["mv_viewer"]["httponly"]
    video.refresh_from_db()
    assert video.view_count == 1


def test_harvesting_fresh_cookies_is_capped_per_address(video, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "events": "1000/m/user_or_ip", "view": "5/h/ip"}
    for _ in range(20):
        browser = Client(enforce_csrf_checks=True)
        _play(browser, video)  # gets a cookie (counted by address)
        _play(browser, video)  # then plays with it, as a "new" viewer

    video.refresh_from_db()
    assert video.view_count == 5


def test_people_behind_one_address_with_their_own_cookies_each_count(video, settings):
    browsers = [Client(enforce_csrf_checks=True) for _ in range(3)]
    for browser in browsers:
        _play(browser, video)
    video.refresh_from_db()
    assert video.view_count == 1  # first batches: no cookie yet, so the address

    for browser in browsers:
        _play(browser, video)

    video.refresh_from_db()
    assert video.view_count == 3  # the first one's play was already counted by address

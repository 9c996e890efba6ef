"""Search analytics (from search's signals), search history, and the staff's platform page."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from analytics import platform
from analytics.models import SearchClick, SearchLog
from recommendations.models import WatchEvent
from search.models import SearchHistory
from tests.conftest import csrf_post
from tests.factories import published_video

pytestmark = pytest.mark.django_db


def test_searches_and_result_clicks_are_logged_without_who(client, alice, bob):
    published_video(alice, title="Sunset over water")
    client.get("/search?q=Sunset")
    client.get("/search?q=zebra+crossing")
    client.get("/search?q=sunset&page=2")  # later pages are not new searches

    assert sorted(SearchLog.objects.values_list("query", "results")) == [
        ("sunset", 1), ("zebra crossing", 0),
    ]  # fmt: skip
    response = client.get("/search/click?q=sunset&rank=1&next=/v/abc")
    assert response.status_code == 302 and response["Location"] == "/v/abc"
    assert list(SearchClick.objects.values_list("query", "rank")) == [("sunset", 1)]


def test_a_result_click_never_redirects_off_site(client):
    response = client.get("/search/click?q=x&rank=1&next=https://evil.example/")
    assert response["Location"] == "/search"


def test_the_result_links_count_their_rank(client, alice):
    published_video(alice, title="Sunset one")
    html = client.get("/search?q=sunset").content.decode()
    assert "/search/click?q=sunset&amp;rank=1&amp;next=/v/" in html


def test_search_analytics_top_queries_no_results_and_click_through(db):
    for query, results in [("cats", 5), ("cats", 5), ("dogs", 1), ("qwxz", 0)]:
        SearchLog.objects.create(query=query, results=results)
    SearchClick.objects.create(query="cats", rank=1)
    SearchClick.objects.create(query="cats", rank=2)
    SearchClick.objects.create(query="dogs", rank=1)
    since = timezone.now() - timedelta(days=1)

    assert platform.search_top_queries(since=since)[0] == {"query": "cats", "searches": 2}
    assert platform.search_top_queries(since=since, no_results=True) == [
        {"query": "qwxz", "searches": 1}
    ]
    rates = platform.search_click_through(since=since, ranks=3)
    # Rank 1: 2 clicks of the 3 searches with a first result; rank 2: 1 of the 2 with a second.
    assert [(r["clicks"], r["searches"], r["rate"]) for r in rates] == [
        (2, 3, 0.667), (1, 2, 0.5), (0, 2, 0.0),
    ]  # fmt: skip


def test_platform_sessions_and_active_viewers(alice):
    video = published_video(alice)
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    viewer = uuid.uuid4()
    # One session of 10 minutes, a gap of an hour, then a session of one event (0 s).
    for minutes in (0, 5, 10, 70):
        row = WatchEvent.objects.create(video=video, viewer_id=viewer, kind="play")
        WatchEvent.objects.filter(pk=row.pk).update(
            created_at=now - timedelta(days=1) + timedelta(minutes=minutes)
        )
    assert platform.average_session_seconds(since=now - timedelta(days=7)) == 300.0
    active = platform.active_viewers(now=now)
    assert active["mau"] == 1 and active["dau"] == round(1 / 30, 1)


def test_staff_see_the_platform_page_and_others_do_not(client, mod, bob):
    mod.is_superuser = True
    mod.save()
    client.force_login(mod)
    response = client.get("/admin/analytics/rollupstate/")
    assert response.status_code == 200
    assert "Monthly retention cohorts" in response.content.decode()

    client.force_login(bob)
    assert client.get("/admin/analytics/rollupstate/").status_code == 302  # to the admin log-in


def test_signed_in_searches_are_remembered_privately(client, bob, carol):
    client.force_login(bob)
    client.get("/search?q=sunset")
    client.get("/search?q=tide")

    html = client.get("/search").content.decode()
    assert "Your recent searches" in html and "tide" in html
    client.force_login(carol)
    assert "tide" not in client.get("/search").content.decode()


def test_search_history_can_be_cleared_and_turned_off(client, bob):
    client.force_login(bob)
    client.get("/search?q=sunset")

    response = csrf_post(client, "/search/history/clear")
    assert response.status_code == 302 and not SearchHistory.objects.exists()

    csrf_post(client, "/search/history/toggle", {"enabled": "0"})
    client.get("/search?q=tide")
    assert not SearchHistory.objects.exists()

    csrf_post(client, "/search/history/toggle", {"enabled": "1"})
    client.get("/search?q=tide")
    assert list(SearchHistory.objects.values_list("query", flat=True)) == ["tide"]


def test_search_history_is_off_with_the_setting(client, bob, settings):
    settings.SEARCH_HISTORY_ENABLED = False
    client.force_login(bob)
    client.get("/search?q=sunset")

    assert not SearchHistory.objects.exists()
    assert "Stop remembering" not in client.get("/search").content.decode()


def test_history_forms_need_a_signed_in_user_and_csrf(client):
    response = csrf_post(client, "/search/history/clear")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_the_ten_latest_searches_are_kept(client, bob):
    client.force_login(bob)
    for n in range(12):
        client.get(f"/search?q=word{n}")

    kept = set(SearchHistory.objects.values_list("query", flat=True))
    assert kept == {f"word{n}" for n in range(2, 12)}


def _empty_box_options(client):
    response = client.get(
        "/search/suggest?q=", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="site-search-suggestions"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_header_search_box_offers_recent_searches_when_empty(client, bob, carol):
    client.force_login(bob)
    client.get("/search?q=sunset")
    client.get("/search?q=tide")
    assert "data-combobox-history" in client.get("/").content.decode()

    options = _empty_box_options(client)
    # Newest first, as options that search again for the query.
    assert options.index('data-value="tide"') < options.index('data-value="sunset"')
    assert 'id="site-search-suggestions-1"' in options and "Recent search" in options
    assert "2 suggestions" in options

    client.force_login(carol)
    assert 'role="option"' not in _empty_box_options(client)  # bob's stay bob's


def test_the_empty_box_offers_nothing_when_history_is_off_or_signed_out(client, bob, settings):
    client.force_login(bob)
    client.get("/search?q=sunset")
    csrf_post(client, "/search/history/toggle", {"enabled": "0"})
    assert 'role="option"' not in _empty_box_options(client)

    client.logout()
    assert "data-combobox-history" not in client.get("/").content.decode()
    assert 'role="option"' not in _empty_box_options(client)

    settings.SEARCH_HISTORY_ENABLED = False
    client.force_login(bob)
    assert 'role="option"' not in _empty_box_options(client)

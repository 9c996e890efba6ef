"""The creator's dashboard, one video's page, the CSV exports and the stats API: numbers from
the roll-up, readable by the owner (and moderators with the permission) only."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from analytics import services
from recommendations.models import WatchEvent
from tests.factories import published_video

pytestmark = pytest.mark.django_db


def _play(video, *, watch_ms, complete=False, source="for_you", when=None):
    viewer = uuid.uuid4()
    kinds = [("play", 0, 0), ("watch", watch_ms, min(watch_ms, 5000))]
    if complete:
        kinds.append(("complete", 0, 5000))
    for kind, ms, position in kinds:
        row = WatchEvent.objects.create(
            video=video, viewer_id=viewer, kind=kind, watch_ms=ms, position_ms=position,
            source=source,
        )  # fmt: skip
        if when is not None:
            WatchEvent.objects.filter(pk=row.pk).update(created_at=when)


@pytest.fixture
def clip(alice):
    video = published_video(alice, title="Sunset loop", duration=5.0)
    _play(video, watch_ms=10000, complete=True)  # twice through
    _play(video, watch_ms=1000, source="search")
    _play(video, watch_ms=4000, when=timezone.now() - timedelta(days=10))  # the period before
    services.stats_rollup()
    return video


def test_the_owner_sees_the_dashboard_with_totals_and_the_video(client, alice, clip):
    client.force_login(alice)
    response = client.get("/studio/analytics?days=7")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sunset loop" in html
    assert response.context["totals"]["plays"] == 2
    assert "<svg" in html and "Data table" in html
    assert response.context["videos"][0]["completion_rate"] == 0.5


def test_the_change_compares_with_the_period_before(client, alice, clip):
    client.force_login(alice)
    totals = client.get("/studio/analytics?days=7").context["totals"]
    # Ten days ago lies in the seven days before the last seven: one play then, two now.
    assert totals["plays"] == 2
    assert totals["previous"]["plays"] == 1 and totals["change"]["plays"] == 1.0

    totals = client.get("/studio/analytics?days=5").context["totals"]
    assert totals["change"]["plays"] is None  # nothing in the five days before


def test_the_video_table_sorts_by_any_column(client, alice, clip):
    published_video(alice, title="Another one", duration=5.0)
    client.force_login(alice)

    by_plays = client.get("/studio/analytics?sort=plays&dir=desc").context["videos"].object_list
    by_title = client.get("/studio/analytics?sort=title&dir=asc").context["videos"].object_list

    assert [row["title"] for row in by_plays] == ["Sunset loop", "Another one"]
    assert [row["title"] for row in by_title] == ["Another one", "Sunset loop"]


def test_the_video_page_shows_retention_and_sources(client, alice, clip):
    client.force_login(alice)
    response = client.get(f"/studio/analytics/v/{clip.short_id}?days=7")

    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals["traffic_sources"]["for_you"] == 1 and totals["traffic_sources"]["search"] == 1
    # Plays reached 100% and 20% (1 s of 5): both passed 10% and 20%, one the rest.
    assert [row["share"] for row in totals["retention"]] == [1.0, 1.0] + [0.5] * 8
    assert totals["loops_per_play"] == 1.1  # 11 s watched / (5 s x 2 plays)


def test_the_dashboard_is_right_to_left_in_arabic(client, alice, clip):
    client.force_login(alice)
    response = client.get("/studio/analytics?days=7", HTTP_ACCEPT_LANGUAGE="ar")

    chart = response.context["chart"]
    # Time runs from right to left: the first day is drawn to the right of the last.
    assert chart.labels[0]["x"] > chart.labels[-1]["x"]
    assert 'dir="rtl"' in response.content.decode()


def test_another_creator_gets_404_for_the_video_page_its_exports_and_api(client, bob, clip):
    client.force_login(bob)
    for url in (
        f"/studio/analytics/v/{clip.short_id}",
        f"/studio/analytics/v/{clip.short_id}/daily.csv",
        f"/studio/analytics/v/{clip.short_id}/retention.csv",
        f"/api/v1/studio/videos/{clip.short_id}/stats",
    ):
        assert client.get(url).status_code == 404, url
    # Their own dashboard and API have none of alice's numbers.
    assert list(client.get("/studio/analytics").context["videos"]) == []
    assert client.get("/api/v1/studio/stats").json()["totals"]["plays"] == 0


def test_signed_out_visitors_are_sent_to_log_in(client, clip):
    response = client.get("/studio/analytics")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/api/v1/studio/videos/{clip.short_id}/stats").status_code in (401, 403)


def test_a_moderator_with_the_permission_may_read_a_videos_stats(client, mod, clip):
    client.force_login(mod)
    url = f"/api/v1/studio/videos/{clip.short_id}/stats"
    assert client.get(url).status_code == 404

    mod.user_permissions.add(Permission.objects.get(codename="view_any_stats"))
    response = client.get(url)
    assert response.status_code == 200 and response.json()["plays"] == 3  # 28 days


def test_the_video_stats_api(client, alice, clip):
    client.force_login(alice)
    data = client.get(f"/api/v1/studio/videos/{clip.short_id}/stats?days=7").json()

    assert data["plays"] == 2 and data["engaged_plays"] == 1
    assert data["completion_rate"] == 0.5 and data["avg_watch_seconds"] == 5.5
    assert data["loops_per_play"] == 1.1 and data["unique_viewers"] == 2
    assert data["traffic_sources"]["search"] == 1
    assert len(data["retention"]) == 10
    for key in ("likes", "comments", "shares", "follows_gained"):
        assert data[key] == 0


def test_the_creator_stats_api_has_totals_and_a_series(client, alice, clip):
    client.force_login(alice)
    data = client.get("/api/v1/studio/stats?days=28").json()

    assert data["days"] == 28 and len(data["series"]) == 28
    assert data["totals"]["plays"] == 3
    assert sum(point["plays"] for point in data["series"]) == 3


def test_a_bad_days_parameter_falls_back_to_28(client, alice, clip):
    client.force_login(alice)
    assert client.get("/api/v1/studio/stats?days=banana").json()["days"] == 28
    assert client.get("/studio/analytics?days=-3").context["days"] == 28


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_every_table_exports_as_csv(client, alice, clip):
    client.force_login(alice)

    videos = _csv(client.get("/studio/analytics/videos.csv?days=7"))
    assert videos[0][:3] == ["short_id", "title", "plays"]
    assert videos[1][:3] == [clip.short_id, "Sunset loop", "2"]
    daily = _csv(client.get("/studio/analytics/daily.csv?days=7"))
    assert len(daily) == 8 and sum(int(row[1]) for row in daily[1:]) == 2
    every = _csv(client.get("/studio/analytics/rows.csv"))
    assert sum(int(row[2]) for row in every[1:]) == 3
    sources = _csv(client.get(f"/studio/analytics/v/{clip.short_id}/sources.csv?days=7"))
    assert ["search", "1"] in sources
    retention = _csv(client.get(f"/studio/analytics/v/{clip.short_id}/retention.csv?days=7"))
    assert retention[1] == ["10", "1.0"]


def test_the_studio_links_to_analytics(client, alice):
    client.force_login(alice)
    assert 'href="/studio/analytics"' in client.get("/studio/").content.decode()


def test_the_video_table_comes_a_page_at_a_time(client, alice, clip):
    for n in range(55):
        published_video(alice, title=f"Clip {n:02d}", duration=5.0)
    client.force_login(alice)

    first = client.get("/studio/analytics?sort=title&dir=asc")
    second = client.get("/studio/analytics?sort=title&dir=asc&page=2")

    assert len(first.context["videos"]) == 50 and len(second.context["videos"]) == 6
    assert second.context["videos"][5]["title"] == "Sunset loop"
    assert 'href="?days=28&amp;sort=title&amp;dir=asc&amp;page=2"' in first.content.decode()


def test_the_creator_stats_api_computes_loops_per_play(client, alice, clip):
    # 28 days: 10 s + 1 s + 4 s watched over three plays of a 5-second clip.
    other = published_video(alice, title="Longer loop", duration=10.0)
    _play(other, watch_ms=5000)  # half of a 10-second clip
    services.stats_rollup()
    client.force_login(alice)

    totals = client.get("/api/v1/studio/stats?days=28").json()["totals"]

    # (10 + 1 + 4 + 5) s / (3 plays of 5 s + 1 play of 10 s) = 20 / 25
    assert totals["plays"] == 4 and totals["loops_per_play"] == 0.8


def test_the_creator_stats_api_without_plays_has_no_loops_per_play(client, bob):
    client.force_login(bob)
    assert client.get("/api/v1/studio/stats").json()["totals"]["loops_per_play"] is None


def test_a_moderator_with_the_permission_may_read_a_creators_totals(client, mod, alice, clip):
    client.force_login(mod)
    url = f"/api/v1/studio/stats?creator={alice.username}"
    assert client.get(url).status_code == 404

    mod.user_permissions.add(Permission.objects.get(codename="view_any_stats"))
    data = client.get(url).json()
    assert data["creator"] == alice.username and data["totals"]["plays"] == 3
    assert client.get("/api/v1/studio/stats?creator=nobody-here").status_code == 404


def test_a_creator_cannot_read_another_creators_totals(client, bob, alice, clip):
    client.force_login(bob)
    assert client.get(f"/api/v1/studio/stats?creator={alice.username}").status_code == 404
    # Their own name is the same as no name.
    assert client.get(f"/api/v1/studio/stats?creator={bob.username}").json()["creator"] == "bob"

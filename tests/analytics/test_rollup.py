"""The roll-up on a hand-made event log: every number equals the one worked out by hand
(docs/analytics.md defines them), and a re-run changes nothing."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.forms.models import model_to_dict

from analytics import services
from analytics.models import CreatorStats, RollupState, VideoStats
from recommendations.models import WatchEvent
from social.models import Follow, Like
from tests.factories import UserFactory, published_video

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # a Tuesday, 10:00 UTC
V1, V2, V3 = (uuid.UUID(int=n) for n in (1, 2, 3))


def event(video, viewer, kind, at, *, watch_ms=0, position_ms=0, source="", user=None):
    # created_at is auto_now_add: write the row, then move it to the moment of the log.
    row = WatchEvent.objects.create(
        video=video, viewer_id=viewer, kind=kind, watch_ms=watch_ms,
        position_ms=position_ms, source=source, user=user,
    )  # fmt: skip
    WatchEvent.objects.filter(pk=row.pk).update(created_at=at)
    return row


@pytest.fixture
def clip(alice):
    return published_video(alice, duration=5.0, published_at=T0 - timedelta(days=1))


@pytest.fixture
def log(clip, alice, bob):
    m = timedelta(minutes=1)
    # Viewer 1 (from For You): plays, watches all 5 s, completes, loops twice, watches 10 s more.
    event(clip, V1, "impression", T0, source="for_you")
    event(clip, V1, "play", T0, source="for_you")
    event(clip, V1, "watch", T0 + m, watch_ms=5000, position_ms=5000, source="for_you")
    event(clip, V1, "complete", T0 + m, position_ms=5000, source="for_you")
    event(clip, V1, "loop", T0 + m, source="for_you")
    event(clip, V1, "loop", T0 + m, source="for_you")
    event(clip, V1, "watch", T0 + 2 * m, watch_ms=10000, position_ms=2000, source="for_you")
    # Viewer 2 (bob, from search): plays, swipes away at 2.3 s after 2.3 s, then follows alice.
    event(clip, V2, "play", T0 + m, source="search", user=bob)
    event(clip, V2, "watch", T0 + m, watch_ms=2300, position_ms=2300, source="search", user=bob)
    event(clip, V2, "leave", T0 + m, position_ms=2300, source="search", user=bob)
    # Viewer 3 (a shared link): plays at 10:00 and again in the next hour; 0.9 s, then 3.6 s.
    event(clip, V3, "play", T0 + 5 * m, source="link")
    event(clip, V3, "watch", T0 + 5 * m, watch_ms=900, position_ms=900, source="link")
    event(clip, V3, "play", T0 + 65 * m, source="link")
    event(clip, V3, "watch", T0 + 65 * m, watch_ms=3600, position_ms=3600, source="link")
    # The creator's own plays never count.
    event(clip, uuid.uuid4(), "play", T0, user=alice)
    like = Like.objects.create(user=bob, video=clip)
    Like.objects.filter(pk=like.pk).update(created_at=T0 + 3 * m)
    follow = Follow.objects.create(follower=bob, followee=alice)
    Follow.objects.filter(pk=follow.pk).update(created_at=T0 + 4 * m)


def rows(model):
    return [
        {k: v for k, v in model_to_dict(row).items() if k != "id"}
        for row in model.objects.order_by("granularity", "period_start", "pk")
    ]


def test_the_numbers_of_a_hand_made_log(log, clip):
    services.stats_rollup(now=T0 + timedelta(hours=3))

    ten = VideoStats.objects.get(video=clip, granularity="hour", period_start=T0)
    assert (ten.plays, ten.engaged_plays, ten.completions, ten.loops) == (3, 1, 1, 2)
    assert (ten.watch_ms, ten.unique_viewers, ten.leaves) == (5000 + 10000 + 2300 + 900, 3, 1)
    assert (ten.likes, ten.follows_gained, ten.comments, ten.shares) == (1, 1, 0, 0)
    assert (ten.src_for_you, ten.src_search, ten.src_link, ten.src_watch) == (1, 1, 1, 0)
    # Reach: viewer 1 completed (100%), viewer 2 got to 2.3 s of 5 (46%), viewer 3 to 0.9 s
    # (18%): all three passed 10%, two passed 20% to 40%, one the rest.
    retention = [getattr(ten, f"ret_{10 * k}") for k in range(1, 11)]
    assert retention == [3, 2, 2, 2, 1, 1, 1, 1, 1, 1]

    eleven = VideoStats.objects.get(
        video=clip, granularity="hour", period_start=T0 + timedelta(hours=1)
    )
    assert (eleven.plays, eleven.engaged_plays, eleven.watch_ms, eleven.unique_viewers) == (
        1,
        1,
        3600,
        1,
    )
    assert [getattr(eleven, f"ret_{10 * k}") for k in range(1, 11)] == [1] * 7 + [0] * 3

    day = VideoStats.objects.get(video=clip, granularity="day", period_start=T0.replace(hour=0))
    # Viewer 3's two plays in two hours are two plays but one viewer.
    assert (day.plays, day.engaged_plays, day.unique_viewers, day.loops) == (4, 2, 3, 2)
    assert day.watch_ms == 21800
    creator_day = CreatorStats.objects.get(granularity="day", period_start=T0.replace(hour=0))
    assert (creator_day.plays, creator_day.unique_viewers, creator_day.follows_gained) == (4, 3, 1)
    assert (creator_day.likes, creator_day.uploads) == (1, 0)
    # The upload was the day before the first event: a run from that day counts it.
    services.stats_rollup(now=T0 + timedelta(hours=3), since=T0 - timedelta(days=1))
    day_before = (T0 - timedelta(days=1)).replace(hour=0)
    assert CreatorStats.objects.get(granularity="day", period_start=day_before).uploads == 1


def test_a_rerun_changes_nothing(log, clip):
    services.stats_rollup(now=T0 + timedelta(hours=3), since=T0 - timedelta(days=2))
    before = rows(VideoStats), rows(CreatorStats)

    services.stats_rollup(now=T0 + timedelta(hours=3), since=T0 - timedelta(days=2))
    services.stats_rollup(now=T0 + timedelta(hours=3))

    assert (rows(VideoStats), rows(CreatorStats)) == before


def test_a_taken_back_like_disappears_on_the_next_run(log, clip, bob):
    services.stats_rollup(now=T0 + timedelta(hours=3))
    Like.objects.filter(user=bob).delete()

    services.stats_rollup(now=T0 + timedelta(hours=3))

    assert VideoStats.objects.get(video=clip, granularity="hour", period_start=T0).likes == 0


def test_late_events_of_the_day_are_picked_up_incrementally(log, clip):
    services.stats_rollup(now=T0 + timedelta(hours=3))
    event(clip, uuid.uuid4(), "play", T0 + timedelta(hours=4), source="profile")

    services.stats_rollup(now=T0 + timedelta(hours=5))

    day = VideoStats.objects.get(video=clip, granularity="day", period_start=T0.replace(hour=0))
    assert (day.plays, day.src_profile, day.unique_viewers) == (5, 1, 4)


def test_old_raw_events_are_deleted_only_once_rolled_up(log, clip, settings):
    settings.ANALYTICS_RAW_RETENTION_DAYS = 30
    later = T0 + timedelta(days=40)
    assert services.raw_events_purge(now=later) == 0  # nothing rolled up yet: keep them

    services.stats_rollup(now=later)
    kept = WatchEvent.objects.count()
    assert services.raw_events_purge(now=later) == kept
    assert not WatchEvent.objects.filter(created_at__lt=later - timedelta(days=30)).exists()
    assert (
        VideoStats.objects.get(video=clip, granularity="day", period_start=T0.replace(hour=0)).plays
        == 4
    )

    # Re-running from before the purge cannot zero the rolled-up day.
    services.stats_rollup(now=later, since=T0 - timedelta(days=1))
    assert (
        VideoStats.objects.get(video=clip, granularity="day", period_start=T0.replace(hour=0)).plays
        == 4
    )
    assert RollupState.objects.get().purged_before is not None


def test_another_creators_videos_are_rolled_up_apart(log, clip):
    other = UserFactory(username="dora")
    theirs = published_video(other, duration=5.0)
    event(theirs, V1, "play", T0, source="following")

    services.stats_rollup(now=T0 + timedelta(hours=3))

    assert VideoStats.objects.get(video=theirs, granularity="hour").src_following == 1
    assert CreatorStats.objects.get(creator=other, granularity="hour", period_start=T0).plays == 1
    assert (
        CreatorStats.objects.get(creator=clip.owner, granularity="hour", period_start=T0).plays == 3
    )

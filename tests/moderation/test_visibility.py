"""The one visibility rule on every path: blocks hide both people from each other everywhere,
mutes hide from the muter's feeds and notifications only, and moderation states and suspended
creators are honoured by feeds, For You, search, hashtags, profiles, /v/<id>, the API,
comments and notifications."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from feeds import selectors as feeds
from moderation import services
from search import selectors as search
from social import selectors as social_selectors
from social import services as social_services
from social.models import Comment
from tests.factories import published_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def clips(alice, carol):
    """Alice's and Carol's public videos, all with #cats and 'sunset' in the title."""
    from videos.models import Hashtag

    tag = Hashtag.objects.create(name="cats")
    made = {
        "alice": published_video(alice, title="Sunset by Alice", trending_score=2.0),
        "carol": published_video(carol, title="Sunset by Carol", trending_score=1.0),
    }
    for video in made.values():
        video.hashtags.add(tag)
    return made


def titles(videos) -> set[str]:
    return {video.title for video in videos}


def everywhere(viewer) -> dict[str, set[str]]:
    """The titles each discovery path shows this viewer."""
    for_you = feeds.feed_for_you(user=viewer).videos
    return {
        "latest": titles(feeds.feed_latest(viewer=viewer).videos),
        "trending": titles(feeds.feed_trending(viewer=viewer).videos),
        "hashtag": titles(feeds.feed_hashtag(name="cats", viewer=viewer).videos),
        "for_you": titles(for_you),
        "search": titles(search.search_videos(query="sunset", viewer=viewer).items),
        "suggest": {s.label for s in search.search_suggestions(query="Sunset", viewer=viewer)},
    }


def test_a_block_hides_both_people_from_each_other_on_every_discovery_path(
    alice, bob, carol, clips
):
    account_services.block_create(blocker=bob, blocked=alice)

    for path, shown in everywhere(bob).items():
        assert "Sunset by Alice" not in shown, path
        assert "Sunset by Carol" in shown, path
    bobs = published_video(bob, title="Sunset by Bob")
    for path, shown in everywhere(alice).items():
        assert bobs.title not in shown, path
    assert "Sunset by Alice" in everywhere(carol)["latest"]


def test_a_block_hides_the_person_from_creator_search(alice, bob, clips):
    account_services.block_create(blocker=alice, blocked=bob)

    assert "bob" not in {u.username for u in search.search_creators(query="bo", viewer=alice).items}
    assert "alice" not in {
        u.username for u in search.search_creators(query="ali", viewer=bob).items
    }


def test_a_blocked_persons_profile_video_page_and_api_answer_404(client, alice, bob, clips):
    account_services.block_create(blocker=alice, blocked=bob)
    client.force_login(bob)
    short_id = clips["alice"].short_id

    assert client.get("/@alice").status_code == 404
    assert client.get(f"/v/{short_id}").status_code == 404
    assert client.get("/api/v1/users/alice/videos").status_code == 404
    assert client.get(f"/api/v1/videos/{short_id}/comments").status_code == 404
    latest = client.get("/api/v1/feeds/latest").json()
    assert "Sunset by Alice" not in {item["title"] for item in latest["results"]}


def test_a_mute_hides_from_feeds_but_the_link_and_profile_still_open(client, alice, bob, clips):
    account_services.mute_create(muter=bob, muted=alice)
    client.force_login(bob)

    assert "Sunset by Alice" not in everywhere(bob)["latest"]
    assert "Sunset by Alice" not in everywhere(bob)["for_you"]
    assert client.get(f"/v/{clips['alice'].short_id}").status_code == 200
    assert client.get("/@alice").status_code == 200
    # Alice notices nothing.
    assert (
        "Sunset by Bob" in titles([published_video(bob, title="Sunset by Bob")])
        and "Sunset by Bob" in everywhere(alice)["latest"]
    )


def test_a_block_stops_likes_comments_replies_follows_and_mentions(alice, bob, carol, clips):
    from django.core.exceptions import PermissionDenied

    comment = social_services.comment_create(user=alice, video=clips["carol"], body="Nice")
    account_services.block_create(blocker=alice, blocked=bob)

    with pytest.raises(PermissionDenied):
        social_services.like_create(user=bob, video=clips["alice"])
    with pytest.raises(PermissionDenied):
        social_services.comment_create(user=bob, video=clips["alice"], body="Hi")
    with pytest.raises(social_services.SocialError, match="cannot reply"):
        social_services.comment_create(user=bob, video=clips["carol"], body="No", parent=comment)
    with pytest.raises(social_services.SocialError, match="cannot follow"):
        social_services.follow_create(follower=bob, followee=alice)
    mention = social_services.comment_create(user=bob, video=clips["carol"], body="@alice look")
    assert not mention.mentions.exists()


def test_comment_lists_leave_out_blocked_people_removed_and_others_held_comments(
    alice, bob, carol, mod, clips
):
    video = clips["carol"]
    by_alice = social_services.comment_create(user=alice, video=video, body="From Alice")
    by_carol = social_services.comment_create(user=carol, video=video, body="From Carol")
    held = Comment.objects.create(
        video=video, author=carol, body="Held", moderation_state=Comment.ModerationState.HELD
    )
    services.action_take(moderator=mod, kind="remove", note="Rude", comment=by_carol)
    account_services.block_create(blocker=bob, blocked=alice)

    for_bob = list(social_selectors.comments_page(video=video, viewer=bob))
    for_carol = list(social_selectors.comments_page(video=video, viewer=carol))

    assert for_bob == []
    assert set(for_carol) == {by_alice, held}


def test_notifications_leave_out_muted_and_blocked_people(alice, bob, carol, clips):
    social_services.like_create(user=bob, video=clips["alice"])
    social_services.like_create(user=carol, video=clips["alice"])
    account_services.mute_create(muter=alice, muted=carol)

    groups = social_selectors.notification_groups(user=alice)

    assert [actor.username for group in groups for actor in group.actors] == ["bob"]


def test_removed_limited_and_suspended_content_leaves_discovery(alice, carol, mod, clips, bob):
    services.action_take(moderator=mod, kind="limit", note="Hm", video=clips["alice"])
    assert "Sunset by Alice" not in everywhere(bob)["latest"]
    services.action_take(moderator=mod, kind="suspend", note="Hm", account=carol)

    shown = everywhere(bob)
    assert not any(shown.values()), shown


def test_blocks_cost_the_feeds_one_query_per_page(alice, bob, carol, clips):
    account_services.block_create(blocker=bob, blocked=alice)
    account_services.mute_create(muter=bob, muted=carol)
    viewer = type(bob).objects.get(pk=bob.pk)
    with CaptureQueriesContext(connection) as plain:
        feeds.feed_latest(viewer=None)
    with CaptureQueriesContext(connection) as blocked:
        feeds.feed_latest(viewer=viewer)

    assert len(blocked) == len(plain) + 1

"""The rules of likes, comments, follows and notifications, as the services enforce them for
the site, the API and the sockets alike."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from accounts.models import User
from social import selectors, services
from social.models import Comment, Follow, Like, Notification
from tests.factories import UserFactory
from tests.social.conftest import video_of
from videos.models import Video

pytestmark = pytest.mark.django_db


def reload(video):
    return Video.objects.get(pk=video.pk)


# --- likes -------------------------------------------------------------------------------------
def test_liking_counts_once_and_tells_the_creator(video, bob):
    services.like_create(user=bob, video=video)

    assert reload(video).like_count == 1
    assert Like.objects.filter(user=bob, video=video).count() == 1
    notification = Notification.objects.get(recipient=video.owner)
    assert (notification.actor, notification.verb) == (bob, "like")


def test_liking_twice_is_refused_and_changes_nothing(video, bob):
    services.like_create(user=bob, video=video)

    with pytest.raises(services.AlreadyDone, match="already like"):
        services.like_create(user=bob, video=video)

    assert reload(video).like_count == 1
    assert Like.objects.count() == 1
    assert Notification.objects.count() == 1


def test_unliking_takes_back_the_count_and_the_unread_notification(video, bob):
    services.like_create(user=bob, video=video)

    services.like_delete(user=bob, video=video)

    assert reload(video).like_count == 0
    assert not Like.objects.exists()
    assert not Notification.objects.exists()
    with pytest.raises(services.AlreadyDone):
        services.like_delete(user=bob, video=video)
    assert reload(video).like_count == 0


def test_creator_liking_their_own_video_is_not_news(video, alice):
    services.like_create(user=alice, video=video)

    assert reload(video).like_count == 1
    assert not Notification.objects.exists()


def test_private_videos_and_drafts_cannot_be_liked_by_others(private_video, draft_video, bob):
    for hidden in (private_video, draft_video):
        with pytest.raises(PermissionDenied):
            services.like_create(user=bob, video=hidden)
        assert reload(hidden).like_count == 0


def test_creator_cannot_like_a_draft_yet(draft_video, alice):
    with pytest.raises(services.SocialError, match="once it is published"):
        services.like_create(user=alice, video=draft_video)


def test_likes_are_rate_limited_per_user(video, bob, carol, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "like": "2/1h/user"}
    services.like_create(user=bob, video=video)
    services.like_delete(user=bob, video=video)

    with pytest.raises(services.RateLimited, match="too often") as refused:
        services.like_create(user=bob, video=video)

    assert refused.value.retry_after > 0
    assert reload(video).like_count == 0
    services.like_create(user=carol, video=video)  # others are not affected
    assert reload(video).like_count == 1


def test_reconcile_repairs_counts_that_drifted(video, bob, carol):
    services.like_create(user=bob, video=video)
    services.comment_create(user=carol, video=video, body="Nice")
    Video.objects.filter(pk=video.pk).update(like_count=7, comment_count=0)

    fixed = services.social_counts_reconcile()

    assert fixed == 1
    assert (reload(video).like_count, reload(video).comment_count) == (1, 1)
    assert services.social_counts_reconcile() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_keep_the_count_exact(alice):
    video = video_of(alice)
    likers = [UserFactory() for _ in range(8)]
    double_clicker = UserFactory()
    barrier = threading.Barrier(len(likers) + 4)
    errors = []

    def like(user):
        try:
            barrier.wait()
            services.like_create(user=user, video=video)
        except services.AlreadyDone:
            pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=like, args=(user,)) for user in likers]
    threads += [threading.Thread(target=like, args=(double_clicker,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert Like.objects.filter(video=video).count() == 9
    assert reload(video).like_count == 9

    def unlike(user):
        try:
            barrier.wait()
            services.like_delete(user=user, video=video)
        except services.AlreadyDone:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=unlike, args=(double_clicker,)) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reload(video).like_count == 8
    assert services.social_counts_reconcile() == 0


# --- comments ----------------------------------------------------------------------------------
def test_comment_counts_and_tells_the_creator(video, bob):
    comment = services.comment_create(user=bob, video=video, body="  Love the light  ")

    assert comment.body == "Love the light"
    assert reload(video).comment_count == 1
    assert Notification.objects.get(recipient=video.owner).verb == "comment"


@pytest.mark.parametrize("body", ["", "   \n "])
def test_empty_comment_is_refused(video, bob, body):
    with pytest.raises(services.SocialError, match="Write something"):
        services.comment_create(user=bob, video=video, body=body)
    assert not Comment.objects.exists()


def test_200_characters_fit_and_201_do_not(video, bob):
    services.comment_create(user=bob, video=video, body="x" * 200)

    with pytest.raises(services.SocialError, match="at most 200 characters"):
        services.comment_create(user=bob, video=video, body="y" * 201)
    assert Comment.objects.count() == 1
    assert reload(video).comment_count == 1


def test_no_comments_when_the_creator_turned_them_off(video, bob):
    Video.objects.filter(pk=video.pk).update(comments_enabled=False)
    video.refresh_from_db()

    with pytest.raises(services.SocialError, match="turned off"):
        services.comment_create(user=bob, video=video, body="Hello?")
    assert not Comment.objects.exists()


def test_comments_off_wins_even_over_a_stale_video(video, bob):
    Video.objects.filter(pk=video.pk).update(comments_enabled=False)  # `video` still says on

    with pytest.raises(services.SocialError, match="turned off"):
        services.comment_create(user=bob, video=video, body="Hello?")


def test_no_comments_on_private_or_deleted_videos(private_video, video, bob):
    with pytest.raises(PermissionDenied):
        services.comment_create(user=bob, video=private_video, body="Hi")
    Video.objects.filter(pk=video.pk).delete()
    with pytest.raises(services.SocialError, match="deleted"):
        services.comment_create(user=bob, video=video, body="Hi")
    assert not Comment.objects.exists()


def test_a_video_deleted_meanwhile_cannot_be_liked(video, bob):
    Video.objects.filter(pk=video.pk).delete()  # `video` is now a stale object

    with pytest.raises(services.SocialError, match="deleted"):
        services.like_create(user=bob, video=video)

    assert not Like.objects.exists()
    assert not Notification.objects.exists()


def test_reply_tells_the_comment_author_and_the_creator(video, bob, carol):
    comment = services.comment_create(user=bob, video=video, body="First")

    reply = services.comment_create(user=carol, video=video, body="Agreed", parent=comment)

    assert reply.parent == comment
    assert Comment.objects.get(pk=comment.pk).reply_count == 1
    assert reload(video).comment_count == 2
    verbs = set(
        Notification.objects.filter(comment=reply).values_list("recipient__username", "verb")
    )
    assert verbs == {("bob", "reply"), ("alice", "comment")}


def test_replies_to_replies_are_refused(video, bob, carol):
    comment = services.comment_create(user=bob, video=video, body="First")
    reply = services.comment_create(user=carol, video=video, body="Second", parent=comment)

    with pytest.raises(services.SocialError, match="not to a reply"):
        services.comment_create(user=bob, video=video, body="Third", parent=reply)
    assert Comment.objects.count() == 2


def test_mentions_are_stored_and_notified_once(video, bob, carol):
    comment = services.comment_create(
        user=bob, video=video, body="@Carol look! also @alice and @nobody_here @carol"
    )

    assert {user.username for user in comment.mentions.all()} == {"carol", "alice"}
    assert Notification.objects.filter(recipient=carol, verb="mention").count() == 1
    # Alice is told once, as the creator.
    assert list(
        Notification.objects.filter(recipient=video.owner).values_list("verb", flat=True)
    ) == ["comment"]


def test_authors_and_creators_delete_comments_others_cannot(video, bob, carol):
    mine = services.comment_create(user=bob, video=video, body="Mine")
    services.comment_create(user=carol, video=video, body="Reply", parent=mine)
    other = services.comment_create(user=carol, video=video, body="Carol's")

    with pytest.raises(PermissionDenied):
        services.comment_delete(user=bob, comment=other)
    assert Comment.objects.count() == 3

    services.comment_delete(user=bob, comment=mine)  # its reply goes with it
    assert list(Comment.objects.values_list("body", flat=True)) == ["Carol's"]
    assert reload(video).comment_count == 1

    services.comment_delete(user=video.owner, comment=other)
    assert not Comment.objects.exists()
    assert reload(video).comment_count == 0


def test_deleting_a_reply_updates_the_reply_count(video, bob, carol):
    comment = services.comment_create(user=bob, video=video, body="First")
    reply = services.comment_create(user=carol, video=video, body="Second", parent=comment)

    services.comment_delete(user=carol, comment=reply)

    assert Comment.objects.get(pk=comment.pk).reply_count == 0
    assert reload(video).comment_count == 1


def test_comments_are_newest_or_top_first(video, bob, carol):
    quiet = services.comment_create(user=bob, video=video, body="Quiet")
    busy = services.comment_create(user=bob, video=video, body="Busy")
    latest = services.comment_create(user=carol, video=video, body="Latest")
    services.comment_create(user=carol, video=video, body="Re", parent=busy)

    newest = [c.body for c in selectors.comments_page(video=video, sort="newest")]
    top = [c.body for c in selectors.comments_page(video=video, sort="top")]

    assert newest == [latest.body, busy.body, quiet.body]
    assert top[0] == "Busy"
    page = selectors.comments_page(video=video)
    assert [r.body for r in page[1].reply_list] == ["Re"]


def test_comments_are_paginated(video, bob):
    for n in range(selectors.COMMENTS_PER_PAGE + 3):
        services.comment_create(user=bob, video=video, body=f"Comment {n}")

    first, second = (selectors.comments_page(video=video, page=n) for n in (1, 2))

    assert len(first) == selectors.COMMENTS_PER_PAGE and len(second) == 3
    assert second[2].body == "Comment 0"


def test_comments_are_rate_limited(video, bob, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "comment": "1/1h/user"}
    services.comment_create(user=bob, video=video, body="One")

    with pytest.raises(services.RateLimited):
        services.comment_create(user=bob, video=video, body="Two")
    assert Comment.objects.count() == 1


# --- follows -----------------------------------------------------------------------------------
def test_follow_unfollow_and_counts(alice, bob, carol):
    services.follow_create(follower=bob, followee=alice)
    services.follow_create(follower=carol, followee=alice)

    assert selectors.follower_count(user=alice) == 2
    assert selectors.following_count(user=bob) == 1
    assert Notification.objects.filter(recipient=alice, verb="follow").count() == 2
    assert [f.follower for f in selectors.followers_page(user=alice)] == [carol, bob]

    services.follow_delete(follower=bob, followee=alice)
    assert selectors.follower_count(user=alice) == 1
    assert Notification.objects.filter(recipient=alice, verb="follow").count() == 1


def test_profile_follow_summary_counts_active_people_only(alice, bob, carol):
    services.follow_create(follower=bob, followee=alice)
    services.follow_create(follower=carol, followee=alice)
    services.follow_create(follower=alice, followee=carol)
    User.objects.filter(pk=carol.pk).update(is_active=False)

    assert selectors.follow_summary(viewer=bob, user=alice) == {
        "following": True,
        "followers": 1,
        "following_count": 0,
    }
    assert selectors.follow_summary(viewer=AnonymousUser(), user=alice)["following"] is False
    assert selectors.follow_summary(viewer=alice, user=bob) == {
        "following": False,
        "followers": 0,
        "following_count": 1,
    }


def test_following_yourself_or_twice_is_refused(alice, bob):
    with pytest.raises(services.SocialError, match="yourself"):
        services.follow_create(follower=alice, followee=alice)
    services.follow_create(follower=bob, followee=alice)
    with pytest.raises(services.AlreadyDone, match="already follow"):
        services.follow_create(follower=bob, followee=alice)
    with pytest.raises(services.AlreadyDone):
        services.follow_delete(follower=alice, followee=bob)
    assert Follow.objects.count() == 1


def test_follows_are_rate_limited(alice, bob, carol, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "follow": "1/1h/user"}
    services.follow_create(follower=bob, followee=alice)

    with pytest.raises(services.RateLimited):
        services.follow_create(follower=bob, followee=carol)
    assert Follow.objects.count() == 1


def test_suggested_creators_are_unfollowed_people_with_public_videos(alice, bob, carol, mod):
    video_of(alice)
    video_of(carol)
    video_of(mod, visibility=Video.Visibility.PRIVATE)
    services.follow_create(follower=mod, followee=carol)
    services.follow_create(follower=bob, followee=alice)

    assert selectors.suggested_creators(bob) == [carol]
    assert selectors.suggested_creators(mod) == [alice]
    assert selectors.suggested_creators(carol) == [alice]


def test_suggested_creators_rank_by_followers_then_fill_in_with_recent_publishers(bob, carol):
    popular, recent, older = (UserFactory(username=name) for name in ("pop", "recent", "older"))
    now = timezone.now()
    video_of(popular, published_at=now - timedelta(days=30))
    video_of(recent, published_at=now - timedelta(hours=1))
    video_of(older, published_at=now - timedelta(days=3))
    services.follow_create(follower=carol, followee=popular)

    assert selectors.suggested_creators(bob, limit=3) == [popular, recent, older]
    assert selectors.suggested_creators(bob, limit=2) == [popular, recent]


# --- notifications -----------------------------------------------------------------------------
def test_notifications_are_grouped(video, bob, carol, mod):
    dana = UserFactory(username="dana", display_name="Dana")
    for user in (bob, carol, mod, dana):
        services.like_create(user=user, video=video)
    services.follow_create(follower=bob, followee=video.owner)

    groups = selectors.notification_groups(user=video.owner)

    assert [g.text for g in groups] == [
        "Bob followed you",
        "Dana and 3 others liked your video “Sunset in five”",
    ]
    assert selectors.unread_notification_count(user=video.owner) == 5


def test_marking_notifications_read(video, bob, carol):
    services.like_create(user=bob, video=video)
    services.follow_create(follower=carol, followee=video.owner)
    first = Notification.objects.get(verb="like")

    assert services.notifications_mark_read(user=video.owner, ids=[first.pk]) == 1
    assert selectors.unread_notification_count(user=video.owner) == 1
    assert services.notifications_mark_read(user=bob) == 0  # nothing of bob's
    assert services.notifications_mark_read(user=video.owner) == 1
    assert selectors.unread_notification_count(user=video.owner) == 0


def test_nothing_arrives_from_muted_or_blocked_people(video, bob, carol):
    from accounts import services as accounts

    alice = video.owner
    accounts.mute_create(muter=alice, muted=bob)
    accounts.block_create(blocker=carol, blocked=alice)  # carol blocked alice
    services.like_create(user=bob, video=video)
    with pytest.raises((PermissionDenied, services.SocialError)):
        services.follow_create(follower=carol, followee=alice)

    assert not Notification.objects.filter(recipient=alice).exists()
    assert selectors.unread_notification_count(user=alice) == 0


def test_the_unread_badge_counts_what_the_list_shows(video, bob, carol):
    # News that came before a mute (or from someone now suspended) is hidden from the list;
    # the badge does not count it either.
    from accounts import services as accounts

    alice = video.owner
    services.like_create(user=bob, video=video)
    services.follow_create(follower=carol, followee=alice)
    accounts.mute_create(muter=alice, muted=bob)

    assert [g.text for g in selectors.notification_groups(user=alice)] == ["Carol followed you"]
    assert selectors.unread_notification_count(user=alice) == 1

    accounts.user_suspend(user=carol)
    assert selectors.notification_groups(user=alice) == []
    assert selectors.unread_notification_count(user=alice) == 0


def test_daily_digest_goes_to_those_who_asked_once_a_day(video, alice, bob, carol):
    services.notification_preference_update(user=alice, daily_digest=True, digest_follows=False)
    services.like_create(user=bob, video=video)
    services.follow_create(follower=carol, followee=alice)
    carol_video = video_of(carol, title="Carol's own")
    services.like_create(user=carol, video=carol_video)
    mail.outbox.clear()

    assert services.digests_send_due() == 1
    assert services.digests_send_due() == 0  # already sent today

    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "Bob liked your video “Sunset in five”" in message.body
    assert "followed you" not in message.body  # she left follows out
    assert carol_video.title not in message.body  # own like, not news
    later = timezone.now() + timedelta(days=1)
    assert services.digests_send_due(now=later) == 0  # nothing new since


def test_no_digest_without_asking(video, bob):
    services.like_create(user=bob, video=video)

    assert services.digests_send_due() == 0
    assert not mail.outbox

"""The social pages and fragments: each htmx endpoint answers a plain POST with a redirect
and an htmx POST with a fragment; other people get 403/404 and nothing changes."""

import pytest
from django.urls import reverse

from social import services
from social.models import Comment, Follow, Like, Notification
from tests.conftest import csrf_post
from tests.social.conftest import HX, video_of
from videos.models import Video

pytestmark = pytest.mark.django_db


def like_url(video):
    return reverse("social:like", args=[video.short_id])


def comments_url(video):
    return reverse("social:comments", args=[video.short_id])


# --- likes -------------------------------------------------------------------------------------
def test_like_without_js_returns_to_the_same_place(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, like_url(video), {"next": "/@alice?tab=videos"})

    assert response.status_code == 302
    assert response["Location"] == f"/@alice?tab=videos#like-button-{video.short_id}"
    assert Video.objects.get(pk=video.pk).like_count == 1


def test_like_with_htmx_swaps_the_button(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, like_url(video), {"next": "/"}, **HX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'aria-pressed="true"' in page
    assert "1 like" in page
    assert reverse("social:unlike", args=[video.short_id]) in page


def test_unlike_twice_ways(client, video, bob):
    services.like_create(user=bob, video=video)
    client.force_login(bob)

    plain = csrf_post(client, reverse("social:unlike", args=[video.short_id]), {"next": "/"})
    assert plain.status_code == 302
    services.like_create(user=bob, video=video)
    htmx = csrf_post(client, reverse("social:unlike", args=[video.short_id]), **HX)

    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()
    assert 'aria-pressed="false"' in htmx.content.decode()
    assert not Like.objects.exists()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_like_never_redirects_off_site(client, video, bob, next_url):
    client.force_login(bob)

    response = csrf_post(client, like_url(video), {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == f"/v/{video.short_id}#like-button-{video.short_id}"


def test_liking_twice_says_so_and_changes_nothing(client, video, bob):
    services.like_create(user=bob, video=video)
    client.force_login(bob)

    response = csrf_post(client, like_url(video), {"next": "/"}, **HX)

    assert "You already like this video." in response.content.decode()
    assert Video.objects.get(pk=video.pk).like_count == 1


def test_rate_limited_like_says_so(client, video, bob, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "like": "0/1m/user"}
    client.force_login(bob)

    response = csrf_post(client, like_url(video), {"next": "/"}, follow=True)

    assert "You are doing that too often." in response.content.decode()
    assert not Like.objects.exists()


def test_anonymous_like_goes_to_log_in(client, video):
    response = csrf_post(client, like_url(video), {"next": "/"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Like.objects.exists()


def test_private_video_cannot_be_liked_by_others(client, private_video, draft_video, carol):
    client.force_login(carol)
    for hidden in (private_video, draft_video):
        response = csrf_post(client, like_url(hidden))
        assert response.status_code == 404
    assert not Like.objects.exists()


def test_like_button_polls_without_the_page(client, video, bob):
    client.force_login(bob)

    assert client.get(like_url(video), **HX).status_code == 200
    assert client.get(like_url(video)).status_code == 302


# --- comments ----------------------------------------------------------------------------------
def test_comment_without_js_posts_and_returns(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, comments_url(video), {"body": "Lovely", "next": "/somewhere"})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/somewhere#comment-{comment.pk}"


def test_comment_with_htmx_returns_the_comments_fragment(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, comments_url(video), {"body": "Lovely @alice"}, **HX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert f'id="comments-{video.short_id}"' in page
    assert '<a href="/@alice" class="mention">@alice</a>' in page
    assert "1 comment" in page


def test_comment_text_is_always_escaped(client, video, bob):
    client.force_login(bob)
    body = '<script>alert("x")</script> @alice'

    csrf_post(client, comments_url(video), {"body": body})
    page = client.get(comments_url(video)).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "This field is required."), ("x" * 201, "at most 200 characters (this one has 201)")],
)
def test_bad_comments_get_a_clear_error(client, video, bob, body, message):
    client.force_login(bob)

    plain = csrf_post(client, comments_url(video), {"body": body})
    htmx = csrf_post(client, comments_url(video), {"body": body}, **HX)

    assert plain.status_code == 400 and message in plain.content.decode()
    assert htmx.status_code == 200 and message in htmx.content.decode()
    assert "<html" not in htmx.content.decode()
    assert not Comment.objects.exists()


def test_comments_off_means_no_form_and_no_comment(client, video, bob):
    Video.objects.filter(pk=video.pk).update(comments_enabled=False)
    client.force_login(bob)

    page = client.get(comments_url(video)).content.decode()
    response = csrf_post(client, comments_url(video), {"body": "Hello?"})

    assert "Comments are turned off for this video." in page
    assert 'name="body"' not in page
    assert response.status_code == 400
    assert "Comments are turned off" in response.content.decode()
    assert not Comment.objects.exists()


def test_reply_plain_and_htmx(client, video, bob, carol):
    comment = services.comment_create(user=bob, video=video, body="First")
    client.force_login(carol)

    plain = csrf_post(client, comments_url(video), {"body": "One", "parent": comment.pk})
    htmx = csrf_post(client, comments_url(video), {"body": "Two", "parent": comment.pk}, **HX)

    assert plain.status_code == 302
    page = htmx.content.decode()
    assert htmx.status_code == 200 and "<html" not in page
    assert f'id="comment-{comment.pk}"' in page and "One" in page and "Two" in page
    assert 'hx-swap-oob="true"' in page and "3 comments" in page


def test_reply_to_a_reply_is_refused(client, video, bob, carol):
    comment = services.comment_create(user=bob, video=video, body="First")
    reply = services.comment_create(user=carol, video=video, body="Second", parent=comment)
    client.force_login(bob)

    response = csrf_post(client, comments_url(video), {"body": "Third", "parent": reply.pk}, **HX)

    assert "You can reply to a comment, not to a reply." in response.content.decode()
    assert Comment.objects.count() == 2


def test_reply_to_a_comment_of_another_video_is_refused(client, video, bob, carol):
    elsewhere = services.comment_create(user=bob, video=video_of(carol), body="Elsewhere")
    client.force_login(bob)

    response = csrf_post(client, comments_url(video), {"body": "Hi", "parent": elsewhere.pk})

    assert response.status_code == 400
    assert "That comment was deleted." in response.content.decode()
    assert Comment.objects.count() == 1


def test_comments_on_private_or_missing_videos_are_404(client, private_video, carol):
    client.force_login(carol)

    assert csrf_post(client, comments_url(private_video), {"body": "Hi"}).status_code == 404
    assert csrf_post(client, "/v/nope/comments", {"body": "Hi"}).status_code == 404
    assert client.get(comments_url(private_video)).status_code == 404
    assert not Comment.objects.exists()


def test_comment_delete_plain_and_htmx(client, video, bob):
    first = services.comment_create(user=bob, video=video, body="First")
    second = services.comment_create(user=bob, video=video, body="Second")
    client.force_login(bob)
    url = reverse("social:comment_delete", args=[first.pk])

    plain = csrf_post(client, url, {"next": comments_url(video)})
    htmx = csrf_post(client, reverse("social:comment_delete", args=[second.pk]), **HX)

    assert plain.status_code == 302 and plain["Location"] == comments_url(video)
    assert htmx.status_code == 200
    assert "<html" not in htmx.content.decode()
    assert 'hx-swap-oob="true"' in htmx.content.decode() and "0 comments" in htmx.content.decode()
    assert not Comment.objects.exists()


def test_creator_may_delete_any_comment_on_their_video(client, video, bob, alice):
    comment = services.comment_create(user=bob, video=video, body="Rude")
    client.force_login(alice)

    response = csrf_post(client, reverse("social:comment_delete", args=[comment.pk]))

    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_someone_else_cannot_delete_a_comment(client, video, bob, carol):
    comment = services.comment_create(user=bob, video=video, body="Mine")
    client.force_login(carol)

    response = csrf_post(client, reverse("social:comment_delete", args=[comment.pk]))

    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert Video.objects.get(pk=video.pk).comment_count == 1


def test_comments_page_lists_sorts_and_pages(client, video, bob):
    for n in range(22):
        services.comment_create(user=bob, video=video, body=f"Comment number {n}")

    page = client.get(comments_url(video)).content.decode()
    fragment = client.get(comments_url(video) + "?page=2&sort=top", **HX).content.decode()

    assert page.count("<h1") == 1
    assert "Comment number 21" in page and "Comment number 0<" not in page
    assert "Next page" in page
    assert "<html" not in fragment and "Comment number 0" in fragment
    assert 'data-live-insert="false"' in fragment


def test_anonymous_sees_comments_and_a_log_in_link(client, video, bob):
    services.comment_create(user=bob, video=video, body="Hi all")

    page = client.get(comments_url(video)).content.decode()

    assert "Hi all" in page
    assert "Sign in to comment" in page and "Sign in to like" in page
    assert 'name="body"' not in page


# --- follows -----------------------------------------------------------------------------------
def test_follow_plain_and_htmx(client, alice, bob, carol):
    client.force_login(bob)

    plain = csrf_post(client, reverse("social:follow", args=["alice"]))
    htmx = csrf_post(client, reverse("social:follow", args=["carol"]), **HX)

    # Back to the same button, which now says "Following" (pressed).
    assert plain.status_code == 302 and plain["Location"] == "/@alice#follow-button-alice"
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()
    assert 'aria-pressed="true"' in htmx.content.decode()
    assert 'id="follow-button-carol"' in htmx.content.decode()
    assert "Following" in htmx.content.decode()
    # The profile's count changes at once (out of band).
    assert 'id="follower-count-carol" hx-swap-oob="true"><strong>1</strong> follower<' in (
        htmx.content.decode()
    )
    assert Follow.objects.filter(follower=bob).count() == 2


def test_unfollow_plain_and_htmx(client, alice, bob, carol):
    services.follow_create(follower=bob, followee=alice)
    services.follow_create(follower=bob, followee=carol)
    client.force_login(bob)

    plain = csrf_post(client, reverse("social:unfollow", args=["alice"]), {"next": "/"})
    htmx = csrf_post(client, reverse("social:unfollow", args=["carol"]), **HX)

    assert plain.status_code == 302 and plain["Location"] == "/#follow-button-alice"
    assert 'aria-pressed="false"' in htmx.content.decode()
    assert "Following" not in htmx.content.decode()
    assert not Follow.objects.exists()


def test_following_yourself_or_a_missing_user(client, alice):
    client.force_login(alice)

    self_follow = csrf_post(client, reverse("social:follow", args=["alice"]), **HX)
    missing = csrf_post(client, reverse("social:follow", args=["nobody"]))

    assert "You cannot follow yourself." in self_follow.content.decode()
    assert missing.status_code == 404
    assert not Follow.objects.exists()


def test_profile_shows_counts_follow_button_and_lists(client, alice, bob, carol):
    services.follow_create(follower=bob, followee=alice)
    services.follow_create(follower=alice, followee=carol)
    client.force_login(carol)

    profile = client.get("/@alice").content.decode()
    followers = client.get("/@alice/followers").content.decode()
    following = client.get("/@alice/following").content.decode()

    assert "<strong>1</strong> follower" in profile and "<strong>1</strong> following" in profile
    assert 'aria-pressed="false"' in profile
    assert '<span class="person__username">@bob</span>' in followers
    assert '<span class="person__username">@carol</span>' not in followers
    assert '<span class="person__username">@carol</span>' in following
    assert client.get("/@nobody/followers").status_code == 404


# --- notifications -----------------------------------------------------------------------------
def test_notifications_page_badge_and_mark_read(client, video, alice, bob, carol):
    services.like_create(user=bob, video=video)
    services.like_create(user=carol, video=video)
    client.force_login(alice)

    home = client.get("/").content.decode()
    page = client.get(reverse("social:notifications")).content.decode()

    assert 'id="notification-badge"' in home and "(2 unread)" in home
    assert "Carol and 1 other liked your video “Sunset in five”" in page

    plain = csrf_post(client, reverse("social:notifications_read"))
    assert plain.status_code == 302
    services.follow_create(follower=bob, followee=alice)
    htmx = csrf_post(client, reverse("social:notifications_read"), **HX)
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()
    assert not Notification.objects.filter(read_at=None).exists()


def test_notifications_need_an_account_and_are_private(client, video, bob):
    services.like_create(user=bob, video=video)

    assert client.get(reverse("social:notifications")).status_code == 302
    client.force_login(bob)
    assert "liked your video" not in client.get(reverse("social:notifications")).content.decode()
    csrf_post(client, reverse("social:notifications_read"))
    assert Notification.objects.filter(read_at=None).count() == 1


def test_email_preferences_are_saved(client, alice):
    client.force_login(alice)
    url = reverse("social:notification_settings")

    assert client.get(url).status_code == 200
    response = csrf_post(client, url, {"daily_digest": "on", "digest_likes": "on"})

    assert response.status_code == 302
    preference = alice.notification_preference
    assert preference.daily_digest and preference.digest_likes
    assert not preference.digest_follows

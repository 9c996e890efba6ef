"""Likes, comments and follows where people meet videos: the video page, the cards of the
feeds and the feed's watch mode. Every control is a real form that works without JavaScript
and comes back to the page it was on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from social import services
from social.models import Follow, Like
from tests.conftest import csrf_post
from tests.factories import UserFactory
from tests.social.conftest import HX, video_of

pytestmark = pytest.mark.django_db


def watch_url(video):
    return reverse("videos:watch", args=[video.short_id])


# --- the video page ----------------------------------------------------------------------------
def test_video_page_has_the_like_button_follow_button_and_comments(client, video, bob, carol):
    services.comment_create(user=carol, video=video, body="Lovely light, @bob")
    client.force_login(bob)

    page = client.get(watch_url(video)).content.decode()

    assert f'id="like-{video.short_id}"' in page
    assert f'data-live-video="{video.short_id}"' in page  # joins the video's live group
    assert f'action="{reverse("social:like", args=[video.short_id])}"' in page
    assert f'action="{reverse("social:follow", args=["alice"])}"' in page
    assert f'id="comments-{video.short_id}"' in page
    assert "Lovely light" in page
    assert 'href="/@bob" class="mention"' in page
    assert f'name="next" value="{watch_url(video)}"' in page
    assert page.count("<h1") == 1


def test_video_page_shows_what_the_viewer_already_did(client, video, bob):
    services.like_create(user=bob, video=video)
    services.follow_create(follower=bob, followee=video.owner)
    client.force_login(bob)

    page = client.get(watch_url(video)).content.decode()

    assert f'action="{reverse("social:unlike", args=[video.short_id])}"' in page
    assert f'action="{reverse("social:unfollow", args=["alice"])}"' in page
    assert "1 like" in page


def test_like_from_the_video_page_without_js_comes_back_to_it(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, reverse("social:like", args=[video.short_id]),
                         {"next": watch_url(video)})  # fmt: skip

    # Back to the same button: the browser scrolls to it and focuses it.
    assert response.status_code == 302
    assert response["Location"] == f"{watch_url(video)}#like-button-{video.short_id}"
    assert Like.objects.filter(user=bob, video=video).exists()


def test_comment_from_the_video_page_without_js_comes_back_to_it(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, reverse("social:comments", args=[video.short_id]),
                         {"body": "Hi!", "next": watch_url(video)})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"].startswith(watch_url(video) + "#comment-")


def test_visitors_see_counts_and_log_in_links_on_the_video_page(client, video):
    page = client.get(watch_url(video)).content.decode()

    assert "0 likes" in page
    assert "Sign in to like" in page and "Sign in to follow" in page
    assert "Sign in to comment" in page


def test_creator_sees_no_follow_button_for_themselves(client, video, alice):
    client.force_login(alice)

    page = client.get(watch_url(video)).content.decode()

    assert reverse("social:follow", args=["alice"]) not in page


def test_comments_off_on_the_video_page(client, video, bob):
    video.comments_enabled = False
    video.save()
    client.force_login(bob)

    page = client.get(watch_url(video)).content.decode()

    assert "Comments are turned off for this video." in page
    assert "Post comment" not in page


# --- cards and the feed's watch mode -----------------------------------------------------------
def test_cards_have_like_and_follow_forms_with_the_viewers_state(client, alice, bob, carol):
    liked = video_of(alice, title="Liked one")
    other = video_of(carol, title="Other one")
    services.like_create(user=bob, video=liked)
    services.follow_create(follower=bob, followee=alice)
    client.force_login(bob)

    page = client.get("/latest").content.decode()

    assert f'action="{reverse("social:unlike", args=[liked.short_id])}"' in page
    assert f'action="{reverse("social:like", args=[other.short_id])}"' in page
    assert f'action="{reverse("social:unfollow", args=["alice"])}"' in page
    assert f'action="{reverse("social:follow", args=["carol"])}"' in page
    # One follow control per card, each with its own id.
    assert f'id="follow-alice-{liked.short_id}"' in page
    assert 'name="next" value="/latest"' in page
    # Cards do not each open a socket.
    assert "data-live-video" not in page


def test_a_card_like_without_js_returns_to_the_feed(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, reverse("social:like", args=[video.short_id]),
                         {"next": "/latest?view=grid", "compact": "1"})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == f"/latest?view=grid#like-button-{video.short_id}"


def test_a_card_like_with_htmx_swaps_the_compact_button(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, reverse("social:like", args=[video.short_id]),
                         {"next": "/latest", "compact": "1"}, **HX)  # fmt: skip

    body = response.content.decode()
    assert "<html" not in body
    assert "like--compact" in body and 'aria-pressed="true"' in body
    assert "data-live-video" not in body


def test_a_card_follow_with_htmx_keeps_its_own_id(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, reverse("social:follow", args=["alice"]),
                         {"next": "/latest", "scope": video.short_id}, **HX)  # fmt: skip

    body = response.content.decode()
    assert f'id="follow-alice-{video.short_id}"' in body
    assert 'aria-pressed="true"' in body
    assert Follow.objects.filter(follower=bob, followee__username="alice").exists()


def test_a_forged_scope_is_dropped(client, video, bob):
    client.force_login(bob)

    response = csrf_post(client, reverse("social:follow", args=["alice"]),
                         {"scope": '"><script>x</script>'}, **HX)  # fmt: skip

    assert 'id="follow-alice"' in response.content.decode()
    assert "<script>x" not in response.content.decode()


def test_feed_watch_mode_items_have_like_and_follow(client, video, bob):
    client.force_login(bob)

    page = client.get("/latest?view=watch").content.decode()

    assert 'class="watch-item"' in page
    assert f'data-like-form data-video-id="{video.short_id}"' in page
    assert f'id="follow-alice-{video.short_id}"' in page


def test_liked_state_costs_the_same_queries_whatever_the_page_size(client, bob):
    client.force_login(bob)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/latest").status_code == 200
        return len(queries)

    def add(count):
        for _ in range(count):
            video = video_of(UserFactory())
            services.like_create(user=bob, video=video)
            services.follow_create(follower=bob, followee=video.owner)

    add(2)
    few = count_queries()
    add(8)
    many = count_queries()

    assert few == many

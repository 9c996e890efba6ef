"""Feed cards come from a cache (feeds/cards.py) and still tell the truth on the next page: a
like, an edit and a removal show at once; each viewer gets their own state, their own CSRF
token and their own way back."""

import re

import pytest

from feeds import cards
from social import services as social
from tests.factories import published_video
from videos import services as videos

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """How many cards were rendered (rather than read from the cache)."""
    count = [0]
    real = cards._render

    def counting(**kwargs):
        count[0] += 1
        return real(**kwargs)

    monkeypatch.setattr(cards, "_render", counting)
    return count


def page(client, path="/latest"):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def card_of(html, video):
    start = html.index(f'aria-labelledby="card-{video.short_id}"')
    return html[start : html.index("</article>", start)]


def test_the_second_page_view_renders_no_card(client, bob, alice, renders):
    for n in range(3):
        published_video(alice, title=f"Clip {n}")
    client.force_login(bob)
    page(client)
    assert renders[0] == 3

    page(client)

    assert renders[0] == 3


def test_a_like_shows_on_the_next_page(client, bob, alice):
    video = published_video(alice, title="Rainy balcony")
    client.force_login(bob)
    before = card_of(page(client), video)
    assert 'aria-pressed="false"' in before and "0 likes" in before

    social.like_create(user=bob, video=video)

    after = card_of(page(client), video)
    assert 'aria-pressed="true"' in after and "1 like" in after
    assert f"/v/{video.short_id}/unlike" in after


def test_another_viewer_does_not_get_the_likers_state(client, bob, carol, alice):
    video = published_video(alice, title="Rainy balcony")
    social.like_create(user=bob, video=video)
    client.force_login(bob)
    page(client)

    client.force_login(carol)
    theirs = card_of(page(client), video)

    assert 'aria-pressed="false"' in theirs and "1 like" in theirs


def test_an_edit_shows_on_the_next_page(client, bob, alice):
    video = published_video(alice, title="Old title")
    client.force_login(bob)
    page(client)

    videos.video_update(
        video=video, by=alice, title="New title", description="",
        visibility=video.visibility, comments_enabled=True,
    )  # fmt: skip

    html = page(client)
    assert "New title" in html and "Old title" not in html


def test_a_removed_video_is_gone_from_the_next_page(client, bob, alice):
    kept = published_video(alice, title="Kept clip")
    removed = published_video(alice, title="Removed clip")
    client.force_login(bob)
    assert "Removed clip" in page(client)

    videos.video_delete(video=removed, by=alice)

    html = page(client)
    assert "Removed clip" not in html and kept.title in html


def test_a_follow_shows_on_the_next_page(client, bob, alice):
    video = published_video(alice, title="Rainy balcony")
    client.force_login(bob)
    page(client)

    social.follow_create(follower=bob, followee=alice)

    assert "/@alice/unfollow" in card_of(page(client), video)


def test_a_cached_card_carries_a_working_csrf_token_of_this_viewer(client, bob, carol, alice):
    video = published_video(alice, title="Rainy balcony")
    client.force_login(carol)
    page(client)  # cached in the state bob shares (signed in, no like, no follow)
    client.logout()
    client.force_login(bob)

    html = card_of(page(client), video)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert token != cards.CSRF_PLACEHOLDER
    response = client.post(
        f"/v/{video.short_id}/like", {"csrfmiddlewaretoken": token, "next": "/latest"}
    )

    assert response.status_code == 302
    assert video.likes.filter(user=bob).exists()


def test_a_cached_card_returns_to_the_page_it_is_on(client, bob, alice):
    published_video(alice, title="Rainy balcony")
    page(client, "/latest")  # a visitor's card, cached with the placeholder

    html = page(client, "/latest?date=week")
    assert "next=/latest%3Fdate%3Dweek" in html
    assert cards.NEXT_FULL_PLACEHOLDER not in html

    client.force_login(bob)
    html = page(client, "/latest?date=week")
    assert 'name="next" value="/latest?date=week"' in html
    assert cards.NEXT_FULL_PLACEHOLDER not in html and cards.CSRF_PLACEHOLDER not in html


def test_the_creator_gets_no_follow_button_on_their_own_card(client, bob, alice):
    video = published_video(alice, title="Rainy balcony")
    client.force_login(bob)
    page(client)

    client.force_login(alice)
    mine = card_of(page(client), video)

    assert "/@alice/follow" not in mine


def test_the_cache_can_be_switched_off(client, bob, alice, renders, settings):
    settings.CARD_CACHE_SECONDS = 0
    published_video(alice, title="Clip")
    client.force_login(bob)
    page(client)
    page(client)

    assert renders[0] == 2


def test_a_block_shows_on_the_next_page(client, bob, alice, carol):
    from accounts import services as accounts

    published_video(alice, title="Alice clip")
    published_video(carol, title="Carol clip")
    client.force_login(bob)
    assert "Alice clip" in page(client)

    accounts.block_create(blocker=bob, blocked=alice)

    html = page(client)
    assert "Alice clip" not in html and "Carol clip" in html

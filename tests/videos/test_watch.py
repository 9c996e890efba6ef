"""The video page at /v/<short_id>: who may see it, and what it shows."""

from datetime import UTC, datetime

import pytest

from tests.factories import published_video
from videos.models import Video
from videos.services import _set_description_links

pytestmark = pytest.mark.django_db


def test_public_video_page_shows_player_details_and_share_tags(client, alice, bob):
    video = published_video(
        alice, title="Sunset <i>loop</i>", description="Golden #Sunset with @bob & @ghost"
    )
    _set_description_links(video)

    response = client.get(f"/v/{video.short_id}")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in page and "Sunset &lt;i&gt;loop&lt;/i&gt;" in page
    assert "data-player" in page and 'src="/media/videos/x/v1/fallback.mp4"' in page
    assert 'data-hls="/media/videos/x/v1/master.m3u8"' in page
    assert 'data-events-url="/events"' in page
    assert f'<link rel="canonical" href="http://testserver/v/{video.short_id}">' in page
    assert 'property="og:image" content="http://testserver/media/videos/x/v1/poster.jpg"' in page
    assert 'name="twitter:card" content="player"' in page
    assert '<a href="/tag/sunset">#Sunset</a>' in page
    assert '<a href="/@bob">@bob</a>' in page
    assert "@ghost" in page and 'href="/@ghost"' not in page  # no such user: no link
    assert "&amp;" in page
    assert 'href="/@alice"' in page
    assert "0 views" in page


@pytest.mark.parametrize(
    "fields",
    [
        {"visibility": Video.Visibility.PRIVATE},
        {"published_at": None},
        {"status": Video.Status.PROCESSING},
        {"status": Video.Status.FAILED},
    ],
    ids=["private", "draft", "processing", "failed"],
)
def test_what_a_viewer_may_not_see_is_404(client, alice, bob, fields):
    video = published_video(alice, **fields)
    client.force_login(bob)

    response = client.get(f"/v/{video.short_id}")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unknown_or_deleted_video_is_404(client, alice):
    video = published_video(alice)
    short_id = video.short_id
    video.delete()

    assert client.get(f"/v/{short_id}").status_code == 404
    assert client.get("/v/doesnotexist").status_code == 404


def test_unlisted_video_plays_for_anyone_with_the_link_but_is_not_indexed(client, alice):
    video = published_video(alice, visibility=Video.Visibility.UNLISTED)

    response = client.get(f"/v/{video.short_id}")

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"


def test_creator_sees_their_private_video_and_is_sent_to_the_studio_for_drafts(client, alice):
    private = published_video(alice, visibility=Video.Visibility.PRIVATE)
    processing = published_video(alice, status=Video.Status.PROCESSING, published_at=None)
    client.force_login(alice)

    assert client.get(f"/v/{private.short_id}").status_code == 200
    response = client.get(f"/v/{processing.short_id}")
    assert response.status_code == 302
    assert response["Location"] == f"/studio/{processing.short_id}/"


def test_hashtag_page_lists_only_public_published_videos(client, alice):
    shown = published_video(alice, title="Shown", description="#cats")
    hidden = published_video(
        alice, title="Hidden", description="#cats", visibility=Video.Visibility.PRIVATE
    )
    draft = published_video(alice, title="Draft", description="#cats", published_at=None)
    for video in (shown, hidden, draft):
        _set_description_links(video)

    page = client.get("/tag/Cats").content.decode()

    assert "#cats" in page
    assert "Shown" in page
    assert "Hidden" not in page and "Draft" not in page
    assert "No public videos with #nothing yet." in client.get("/tag/nothing").content.decode()


def test_published_date_is_localised(client, alice):
    video = published_video(alice, published_at=datetime(2026, 3, 9, tzinfo=UTC))

    english = client.get(f"/v/{video.short_id}").content.decode()
    spanish = client.get(f"/v/{video.short_id}", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "March 9, 2026" in english
    assert "9 de marzo de 2026" in spanish

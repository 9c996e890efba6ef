"""Sharing a video: Open Graph and Twitter card tags, the embeddable player at /embed/<id>,
oEmbed at /oembed, and previous/next on the video page."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from tests.factories import published_video
from videos.models import Video

pytestmark = pytest.mark.django_db


def test_share_tags_are_absolute_on_local_storage(client, alice):
    video = published_video(alice, title="Sunset")

    page = client.get(f"/v/{video.short_id}").content.decode()

    poster = "http://testserver/media/videos/x/v1/poster.jpg"
    assert f'<meta property="og:image" content="{poster}">' in page
    assert f'<meta name="twitter:image" content="{poster}">' in page
    mp4 = "http://testserver/media/videos/x/v1/fallback.mp4"
    assert f'<meta property="og:video" content="{mp4}">' in page
    assert "og:video:secure_url" not in page  # the MP4 is not on https here
    embed = f"http://testserver/embed/{video.short_id}"
    assert f'<meta name="twitter:player" content="{embed}">' in page
    assert '<meta property="og:video:width" content="720">' in page


def test_share_tags_keep_media_urls_that_are_absolute_already(client, alice, monkeypatch):
    # S3 or a CDN answers absolute URLs: the host must not be put in front of them.
    video = published_video(alice)
    monkeypatch.setattr(default_storage, "url", lambda name: f"https://cdn.example.net/{name}")

    page = client.get(f"/v/{video.short_id}").content.decode()

    assert 'property="og:image" content="https://cdn.example.net/videos/x/v1/poster.jpg"' in page
    assert 'property="og:video" content="https://cdn.example.net/videos/x/v1/fallback.mp4"' in page
    mp4 = "https://cdn.example.net/videos/x/v1/fallback.mp4"
    assert f'property="og:video:secure_url" content="{mp4}"' in page
    assert "testserverhttps" not in page and "http://testserverhttps" not in page


def test_the_video_page_may_not_be_framed_but_the_embed_may(client, alice):
    video = published_video(alice, title="Embed me")

    page = client.get(f"/v/{video.short_id}")
    embed = client.get(f"/embed/{video.short_id}")

    assert page["X-Frame-Options"] == "DENY"
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    html = embed.content.decode()
    assert "data-player" in html and 'src="/media/videos/x/v1/fallback.mp4"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "site-header" not in html  # the player alone


@pytest.mark.parametrize(
    "fields",
    [
        {"visibility": Video.Visibility.PRIVATE},
        {"published_at": None},
        {"status": Video.Status.PROCESSING},
    ],
    ids=["private", "draft", "processing"],
)
def test_only_videos_anyone_may_watch_can_be_embedded(client, alice, fields):
    video = published_video(alice, **fields)
    client.force_login(alice)  # not even their creator embeds a draft

    assert client.get(f"/embed/{video.short_id}").status_code == 404
    oembed = client.get("/oembed", {"url": f"http://testserver/v/{video.short_id}"})
    assert oembed.status_code == 404


def test_oembed_describes_the_video_and_its_iframe(client, alice):
    video = published_video(alice, title="Golden hour")
    page_url = f"http://testserver/v/{video.short_id}"

    response = client.get("/oembed", {"url": page_url, "format": "json"})

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["version"] == "1.0" and data["type"] == "video"
    assert data["title"] == "Golden hour" and data["provider_name"] == "Microvid"
    assert data["author_name"] == alice.name
    assert data["author_url"] == "http://testserver/@alice"
    assert (data["width"], data["height"]) == (325, 578)  # portrait
    assert f'src="http://testserver/embed/{video.short_id}"' in data["html"]
    assert data["thumbnail_url"] == "http://testserver/media/videos/x/v1/poster.jpg"
    # The video page announces it.
    page = client.get(f"/v/{video.short_id}").content.decode()
    assert 'rel="alternate" type="application/json+oembed"' in page
    assert f"/oembed?url=http%3A%2F%2Ftestserver%2Fv%2F{video.short_id}" in page


def test_oembed_fits_maxwidth_and_keeps_the_shape(client, alice):
    video = published_video(alice, width=1280, height=720)

    data = client.get(
        "/oembed", {"url": f"http://testserver/v/{video.short_id}", "maxwidth": "280"}
    ).json()

    assert (data["width"], data["height"]) == (280, 157)


@pytest.mark.parametrize(
    "url",
    ["http://testserver/@alice", "http://elsewhere.example/v/abc", "not a url", ""],
    ids=["not-a-video", "other-site", "garbage", "missing"],
)
def test_oembed_refuses_what_is_not_one_of_our_video_pages(client, alice, url):
    published_video(alice)

    assert client.get("/oembed", {"url": url}).status_code == 404


def test_oembed_offers_json_only(client, alice):
    video = published_video(alice)

    response = client.get(
        "/oembed", {"url": f"http://testserver/v/{video.short_id}", "format": "xml"}
    )

    assert response.status_code == 501


def test_unlisted_video_page_has_no_oembed_discovery(client, alice):
    video = published_video(alice, visibility=Video.Visibility.UNLISTED)

    page = client.get(f"/v/{video.short_id}").content.decode()

    assert "json+oembed" not in page


def test_video_page_links_the_creators_newer_and_older_videos(client, alice, bob):
    older = published_video(alice, title="First")
    middle = published_video(alice, title="Second")
    newer = published_video(alice, title="Third")
    for n, video in enumerate((older, middle, newer)):
        video.published_at = video.published_at - timedelta(hours=3 - n)
        video.save()
    published_video(bob, title="Not hers")
    published_video(alice, title="Secret", visibility=Video.Visibility.PRIVATE)

    page = client.get(f"/v/{middle.short_id}").content.decode()
    first = client.get(f"/v/{older.short_id}").content.decode()

    assert f'rel="prev" href="/v/{newer.short_id}"' in page
    assert f'rel="next" href="/v/{older.short_id}"' in page
    assert 'rel="next"' not in first and f'rel="prev" href="/v/{middle.short_id}"' in first
    assert "Not hers" not in page and "Secret" not in page


@override_settings(LANGUAGE_CODE="en")
def test_the_rail_menu_offers_not_interested_report_and_the_comments_page(client, alice, bob):
    video = published_video(alice)
    client.force_login(bob)

    page = client.get(f"/v/{video.short_id}").content.decode()

    assert "Not interested" in page and "Report this video" in page
    assert f'href="/v/{video.short_id}/comments"' in page  # the comments on a page of their own

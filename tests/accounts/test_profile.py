"""Profiles: the public page at /@username and editing your own."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.images import AvatarRejected, avatar_from_upload
from tests.conftest import csrf_post
from tests.factories import published_video
from videos.models import Video

pytestmark = pytest.mark.django_db


def image_upload(name="me.png", size=(600, 400), fmt="PNG", mode="RGB", **save_args):
    buffer = io.BytesIO()
    Image.new(mode, size, color="purple" if mode == "RGB" else 1).save(buffer, fmt, **save_args)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def edit(client, **data):
    fields = {"display_name": "Alice A.", "bio": "Hi", **data}
    return csrf_post(client, reverse("accounts:profile_edit"), fields)


def test_public_profile_shows_name_bio_and_default_avatar(client, alice):
    alice.bio = "Short clips of long walks."
    alice.save()

    response = client.get("/@alice")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Alice" in page and "@alice" in page and "Short clips of long walks." in page
    assert "img/avatar-default.svg" in page


def test_profile_url_is_case_insensitive_and_redirects_to_the_canonical_name(client, alice):
    response = client.get("/@ALICE")

    assert response.status_code == 301
    assert response["Location"] == "/@alice"


def test_unknown_or_deactivated_profile_is_404(client, alice):
    assert client.get("/@nobody").status_code == 404
    alice.is_active = False
    alice.save()
    assert client.get("/@alice").status_code == 404


def test_editing_needs_login(client):
    response = client.get(reverse("accounts:profile_edit"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_edit_profile_with_avatar(client, alice):
    client.force_login(alice)

    response = edit(client, display_name="Alice Liddell", bio="Down the rabbit hole.",
                    avatar=image_upload(size=(640, 480)))  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == "/@alice"
    alice.refresh_from_db()
    assert alice.display_name == "Alice Liddell"
    assert alice.bio == "Down the rabbit hole."
    with alice.avatar.open() as stored:
        avatar = Image.open(stored)
        assert avatar.format == "WEBP"
        assert avatar.size == (256, 256)
    page = client.get("/@alice").content.decode()
    assert alice.avatar.url in page
    assert "Your profile was saved." in page


def test_replacing_and_removing_the_avatar_deletes_old_files(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    edit(client, avatar=image_upload())
    alice.refresh_from_db()
    first = alice.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        edit(client, avatar=image_upload(fmt="JPEG", name="x.jpg"))
    alice.refresh_from_db()
    assert alice.avatar.name != first
    assert not alice.avatar.storage.exists(first)

    second = alice.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        edit(client, remove_avatar="on")
    alice.refresh_from_db()
    assert not alice.avatar
    assert not alice.avatar.storage.exists(second)


def test_bio_with_html_is_stored_as_text_and_escaped(client, alice):
    client.force_login(alice)
    edit(client, bio='<script>alert("x")</script><b>bold</b>')

    page = client.get("/@alice").content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


def test_too_long_bio_is_refused_and_nothing_changes(client, alice):
    client.force_login(alice)

    response = edit(client, display_name="Changed", bio="x" * 161)

    assert response.status_code == 200
    assert "at most 160 characters" in response.content.decode()
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    assert alice.bio == ""


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.png", b"just some text", content_type="image/png"), "not an image"),
        (SimpleUploadedFile("a.png", b"", content_type="image/png"), "empty"),
        (
            SimpleUploadedFile("a.png", b"\0" * (50 * 1024 * 1024), content_type="image/png"),
            "too large",
        ),
    ],
    ids=["text-named-png", "empty", "50MB"],
)
def test_bad_avatar_gets_a_clear_message_and_nothing_is_saved(client, alice, upload, message):
    client.force_login(alice)

    response = edit(client, display_name="Changed", avatar=upload)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Accepted: a JPEG, PNG, WebP or GIF image up to 5.0\xa0MB." in page
    assert 'aria-invalid="true"' in page
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    assert not alice.avatar


def test_decompression_bomb_is_refused_before_decoding(alice):
    # 1-bit pixels compress to almost nothing: a small file that would decode to 400 Mpx.
    bomb = image_upload(size=(20_000, 20_000), mode="1", optimize=True)
    assert bomb.size < 200_000

    with pytest.raises(AvatarRejected, match=r"too large|too many pixels"):
        avatar_from_upload(bomb)


def test_avatar_from_unaccepted_format_is_refused(alice):
    with pytest.raises(AvatarRejected, match="format is not accepted"):
        avatar_from_upload(image_upload(fmt="TIFF", name="a.tif"))


def test_avatar_keeps_no_exif_location(alice):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS info
    upload = image_upload(fmt="JPEG", name="gps.jpg", exif=exif)

    avatar = avatar_from_upload(upload)

    assert not Image.open(io.BytesIO(avatar.content.read())).getexif()


def test_another_user_cannot_edit_alices_profile(client, alice, bob):
    # The edit page only ever edits the signed-in user: there is no id to tamper with.
    client.force_login(bob)
    edit(client, display_name="Hacked", user="alice", username="alice")

    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.display_name == "Alice"
    assert bob.display_name == "Hacked"


def test_profile_lists_the_creators_public_videos_newest_first(client, alice, bob):

    now = timezone.now()
    older = published_video(alice, title="Older walk", published_at=now - timedelta(hours=2))
    newer = published_video(alice, title="Newer walk", published_at=now - timedelta(hours=1))
    published_video(alice, title="Secret walk", visibility=Video.Visibility.PRIVATE)
    published_video(alice, title="Draft walk", published_at=None)
    published_video(bob, title="Bob's walk")

    page = client.get("/@alice").content.decode()

    assert page.index(newer.title) < page.index(older.title)
    assert "Secret walk" not in page and "Draft walk" not in page and "Bob&#x27;s walk" not in page


def test_profile_videos_page_with_a_next_link_and_htmx_fragment(client, alice, settings):

    settings.FEED_PAGE_SIZE = 2
    now = timezone.now()
    for n in range(3):
        published_video(alice, title=f"Walk {n}", published_at=now - timedelta(hours=n))

    first = client.get("/@alice")
    next_url = first.context["next_url"]
    fragment = client.get(next_url, headers={"HX-Request": "true"})

    assert [v.title for v in first.context["page"].videos] == ["Walk 0", "Walk 1"]
    assert next_url.startswith("/@alice?cursor=")
    assert fragment.status_code == 200
    assert "Walk 2" in fragment.content.decode()
    assert "<h1" not in fragment.content.decode()  # only the items, not a whole page


def test_profile_with_a_tampered_cursor_shows_the_first_videos(client, alice):

    published_video(alice, title="Only walk")

    response = client.get("/@alice?cursor=forged")

    assert response.status_code == 200
    assert "Only walk" in response.content.decode()


def test_own_empty_profile_offers_an_upload(client, alice):
    client.force_login(alice)

    page = client.get("/@alice").content.decode()

    assert "You have not published any videos yet." in page
    assert reverse("videos:upload") in page

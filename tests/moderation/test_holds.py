"""Automatic holds: a re-upload of a removed clip (by its poster's perceptual hash) and a new
account's first uploads."""

import pytest
from django.core.exceptions import PermissionDenied
from PIL import Image, ImageEnhance

from moderation import services
from moderation.models import Fingerprint
from moderation.receivers import hold_reuploads_and_first_uploads
from tests.factories import published_video
from videos import selectors
from videos.models import Video
from videos.services import dhash_distance, image_dhash

pytestmark = pytest.mark.django_db


def picture(path, seed: int):
    image = Image.new("L", (64, 64))
    image.frombytes(bytes(((x * seed) ^ (y * 7)) % 256 for y in range(64) for x in range(64)))
    image.convert("RGB").save(path)
    return path


def test_the_hash_survives_rescaling_and_brightening_but_tells_clips_apart(tmp_path):
    original = picture(tmp_path / "a.png", 3)
    with Image.open(original) as image:
        ImageEnhance.Brightness(image.resize((200, 200))).enhance(1.1).save(tmp_path / "b.jpg")
    other = picture(tmp_path / "c.png", 11)

    same = dhash_distance(image_dhash(original), image_dhash(tmp_path / "b.jpg"))
    different = dhash_distance(image_dhash(original), image_dhash(other))

    assert same <= 6 < different


def test_a_reupload_of_a_removed_video_is_held(alice, mod, tmp_path):
    poster_hash = image_dhash(picture(tmp_path / "a.png", 3))
    removed = published_video(alice, poster_hash=poster_hash)
    services.action_take(moderator=mod, kind="remove", note="Violent", video=removed)
    assert Fingerprint.objects.filter(poster_hash=poster_hash).exists()
    again = published_video(alice, title="Again", poster_hash=poster_hash ^ 0b101)

    hold_reuploads_and_first_uploads(sender=Video, video=again)

    again.refresh_from_db()
    assert again.moderation_state == Video.ModerationState.HELD
    assert not selectors.videos_public().filter(pk=again.pk).exists()
    # Its creator still sees it; nobody else does.
    assert selectors.video_is_visible_to(video=again, user=alice)
    assert not selectors.video_is_visible_to(video=again, user=mod)


def test_an_unrelated_video_is_not_held(alice, mod, tmp_path):
    removed = published_video(alice, poster_hash=image_dhash(picture(tmp_path / "a.png", 3)))
    services.action_take(moderator=mod, kind="remove", note="Violent", video=removed)
    other = published_video(alice, poster_hash=image_dhash(picture(tmp_path / "c.png", 11)))

    hold_reuploads_and_first_uploads(sender=Video, video=other)

    assert Video.objects.get(pk=other.pk).moderation_state == Video.ModerationState.VISIBLE


def test_a_new_accounts_first_uploads_are_held_when_the_setting_says_so(alice, settings):
    settings.MODERATION_HOLD_FIRST_UPLOADS = 1
    first, second = published_video(alice), published_video(alice)

    hold_reuploads_and_first_uploads(sender=Video, video=first)
    hold_reuploads_and_first_uploads(sender=Video, video=second)

    assert Video.objects.get(pk=first.pk).moderation_state == Video.ModerationState.HELD
    assert Video.objects.get(pk=second.pk).moderation_state == Video.ModerationState.VISIBLE


def test_approving_a_held_video_makes_it_visible(alice, mod, staff, settings):
    settings.MODERATION_HOLD_FIRST_UPLOADS = 1
    video = published_video(alice)
    hold_reuploads_and_first_uploads(sender=Video, video=video)

    with pytest.raises(PermissionDenied):
        services.held_release(moderator=staff, note="ok", video=Video.objects.get(pk=video.pk))
    services.held_release(moderator=mod, note="Fine", video=Video.objects.get(pk=video.pk))

    assert selectors.videos_public().filter(pk=video.pk).exists()

"""Watched-word lists: whole words in any script, case rules, hold or refuse, everywhere
people write."""

import pytest

from accounts import services as account_services
from core.text_checks import TextRefused
from moderation.models import WatchedWord, WatchedWordList
from moderation.watched_words import check
from social import services as social_services
from social.models import Comment, Notification
from videos import services as video_services
from videos.models import Video

pytestmark = pytest.mark.django_db


def watch(*words, action="hold", **options):
    word_list = WatchedWordList.objects.create(name=f"{action} list", action=action)
    for word in words:
        WatchedWord.objects.create(word_list=word_list, text=word, **options)
    return word_list


@pytest.mark.parametrize(
    ("word", "text", "matches"),
    [
        ("casa", "Mi CASA es tu casa", True),
        ("casa", "un casamiento", False),
        ("árbol", "EL ÁRBOL grande", True),
        ("niño", "los niños", False),
        ("حرب", "لا للحرب", False),  # inside a longer word (with the article): no match
        ("حرب", "هذه حرب كبيرة", True),
        ("spam", "SPAM!", True),
        ("spam", "spammer", False),
    ],
)
def test_words_match_whole_words_in_spanish_arabic_and_english(word, text, matches):
    watch(word)

    assert (check([text]) == "hold") is matches


def test_case_sensitive_words_and_patterns():
    watch("Bad", case_sensitive=True)
    watch(r"fr[e3]{2}\s*money", is_pattern=True)

    assert check(["bad idea"]) is None
    assert check(["Bad idea"]) == "hold"
    assert check(["get FR33 money"]) == "hold"


def test_a_refuse_list_refuses_with_a_message():
    watch("forbidden", action="refuse")

    with pytest.raises(TextRefused, match="not allowed"):
        check(["this is Forbidden"])


def test_a_held_comment_is_visible_to_nobody_else_and_counts_nothing(alice, bob, video):
    watch("casino")

    comment = social_services.comment_create(user=bob, video=video, body="Best casino here")

    assert comment.moderation_state == Comment.ModerationState.HELD
    assert Video.objects.get(pk=video.pk).comment_count == 0
    assert not Notification.objects.exists()


def test_a_refused_comment_is_not_created(bob, video, settings):
    settings.SOCIAL_RATE_LIMITS = {"comment": (100, 60)}
    watch("forbidden", action="refuse")

    with pytest.raises(social_services.SocialError, match="not allowed"):
        social_services.comment_create(user=bob, video=video, body="forbidden words")
    assert not Comment.objects.exists()


def test_a_video_title_on_a_hold_list_holds_the_video(alice, video):
    watch("casino")

    video_services.video_update(
        video=video,
        by=alice,
        title="Casino night",
        description="",
        visibility=video.visibility,
        comments_enabled=True,
    )

    assert Video.objects.get(pk=video.pk).moderation_state == Video.ModerationState.HELD


def test_hashtags_in_a_description_are_checked_too(alice, video):
    watch("#casino", is_pattern=True)

    video_services.video_update(
        video=video,
        by=alice,
        title="Night",
        description="fun #casino",
        visibility=video.visibility,
        comments_enabled=True,
    )

    assert Video.objects.get(pk=video.pk).moderation_state == Video.ModerationState.HELD


def test_display_names_and_bios_on_a_list_are_refused(alice):
    watch("casino")

    with pytest.raises(TextRefused):
        account_services.profile_update(user=alice, display_name="Casino King", bio="")
    alice.refresh_from_db()
    assert alice.display_name == "Alice"


def test_the_profile_form_says_why(client, alice):
    from tests.conftest import csrf_post

    watch("forbidden", action="refuse")
    client.force_login(alice)

    response = csrf_post(client, "/settings/profile/", {"display_name": "forbidden", "bio": ""})

    assert response.status_code == 200 and "not allowed" in response.content.decode()

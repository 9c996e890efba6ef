"""The For You feedback controls: "Not interested" and "Show fewer from this creator" as
plain forms (JS off: redirect back, Undo in the message) and as htmx swaps, the undo and
who may undo, feedback on videos that are gone, the first-visit topic picker, the API."""

import pytest

from recommendations.models import NotInterested, ShowFewer, TopicInterest
from recommendations.registry import registry
from tests.conftest import csrf_post
from tests.factories import published_video
from videos.models import Hashtag, Video

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_model():
    registry.clear()


@pytest.fixture
def clip(alice):
    return published_video(alice, title="Cat <b>jumps</b>", trending_score=5)


def test_for_you_cards_carry_labelled_feedback_forms_for_signed_in_viewers(client, bob, clip):
    client.force_login(bob)

    page = client.get("/").content.decode()

    assert f'action="/v/{clip.short_id}/not-interested"' in page
    assert f'action="/v/{clip.short_id}/fewer-from-creator"' in page
    assert 'aria-label="Not interested: Cat &lt;b&gt;jumps&lt;/b&gt;"' in page
    assert "Show fewer from Alice" in page
    assert page.count("csrfmiddlewaretoken") >= 2


def test_anonymous_viewers_and_other_feeds_have_no_feedback_forms(client, bob, clip):
    assert "not-interested" not in client.get("/").content.decode()
    client.force_login(bob)
    assert "not-interested" not in client.get("/latest").content.decode()


def test_not_interested_without_js_redirects_back_with_an_undo_and_hides_the_video(
    client, bob, clip
):
    client.force_login(bob)

    response = csrf_post(client, f"/v/{clip.short_id}/not-interested", {"next": "/"})

    assert response.status_code == 302 and response["Location"] == "/"
    assert NotInterested.objects.filter(user=bob, video=clip).exists()
    page = client.get("/").content.decode()
    assert f'/v/{clip.short_id}"' not in page.split('id="feed-items"')[-1]
    assert "Hidden: you will not see “Cat &lt;b&gt;jumps&lt;/b&gt;” again." in page
    assert f'action="/v/{clip.short_id}/not-interested/undo"' in page  # the Undo button

    undo = csrf_post(client, f"/v/{clip.short_id}/not-interested/undo", {"next": "/"})

    assert undo.status_code == 302
    assert not NotInterested.objects.exists()
    assert f'href="/v/{clip.short_id}"' in client.get("/").content.decode()


def test_not_interested_with_htmx_swaps_the_card_for_a_hidden_notice_and_back(client, bob, clip):
    client.force_login(bob)

    hidden = csrf_post(client, f"/v/{clip.short_id}/not-interested", HTTP_HX_REQUEST="true")
    body = hidden.content.decode()

    assert hidden.status_code == 200 and "<html" not in body
    assert f'id="for-you-{clip.short_id}"' in body
    assert "Hidden: you will not see" in body and "Undo" in body and "autofocus" in body

    back = csrf_post(client, f"/v/{clip.short_id}/not-interested/undo", HTTP_HX_REQUEST="true")
    body = back.content.decode()

    assert back.status_code == 200 and "<html" not in body
    assert 'class="video-card"' in body and "Not interested" in body
    assert not NotInterested.objects.exists()


def test_show_fewer_from_a_creator_and_its_undo(client, bob, clip, alice):
    client.force_login(bob)

    response = csrf_post(client, f"/v/{clip.short_id}/fewer-from-creator", {"next": "/"})

    assert response.status_code == 302
    assert ShowFewer.objects.filter(user=bob, creator=alice).exists()
    fragment = csrf_post(
        client, f"/v/{clip.short_id}/fewer-from-creator/undo", HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert not ShowFewer.objects.exists()


def test_undo_of_someone_elses_feedback_changes_nothing(client, bob, carol, clip):
    NotInterested.objects.create(user=carol, video=clip)
    ShowFewer.objects.create(user=carol, creator=clip.owner)
    client.force_login(bob)

    assert csrf_post(client, f"/v/{clip.short_id}/not-interested/undo").status_code == 404
    assert csrf_post(client, f"/v/{clip.short_id}/fewer-from-creator/undo").status_code == 404
    assert NotInterested.objects.filter(user=carol).exists()
    assert ShowFewer.objects.filter(user=carol).exists()


def test_feedback_needs_a_signed_in_viewer(client, clip):
    response = csrf_post(client, f"/v/{clip.short_id}/not-interested")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    htmx = csrf_post(client, f"/v/{clip.short_id}/not-interested", HTTP_HX_REQUEST="true")
    assert "/accounts/login/" in htmx["HX-Redirect"]
    assert not NotInterested.objects.exists()


def test_feedback_needs_post_and_csrf(bob, clip):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.get(f"/v/{clip.short_id}/not-interested").status_code == 405
    assert client.post(f"/v/{clip.short_id}/not-interested").status_code == 403


@pytest.mark.parametrize("how", ["deleted", "private", "unknown"])
def test_feedback_on_a_video_that_is_gone_says_so(client, bob, clip, how):
    short_id = clip.short_id
    if how == "deleted":
        clip.delete()
    elif how == "private":
        Video.objects.filter(pk=clip.pk).update(visibility=Video.Visibility.PRIVATE)
    else:
        short_id = "nosuchclip"
    client.force_login(bob)

    plain = csrf_post(client, f"/v/{short_id}/not-interested", {"next": "/"}, follow=True)
    fragment = csrf_post(client, f"/v/{short_id}/fewer-from-creator", HTTP_HX_REQUEST="true")
    undo = csrf_post(client, f"/v/{short_id}/not-interested/undo", HTTP_HX_REQUEST="true")

    assert plain.status_code == 200
    assert "That video is no longer available." in plain.content.decode()
    assert fragment.status_code == 200
    assert "That video is no longer available." in fragment.content.decode()
    assert undo.status_code == 200
    assert not NotInterested.objects.exists() and not ShowFewer.objects.exists()


def test_next_must_stay_on_this_site(client, bob, clip):
    client.force_login(bob)

    response = csrf_post(
        client, f"/v/{clip.short_id}/not-interested", {"next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_a_new_viewer_is_offered_topics_and_can_pick_or_skip(client, bob, clip):
    clip.hashtags.add(Hashtag.objects.create(name="cats"))
    client.force_login(bob)

    page = client.get("/").content.decode()
    assert "What do you like to watch?" in page
    assert 'value="cats"' in page

    response = csrf_post(client, "/for-you/topics", {"topics": ["cats"]})

    assert response.status_code == 302
    assert list(TopicInterest.objects.filter(user=bob).values_list("hashtag__name", flat=True)) == [
        "cats"
    ]
    assert "What do you like to watch?" not in client.get("/").content.decode()


def test_skipping_the_topic_picker_hides_it(client, bob, clip):
    client.force_login(bob)

    csrf_post(client, "/for-you/topics", {"skip": "1"})

    assert "What do you like to watch?" not in client.get("/").content.decode()
    assert not TopicInterest.objects.exists()


def test_picking_no_or_unknown_topics_is_refused_politely(client, bob, clip):
    client.force_login(bob)

    response = csrf_post(client, "/for-you/topics", {"topics": ["nosuchtag"]}, follow=True)

    assert response.status_code == 200
    assert "Pick at least one topic, or skip." in response.content.decode()
    assert not TopicInterest.objects.exists()


def test_anonymous_viewers_get_no_topic_picker(client, clip):
    assert "What do you like to watch?" not in client.get("/").content.decode()


# --- the API ---------------------------------------------------------------------------------
def test_api_not_interested_and_undo(client, bob, clip):
    client.force_login(bob)
    url = f"/api/v1/videos/{clip.short_id}/not-interested"

    created = csrf_post(client, url)
    assert created.status_code == 201 and created.json() == {"not_interested": True}
    assert NotInterested.objects.filter(user=bob, video=clip).exists()

    token = client.cookies["csrftoken"].value
    deleted = client.delete(url, HTTP_X_CSRFTOKEN=token)
    assert deleted.status_code == 200 and deleted.json() == {"not_interested": False}
    assert client.delete(url, HTTP_X_CSRFTOKEN=token).status_code == 404


def test_api_show_fewer_refuses_your_own_videos_and_unknown_ones(client, alice, clip):
    client.force_login(alice)

    own = csrf_post(client, f"/api/v1/videos/{clip.short_id}/fewer-from-creator")
    gone = csrf_post(client, "/api/v1/videos/nosuchclip/fewer-from-creator")

    assert own.status_code == 400
    assert gone.status_code == 404
    assert not ShowFewer.objects.exists()


def test_api_needs_authentication(client, clip):
    assert csrf_post(client, f"/api/v1/videos/{clip.short_id}/not-interested").status_code in (
        401,
        403,
    )

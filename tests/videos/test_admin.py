"""The moderation console's video pages."""

import pytest
from django.urls import reverse

from tests.conftest import csrf_post
from tests.factories import make_video
from tests.media import needs_media_edge
from videos import services
from videos.models import Video

pytestmark = [
    pytest.mark.django_db,
    needs_media_edge,
]


@pytest.fixture
def admin_user(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_video_list_and_page_show_state_owner_and_renditions(client, admin_user, alice):
    video = services.video_process(video_id=make_video(alice, title="Admin me").pk)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:videos_video_changelist")).content.decode()
    page = client.get(reverse("admin:videos_video_change", args=[video.pk])).content.decode()

    assert "Admin me" in listing and "alice" in listing and "Ready" in listing
    assert "720x720" not in listing
    for height in (240, 360, 480, 720):
        assert f">{height}<" in page


def test_reprocess_action_processes_again(
    client, admin_user, alice, django_capture_on_commit_callbacks
):
    video = services.video_process(video_id=make_video(alice).pk)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(
            client,
            reverse("admin:videos_video_changelist"),
            {"action": "reprocess", "_selected_action": [video.pk]},
        )

    assert response.status_code == 302
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.processing_attempts == 2
    assert "/v2/" in video.hls_master


def test_admin_is_for_staff_only(client, alice):
    client.force_login(alice)

    response = client.get(reverse("admin:videos_video_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

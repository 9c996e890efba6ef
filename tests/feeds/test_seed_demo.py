"""`manage.py seed_demo`: a living demo site from a few real clips."""

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from accounts.models import User
from recommendations.models import WatchEvent
from videos.models import Rendition, Video

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_playable_videos_users_and_interactions(capsys, alice):
    from social.models import Like

    call_command("seed_demo", users=5, videos=30, interactions=200)

    # 6 real clips processed by the pipeline, 30 demo videos reusing their files.
    assert Video.objects.count() == 36
    assert Video.objects.filter(status=Video.Status.READY, published_at__isnull=False).count() == 36
    # Portrait and landscape, with sound, and every creator (alice too) has videos.
    assert Video.objects.filter(height__gt=F("width")).exists()
    assert Video.objects.filter(width__gt=F("height")).exists()
    assert not Video.objects.filter(has_audio=False).exists()
    assert alice.videos.count() >= 2
    creators = User.objects.exclude(username__in=["bob", "mod"]).annotate(n=Count("videos"))
    assert not creators.filter(n=0).exists()
    assert len(set(Video.objects.values_list("poster", flat=True))) == 6
    demo = Video.objects.exclude(title__startswith="Demo clip").first()
    assert demo.hls_master and demo.poster_inline.startswith("data:image/jpeg;base64,")
    assert Rendition.objects.filter(video=demo).exists()
    assert demo.hashtags.exists()
    assert WatchEvent.objects.exists() and Like.objects.exists()
    assert Video.objects.filter(trending_score__gt=0).exists()
    assert sum(Video.objects.values_list("like_count", flat=True)) == Like.objects.count()
    assert "Seeded 5 users, 30 videos" in capsys.readouterr().out


def test_if_empty_leaves_an_existing_site_alone(alice):
    from tests.factories import published_video

    published_video(alice)

    call_command("seed_demo", users=2, videos=5, interactions=10, if_empty=True)

    assert Video.objects.count() == 1


def test_seed_demo_refuses_to_run_in_production(settings):
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="development"):
        call_command("seed_demo", "--users", "1", "--videos", "1", "--interactions", "0")
    from accounts.models import User

    assert not User.objects.exists()

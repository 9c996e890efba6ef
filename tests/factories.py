import factory
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile

from accounts.models import User
from tests.media import MEDIA_EDGE
from videos.models import Video

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.LazyAttribute(lambda u: u.username.capitalize())

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def make_video(owner, name="ok_square_no_audio_2s.mp4", **fields):
    """A video as an upload leaves it: its source stored, waiting to be processed."""
    video = Video(owner=owner, title=fields.pop("title", "Mine"), **fields)
    video.source.save("source", ContentFile((MEDIA_EDGE / name).read_bytes()), save=False)
    video.save()
    return video


def published_video(owner, **fields):
    """A ready, published video row whose output files are not written (for page and
    permission tests that never fetch the media)."""
    from django.utils import timezone

    defaults = {
        "title": "Published clip",
        "status": Video.Status.READY,
        "published_at": timezone.now(),
        "width": 720,
        "height": 1280,
        "duration": 5.0,
        "hls_master": "videos/x/v1/master.m3u8",
        "mp4": "videos/x/v1/fallback.mp4",
        "poster": "videos/x/v1/poster.jpg",
    }
    return Video.objects.create(owner=owner, **{**defaults, **fields})


def described_video(owner, title="Clip", description="", **fields):
    """A published video whose description (and so its hashtags and mentions) went through the
    edit service, as a creator's would."""
    from videos import services

    video = published_video(owner, title=title, **fields)
    if description:
        video = services.video_update(
            video=video,
            by=owner,
            title=title,
            description=description,
            visibility=video.visibility,
            comments_enabled=True,
        )
    return video

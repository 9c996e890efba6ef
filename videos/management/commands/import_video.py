"""Import a video file from the command line, through the same checks and pipeline as uploads."""

from pathlib import Path

from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from videos import services
from videos.models import Video
from videos.probe import UploadRejected


class _LocalFile(TemporaryUploadedFile):
    """A file on disk presented as an upload, without copying it."""

    def __init__(self, path: Path):
        self._path = path
        self.file = path.open("rb")
        self.name = path.name
        self.size = path.stat().st_size
        self.content_type = "application/octet-stream"
        self.charset = None
        self.content_type_extra = None

    def temporary_file_path(self):
        return str(self._path)

    def close(self):
        self.file.close()


class Command(BaseCommand):
    help = (
        "Import a video for a user: validate it, process it (HLS ladder, MP4, poster) and wait "
        "until it is ready. Exits non-zero with the reason for a refused or failed video."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", required=True, help="username of the creator")
        parser.add_argument("--title", help="defaults to the file name")
        parser.add_argument("--description", default="")
        parser.add_argument(
            "--visibility", default=Video.Visibility.PUBLIC, choices=Video.Visibility.values
        )
        parser.add_argument(
            "--start",
            type=float,
            help="for clips over 5 seconds: where the 5 seconds to keep begin",
        )
        parser.add_argument("--publish", action="store_true", help="publish it once it is ready")

    def handle(self, *args, path: Path, user: str, title, start, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        owner = User.objects.filter(username__iexact=user, is_active=True).first()
        if owner is None:
            raise CommandError(f"No active user named {user!r}.")
        upload = _LocalFile(path)
        try:
            video = services.video_create_from_upload(
                owner=owner,
                uploaded_file=upload,
                title=(title or path.stem)[:100],
                description=options["description"],
                visibility=options["visibility"],
                start=start,
                queue_processing=False,
            )
        except UploadRejected as rejection:
            raise CommandError(str(rejection)) from None
        finally:
            upload.close()
        if video.status == Video.Status.NEEDS_TRIM:
            max_start = max(0.0, (video.source_duration or 5.0) - 5.0)
            services.video_delete(video=video, by=owner)
            raise CommandError(
                f"{path.name} is {video.source_duration:.1f} seconds long: pass --start SECONDS "
                f"(from 0 to {max_start:.1f}) to keep the 5 seconds from there."
            )
        # Processing runs here, in this process, whatever the broker: the command waits for it.
        video = services.video_process(video_id=video.pk)
        if video.status != Video.Status.READY:
            raise CommandError(f"Processing failed: {video.failure_reason}")
        if options["publish"]:
            video = services.video_publish(video=video, by=owner)
        renditions = ", ".join(f"{r.height}p" for r in video.renditions.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"Ready: {video.title!r} ({video.short_id}), {video.duration:.2f} s, "
                f"{video.width}x{video.height}, renditions {renditions}"
                + (", published" if video.is_published else ", draft")
            )
        )

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or SQLite's online backup) and the media "
        "files with a SHA-256 manifest, into a new folder under a local path or s3://bucket/prefix."
    )

    def add_arguments(self, parser):
        parser.add_argument("location", help="a folder, or s3://bucket/prefix")
        parser.add_argument(
            "--no-media-copy",
            action="store_true",
            help="list the media files with their checksums but do not copy them (media on a "
            "versioned, replicated bucket)",
        )

    def handle(self, *args, location, no_media_copy, **options):
        try:
            result = backup_create(location=location, copy_media=not no_media_copy)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {result.rows} rows in {result.tables} tables ({result.database_file}) "
            f"and {result.media_files} media files ({result.media_bytes} bytes) to "
            f"{result.location}"
        )
        self.stdout.write(result.location)

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_latest, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` (the database, then every media file that "
        "differs), and verify rows and files against its manifest. Stop the site first."
    )

    def add_arguments(self, parser):
        parser.add_argument("location", help="a backup's folder, or the folder above with --latest")
        parser.add_argument("--latest", action="store_true", help="the newest backup in location")
        parser.add_argument(
            "--prune-media", action="store_true", help="delete media files not in the backup"
        )
        parser.add_argument(
            "--yes", action="store_true", help="do not ask: the database is replaced"
        )

    def handle(self, *args, location, latest, prune_media, yes, **options):
        try:
            if latest:
                location = backup_latest(location)
            if not yes and input(f"Replace this site's database with {location}? [y/N] ") != "y":
                raise CommandError("Nothing restored.")
            result = backup_restore(location=location, prune_media=prune_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {result.tables_restored} tables and {result.media_restored} media files "
            f"from {location}."
        )
        if result.media_extra:
            self.stdout.write(f"{len(result.media_extra)} media files are not in the backup "
                              "(kept; --prune-media deletes them).")  # fmt: skip
        if not result.identical:
            raise CommandError(
                "The restore does not match the backup: tables "
                f"{', '.join(result.tables_differing) or 'none'}; media files missing or "
                f"different: {', '.join(result.media_missing[:20]) or 'none'}"
            )
        self.stdout.write("Verified: every row and media file matches the backup.")

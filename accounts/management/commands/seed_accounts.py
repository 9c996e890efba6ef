"""Create the demo cast for a development site: a creator, a viewer and a moderator."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User

DEMO_PASSWORD = "microvid-demo"  # noqa: S105 - development accounts only, refused in production
CAST = [
    # username, display name, bio, staff
    ("alice", "Alice", "Creator. Five seconds at a time.", False),
    ("bob", "Bob", "Here to watch.", False),
    ("mod", "Moderator", "Keeps Microvid safe.", True),
]
MODERATORS_GROUP = "Moderators"


class Command(BaseCommand):
    help = "Create the demo users alice (creator), bob (viewer) and mod (moderator)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-if-exists", action="store_true")

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are for development sites only.")
        moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
        created = []
        for username, display_name, bio, staff in CAST:
            user, was_created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@example.com",
                    "display_name": display_name,
                    "bio": bio,
                    "is_staff": staff,
                },
            )
            if was_created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                EmailAddress.objects.get_or_create(
                    user=user, email=user.email, defaults={"verified": True, "primary": True}
                )
                created.append(username)
            if staff:
                user.groups.add(moderators)
        if created or not options["quiet_if_exists"]:
            self.stdout.write(
                "Demo accounts (development only), password "
                f"'{DEMO_PASSWORD}': alice (creator), bob (viewer), mod (moderator, /admin/)."
            )

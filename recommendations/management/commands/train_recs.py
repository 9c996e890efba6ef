from django.core.management.base import BaseCommand

from recommendations.models import RecModelVersion
from recommendations.services import rec_model_train


class Command(BaseCommand):
    help = "Train the For You model on the database's signals and publish it as a new version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--epochs", type=int, help="training epochs (default: RECS_TRAIN_EPOCHS)"
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="train only if no model version exists yet (make run, on a new database)",
        )

    def handle(self, *args, epochs=None, if_missing=False, **options):
        if if_missing and RecModelVersion.objects.exists():
            self.stdout.write("a model version exists already: not training")
            return
        row = rec_model_train(epochs=epochs)
        if row is None:
            self.stdout.write("no public videos yet: nothing to train, no new version")
            return
        self.stdout.write(
            f"model {row.version}: {row.users} users, {row.items} videos, "
            f"{row.interactions} interactions, trained in {row.train_seconds:.1f}s -> {row.path}"
        )

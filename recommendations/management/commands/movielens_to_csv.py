"""``manage.py movielens_to_csv``: MovieLens 100k -> the plain interactions/items CSVs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from recommendations.engine.data import DataError
from recommendations.engine.movielens import convert_movielens


class Command(BaseCommand):
    help = (
        "Convert a MovieLens 100k folder (u.data, u.item, u.genre) into interactions.csv "
        "(ratings 5/4 -> weight 2/1, ratings 2/1 -> -0.5/-1, 3 dropped) and items.csv "
        "(genres, year, decade). MovieLens may not be redistributed: write to a temporary "
        "folder or var/, never into the repository."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="folder with u.data and u.item")
        parser.add_argument("--out", required=True, help="folder to write the CSVs to")
        parser.add_argument(
            "--positives-only", action="store_true", help="leave out ratings 1 and 2"
        )
        parser.add_argument(
            "--title-words", action="store_true", help="add title words as item features"
        )

    def handle(self, *args, **options):
        try:
            stats = convert_movielens(
                options["source"],
                options["out"],
                include_negatives=not options["positives_only"],
                title_words=options["title_words"],
            )
        except DataError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot write to {options['out']}: {exc}") from exc
        self.stdout.write(
            f"{stats.ratings} ratings -> {stats.interactions} interactions "
            f"({stats.positives} positive) in {stats.interactions_path}; "
            f"{stats.items} items in {stats.items_path}"
        )

"""``manage.py evaluate_recs``: offline evaluation of the recommender against baselines."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from recommendations.engine.data import (
    DataError,
    Split,
    load_candidates,
    load_interactions,
    load_items,
    random_split,
    temporal_split,
)
from recommendations.engine.evaluation import format_report, run_evaluation


class Command(BaseCommand):
    help = (
        "Evaluate the hybrid recommender, plain LightFM WARP and most-popular on an "
        "interactions CSV (user_id,item_id,timestamp,weight). Prints precision/recall/NDCG@k, "
        "catalog coverage, training time and an online-update replay; the last line is "
        "'RESULT precision_at_k=.. recall_at_k=.. ndcg_at_k=..' for the hybrid model."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interactions", required=True, help="interactions CSV (train)")
        parser.add_argument("--items", help="items CSV: item_id,features ('|'-separated)")
        parser.add_argument(
            "--split",
            choices=["temporal", "random"],
            help="temporal: each user's last 20%% by time; random: seeded 80/20 of rows. "
            "Default: temporal when every row has a timestamp, else random. "
            "Ignored with --test.",
        )
        parser.add_argument("--test", help="test interactions CSV (same format); no split")
        parser.add_argument("--candidates", help="file with one item id per line to rank")
        parser.add_argument(
            "--min-weight",
            type=float,
            default=0.0,
            help="rows with weight > 0 and >= this are positives (default 0)",
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--k", type=int, default=10, help="list length (default 10)")
        parser.add_argument(
            "--no-replay", action="store_true", help="skip the online-update replay"
        )

    def handle(self, *args, **options):
        k = options["k"]
        if k <= 0:
            raise CommandError("--k must be a positive integer")
        try:
            log = load_interactions(options["interactions"])
            items = load_items(options["items"]) if options["items"] else None
            candidates = load_candidates(options["candidates"]) if options["candidates"] else None
            split = self._split(log, options)
        except DataError as exc:
            raise CommandError(str(exc)) from exc

        def progress(message: str) -> None:
            if options["verbosity"] >= 2:
                self.stderr.write(message)

        report = run_evaluation(
            split,
            k=k,
            item_features=items,
            candidates=candidates,
            min_weight=options["min_weight"],
            seed=options["seed"],
            replay=not options["no_replay"],
            log=progress,
        )
        # Kept on the instance so callers such as bench/recs.py can read the numbers.
        self.report = report
        self.stdout.write("\n".join(format_report(report)))

    @staticmethod
    def _split(log, options) -> Split:
        if options["test"]:
            test = load_interactions(options["test"])
            return Split(train=log, test=test, protocol="test-file")
        protocol = options["split"] or ("temporal" if log.has_timestamps() else "random")
        if protocol == "temporal":
            return temporal_split(log)
        return random_split(log, seed=options["seed"])

"""``manage.py simulate_short_video``: write a simulated short-video data set for evaluate_recs."""

from __future__ import annotations

from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError

from recommendations.engine.monolith.simulate import SimConfig, write_dataset


class Command(BaseCommand):
    help = (
        "Simulate a short-video platform (popularity-heavy taste with a long tail, creators, "
        "hashtags, loops, quick skips, likes, follows, 'Not interested'; time-ordered) and "
        "write events.csv, interactions.csv, items.csv and the fully observed panel "
        "(train_before_cut.csv, test_full.csv, candidates.csv) into --out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="output folder (created if missing)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--users", type=int, help=f"viewers (default {SimConfig.users})")
        parser.add_argument("--videos", type=int, help=f"videos (default {SimConfig.videos})")
        parser.add_argument("--days", type=int, help=f"simulated days (default {SimConfig.days})")

    def handle(self, *args, **options):
        config = replace(SimConfig(), seed=options["seed"])
        for name in ("users", "videos", "days"):
            value = options[name]
            if value is not None:
                if value < 1 or (name == "days" and value <= config.test_days):
                    raise CommandError(f"--{name} is too small: {value}")
                config = replace(config, **{name: value})
        stats = write_dataset(options["out"], config)
        self.stdout.write(f"wrote {options['out']}: {stats.line()}")

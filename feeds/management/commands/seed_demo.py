"""Fill a development database with a living demo site, quickly.

A handful of real clips — soft gradients, a Mandelbrot dive, the Game of Life, a cellular
automaton, in portrait and landscape, with sound and their theme drawn over them — are made
with FFmpeg (once: they are cached under var/demo-clips/) and processed through the real
pipeline; every demo video reuses one of those sets of files, so thousands of videos cost no
transcoding. Every demo creator has videos, the README's `alice` included. Rows are written
with bulk inserts.
"""

import random
import uuid
from datetime import timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from feeds.services import trending_recompute
from recommendations.models import WatchEvent
from videos import demo_clips
from videos import services as video_services
from videos.models import Hashtag, Rendition, Video, new_short_id, new_storage_token

DEMO_PASSWORD = "microvid-demo"  # noqa: S105 - development data only
BATCH = 5000
TOPICS = [
    "cats", "dogs", "cooking", "travel", "music", "dance", "skate", "coffee", "rain",
    "sunset", "city", "ocean", "garden", "books", "art", "football", "running", "snow",
]  # fmt: skip
ADJECTIVES = [
    "Quiet", "Tiny", "Golden", "Rainy", "Sleepy", "Bright", "Slow", "Wild", "Secret",
    "Morning", "Late-night", "Lazy", "Happy", "Stormy", "Perfect", "Little",
]  # fmt: skip
NOUNS = [
    "loop", "moment", "street", "kitchen", "wave", "jump", "walk", "beat", "cup", "window",
    "trick", "bus ride", "sunrise", "puddle", "market", "spin",
]  # fmt: skip
FIRST_NAMES = [
    "Ana", "Ben", "Chloé", "Dev", "Elif", "Femi", "Gia", "Hugo", "Ines", "Jon", "Kai", "Lena",
    "Mo", "Nia", "Omar", "Pia", "Quinn", "Rui", "Sana", "Tom", "Uma", "Vic", "Wen", "Yara",
]  # fmt: skip
# The template clips: (recipe, shape, theme). A demo video made from one is about its theme.
CLIPS = [
    ("sunset", demo_clips.PORTRAIT, "sunset"),
    ("ocean", demo_clips.PORTRAIT, "ocean"),
    ("fractal", demo_clips.PORTRAIT, "art"),
    ("life", demo_clips.PORTRAIT, "garden"),
    ("automaton", demo_clips.LANDSCAPE, "music"),
    ("sunset", demo_clips.LANDSCAPE, "travel"),
]
THEME_NOUNS = {
    "sunset": ["sunset", "golden hour", "evening sky", "dusk walk"],
    "ocean": ["wave", "tide", "deep blue", "sea breeze"],
    "art": ["fractal", "spiral", "dream", "infinite zoom"],
    "garden": ["garden", "colony", "bloom", "tiny life"],
    "music": ["beat", "rhythm", "loop", "bassline"],
    "travel": ["road trip", "horizon", "bus ride", "long way home"],
}
DEMO_CREATORS = ["alice"]  # made by seed_accounts; they get videos too


class Command(BaseCommand):
    help = "Create demo users, videos and interactions (development sites)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--videos", type=int, default=60)
        parser.add_argument("--interactions", type=int, default=600)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if there are videos already"
        )

    def handle(self, *args, users, videos, interactions, seed, if_empty, **options):
        if settings.PRODUCTION:
            # Its accounts share one published password: never on a real site.
            raise CommandError("seed_demo is for development sites only (DJANGO_ENV=production).")
        if if_empty and Video.objects.exists():
            return
        if users < 1 or videos < 1 or interactions < 0:
            raise CommandError("--users and --videos must be at least 1.")
        rng = random.Random(seed)
        started = timezone.now()
        people = self._users(users, rng)
        creators = list(User.objects.filter(username__in=DEMO_CREATORS)) + people
        templates = self._template_videos(creators[0])
        video_ids = self._videos(videos, creators, templates, rng)
        self._interactions(interactions, people, video_ids, rng)
        trending_recompute()
        # Search vectors need nothing here: on PostgreSQL the database's triggers fill them in
        # as the rows and hashtag links are inserted (feeds/migrations/0002_...triggers.py).
        took = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"Seeded {len(people)} users, {len(video_ids)} videos and {interactions} "
            f"interactions in {took:.1f} s. Demo users' password: '{DEMO_PASSWORD}'."
        )

    def _users(self, count, rng):
        password = make_password(DEMO_PASSWORD)
        start = User.objects.count()
        new = []
        for n in range(count):
            name = rng.choice(FIRST_NAMES)
            username = f"{name.lower().replace('é', 'e')}_{start + n}"
            new.append(
                User(
                    username=username,
                    email=f"{username}@demo.microvid.local",
                    display_name=f"{name} {rng.choice(NOUNS).title()}",
                    bio=f"Five seconds of {rng.choice(TOPICS)}, every day.",
                    password=password,
                )
            )
        created = User.objects.bulk_create(new, batch_size=BATCH)
        created = list(User.objects.filter(username__in=[u.username for u in new]))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created],
            batch_size=BATCH,
        )
        return created

    def _template_videos(self, owner) -> list[Video]:
        """The real clips: made with FFmpeg (cached), processed by the real pipeline."""
        cache = Path(settings.BASE_DIR) / "var" / "demo-clips"
        templates = []
        recipes = {recipe.name: recipe for recipe in demo_clips.RECIPES}
        for index, (recipe, size, theme) in enumerate(CLIPS):
            path = demo_clips.cached_clip(
                cache, recipe=recipes[recipe], size=size, seconds=3.0, title=f"#{theme}"
            )
            upload = TemporaryUploadedFile(path.name, "video/mp4", path.stat().st_size, None)
            with path.open("rb") as clip:
                upload.write(clip.read())
            upload.seek(0)
            video = video_services.video_create_from_upload(
                owner=owner,
                uploaded_file=upload,
                title=f"Demo clip {index + 1}: {THEME_NOUNS[theme][0]}",
                description=f"#demo #{theme}",
                queue_processing=False,
            )
            upload.close()
            video = video_services.video_process(video_id=video.pk)
            if video.status != Video.Status.READY:
                raise CommandError(f"The demo clip could not be processed: {video.failure_reason}")
            templates.append(video_services.video_publish(video=video, by=owner))
            templates[-1].theme = theme
        return templates

    @transaction.atomic
    def _videos(self, count, people, templates, rng) -> list[int]:
        now = timezone.now()
        tags = {name: Hashtag.objects.get_or_create(name=name)[0] for name in TOPICS}
        rows, chosen_tags = [], []
        for n in range(count):
            template = rng.choice(templates)
            theme = template.theme
            others = [topic for topic in TOPICS if topic != theme]
            topics = [theme, *rng.sample(others, k=rng.randint(0, 2))]
            # Every creator gets a video before anyone gets a second.
            owner = people[n] if n < len(people) else rng.choice(people)
            published = now - timedelta(seconds=rng.randint(60, 30 * 24 * 3600))
            rows.append(
                Video(
                    short_id=new_short_id(),
                    storage_token=new_storage_token(),
                    owner=owner,
                    title=f"{rng.choice(ADJECTIVES)} {rng.choice(THEME_NOUNS[theme])}",
                    description=" ".join(f"#{topic}" for topic in topics),
                    status=Video.Status.READY,
                    published_at=published,
                    processed_at=published,
                    duration=template.duration,
                    width=template.width,
                    height=template.height,
                    has_audio=template.has_audio,
                    output_prefix=template.output_prefix,
                    hls_master=template.hls_master,
                    mp4=template.mp4,
                    poster=template.poster,
                    poster_inline=template.poster_inline,
                    output_bytes=template.output_bytes,
                )
            )
            chosen_tags.append((topics, template))
        created = Video.objects.bulk_create(rows, batch_size=BATCH)
        ids = list(
            Video.objects.filter(short_id__in=[v.short_id for v in rows]).values_list(
                "pk", "short_id"
            )
        )
        pk_by_short = {short: pk for pk, short in ids}
        through = Video.hashtags.through
        renditions = {t.pk: list(t.renditions.all()) for t in templates}
        links, copies = [], []
        for video, (topics, template) in zip(created, chosen_tags, strict=True):
            pk = pk_by_short[video.short_id]
            links += [through(video_id=pk, hashtag_id=tags[topic].pk) for topic in topics]
            copies += [
                Rendition(
                    video_id=pk, width=r.width, height=r.height, bandwidth=r.bandwidth,
                    average_bandwidth=r.average_bandwidth, codecs=r.codecs, playlist=r.playlist,
                )
                for r in renditions[template.pk]
            ]  # fmt: skip
        through.objects.bulk_create(links, batch_size=BATCH)
        Rendition.objects.bulk_create(copies, batch_size=BATCH)
        return [pk for pk, _ in ids]

    def _interactions(self, count, people, video_ids, rng):
        """Likes and plays, skewed so that a few videos are popular (as in real life)."""
        from social.models import Like

        if not count:
            return
        weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(video_ids))]
        order = video_ids[:]
        rng.shuffle(order)
        likes, events = set(), []
        views, like_counts = {}, {}
        for _ in range(count):
            video_id = rng.choices(order, weights=weights)[0]
            user = rng.choice(people)
            if rng.random() < 0.3:
                if (user.pk, video_id) not in likes:
                    likes.add((user.pk, video_id))
                    like_counts[video_id] = like_counts.get(video_id, 0) + 1
            else:
                views[video_id] = views.get(video_id, 0) + 1
                events.append(
                    WatchEvent(
                        video_id=video_id,
                        user=user,
                        viewer_id=uuid.UUID(int=user.pk),
                        kind=rng.choice([WatchEvent.Kind.PLAY, WatchEvent.Kind.COMPLETE]),
                        watch_ms=rng.randint(500, 5000),
                    )
                )
            if len(events) >= BATCH:
                WatchEvent.objects.bulk_create(events)
                events = []
        WatchEvent.objects.bulk_create(events, batch_size=BATCH)
        Like.objects.bulk_create(
            [Like(user_id=u, video_id=v) for u, v in likes], batch_size=BATCH, ignore_conflicts=True
        )
        changed = Video.objects.in_bulk(set(views) | set(like_counts))
        for pk, video in changed.items():
            video.view_count += views.get(pk, 0)
            video.like_count += like_counts.get(pk, 0)
        Video.objects.bulk_update(changed.values(), ["view_count", "like_count"], batch_size=BATCH)

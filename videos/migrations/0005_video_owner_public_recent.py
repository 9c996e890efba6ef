"""The index that Following and For You's followed-creators stream rank on: a creator's public
videos, newest first (an index-only scan per followed creator; docs/benchmarks.md)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0004_video_moderation_state"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="video",
            index=models.Index(
                models.F("owner"),
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(
                    ("published_at__isnull", False), ("status", "ready"), ("visibility", "public")
                ),
                name="video_owner_public_recent",
            ),
        ),
    ]

"""For You served by the recommender: training from the app's tables, model versions and
their lazy loading, ranking, filters, diversity, cold start and learning between retrains."""

import io
import logging
from datetime import timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feeds import selectors as feeds
from recommendations import services
from recommendations.models import NotInterested, RecModelVersion, ShowFewer, WatchEvent
from recommendations.registry import model_storage, registry
from recommendations.selectors import DIVERSITY_WINDOW, MAX_PER_CREATOR
from social.models import Follow, Like
from tests.factories import UserFactory, published_video
from videos.models import Hashtag, Video

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_registry(settings):
    # A small, well-trained model: the data sets here are tiny.
    settings.RECS_TRAIN_EPOCHS = 40
    settings.RECS_MODEL_COMPONENTS = 16
    registry.clear()
    yield
    registry.clear()


def tagged_video(owner, tag, title, **fields):
    video = published_video(owner, title=title, **fields)
    video.hashtags.add(Hashtag.objects.get_or_create(name=tag)[0])
    return video


@pytest.fixture
def world():
    """Two tastes: cat videos (#cats, four creators) and car videos (#cars, four creators).
    Cat people like cat videos, car people car videos; the right answer is known."""
    now = timezone.now() - timedelta(days=1)
    cats = [UserFactory(username=f"catmaker{n}") for n in range(4)]
    cars = [UserFactory(username=f"carmaker{n}") for n in range(4)]
    videos = {"cats": [], "cars": []}
    for n in range(24):
        videos["cats"].append(
            tagged_video(cats[n % 4], "cats", f"Kitten {n}", published_at=now - timedelta(hours=n))
        )
        videos["cars"].append(
            tagged_video(cars[n % 4], "cars", f"Engine {n}", published_at=now - timedelta(hours=n))
        )
    fans = {"cats": [], "cars": []}
    rng = np.random.default_rng(0)
    for taste in ("cats", "cars"):
        for u in range(16):
            fan = UserFactory(username=f"{taste}fan{u}")
            fans[taste].append(fan)
            for k in rng.choice(24, size=10, replace=False):
                Like.objects.create(user=fan, video=videos[taste][k])
    return {"videos": videos, "fans": fans, "creators": {"cats": cats, "cars": cars}}


def ids(videos):
    return [v.pk for v in videos]


def taste_of(world, video):
    return "cats" if video in world["videos"]["cats"] else "cars"


def test_training_from_the_database_publishes_a_version_that_ranks_by_taste(world):
    row = services.rec_model_train()

    assert RecModelVersion.objects.get() == row
    assert model_storage().exists(row.path)
    assert row.items == 48 and row.users >= 32 and row.interactions == 32 * 10
    for taste in ("cats", "cars"):
        fan = world["fans"][taste][0]
        page = feeds.feed_for_you(user=fan, size=8)
        assert page.extra["source"] == "model"
        liked = set(Like.objects.filter(user=fan).values_list("video_id", flat=True))
        assert not liked & set(ids(page.videos))  # already liked: not recommended again
        # The model's own ranking (before the diversity rules): the fan's taste first.
        top = registry.loaded.model.recommend(f"u{fan.pk}", 8)
        assert all(taste_of(world, Video.objects.get(pk=int(pk))) == taste for pk, _ in top)
        # The page: the creator cap and hashtag variety may let an other video in.
        exploit = [v for i, v in enumerate(page.videos) if (i + 1) % 4]  # not exploration slots
        assert [taste_of(world, v) for v in exploit[:2]] == [taste, taste]
        assert sum(taste_of(world, v) == taste for v in exploit) >= 4, [v.title for v in exploit]


def test_train_recs_command_and_the_beat_task(world, settings):
    from recommendations.tasks import train_model

    out = io.StringIO()
    call_command("train_recs", "--epochs", "2", stdout=out)
    assert "48 videos" in out.getvalue()
    assert train_model.delay().get()
    assert RecModelVersion.objects.count() == 2
    assert "recommendations-train" in settings.CELERY_BEAT_SCHEDULE
    settings.RECS_ENABLED = False
    assert train_model.delay().get() is None


def test_train_recs_if_missing_trains_a_new_database_once(world):
    call_command("train_recs", "--if-missing", "--epochs", "1", stdout=io.StringIO())
    out = io.StringIO()
    call_command("train_recs", "--if-missing", "--epochs", "1", stdout=out)

    assert RecModelVersion.objects.count() == 1
    assert "exists already" in out.getvalue()


def test_old_versions_are_pruned_with_their_files(world, settings):
    settings.RECS_KEEP_VERSIONS = 2
    first = services.rec_model_train(epochs=1)
    services.rec_model_train(epochs=1)
    services.rec_model_train(epochs=1)

    assert RecModelVersion.objects.count() == 2
    assert not RecModelVersion.objects.filter(pk=first.pk).exists()
    assert not model_storage().exists(first.path)


def test_the_web_process_loads_the_model_lazily_once_and_picks_up_a_newer_version(world):
    fan = world["fans"]["cats"][0]
    assert feeds.feed_for_you(user=fan).extra["source"] == "fallback"  # nothing trained yet
    first = services.rec_model_train(epochs=2)
    feeds.feed_for_you(user=fan)
    loaded = registry.loaded
    assert loaded.version == first.version
    feeds.feed_for_you(user=fan)
    assert registry.loaded is loaded  # cached, not reloaded per request

    second = services.rec_model_train(epochs=2)
    feeds.feed_for_you(user=fan)
    assert registry.loaded.version == second.version


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_missing_or_corrupt_model_falls_back_to_trending_and_fresh_and_logs(
    world, caplog, damage
):
    row = services.rec_model_train(epochs=1)
    if damage == "missing":
        model_storage().delete(row.path)
    else:
        with model_storage().open(row.path, "wb") as handle:
            handle.write(b"PK\x03\x04 not a model")
    fan = world["fans"]["cats"][0]

    with caplog.at_level(logging.ERROR, logger="recommendations.registry"):
        page = feeds.feed_for_you(user=fan, size=6)

    assert page.extra["source"] == "fallback"
    assert len(page.videos) == 6
    assert "could not be loaded" in caplog.text and row.version in caplog.text


def test_a_broken_newer_version_keeps_the_previous_model_serving(world, caplog):
    services.rec_model_train(epochs=1)
    fan = world["fans"]["cats"][0]
    feeds.feed_for_you(user=fan)
    good = registry.loaded.version
    bad = services.rec_model_train(epochs=1)
    model_storage().delete(bad.path)

    page = feeds.feed_for_you(user=fan)

    assert page.extra["source"] == "model"
    assert registry.loaded.version == good


def test_the_model_can_be_turned_off(world, settings):
    services.rec_model_train(epochs=1)
    settings.RECS_ENABLED = False

    assert feeds.feed_for_you(user=world["fans"]["cats"][0]).extra["source"] == "fallback"


def test_web_processes_never_import_lightfm():
    import subprocess
    import sys

    code = (
        "import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'microvid.settings'); django.setup(); import recommendations.selectors, "
        "recommendations.registry, feeds.views; print('lightfm' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_not_interested_removes_the_video_and_lowers_look_alikes_on_the_next_page(world):
    services.rec_model_train()
    fan = world["fans"]["cats"][0]
    first = feeds.feed_for_you(user=fan, size=8)
    cats = [v for v in first.videos if taste_of(world, v) == "cats"]
    disliked = cats[0]
    before = _cat_rank_scores(fan)

    services.not_interested_create(user=fan, video=disliked)
    after = _cat_rank_scores(fan)
    second = feeds.feed_for_you(user=fan, size=8)
    fresh_start = feeds.feed_for_you(user=fan, size=48)

    assert disliked.pk not in ids(second.videos)
    assert disliked.pk not in ids(fresh_start.videos)
    # The same creator's other cat videos (the closest look-alikes) lost ground.
    same_creator = [
        v.pk for v in world["videos"]["cats"] if v.owner_id == disliked.owner_id and v != disliked
    ]
    assert sum(after[pk] for pk in same_creator if pk in after) < sum(
        before[pk] for pk in same_creator if pk in before
    )


def _cat_rank_scores(user):
    """Each video's rank position on a long first page, as a score (higher = earlier)."""
    page = feeds.feed_for_you(user=user, size=48)
    return {v.pk: len(page.videos) - i for i, v in enumerate(page.videos)}


def test_the_next_page_reflects_likes_since_the_last_training(world):
    services.rec_model_train()
    fan = world["fans"]["cats"][0]
    # The cat fan now likes car videos only, after the model was trained.
    for video in world["videos"]["cars"][:8]:
        Like.objects.create(user=fan, video=video)

    page = feeds.feed_for_you(user=fan, size=8)

    exploit = [v for i, v in enumerate(page.videos) if (i + 1) % 4]
    assert sum(taste_of(world, v) == "cars" for v in exploit) >= 4, [v.title for v in exploit]


def test_watched_recently_own_and_non_public_videos_are_filtered(world, alice):
    services.rec_model_train(epochs=2)
    fan = world["fans"]["cats"][0]
    watched = world["videos"]["cats"][20]
    WatchEvent.objects.create(video=watched, user=fan, viewer_id="0" * 32, kind="complete")
    own = tagged_video(fan, "cats", "My own kitten")
    private = world["videos"]["cats"][21]
    Video.objects.filter(pk=private.pk).update(visibility=Video.Visibility.PRIVATE)
    gone = world["videos"]["cats"][22]
    Video.objects.filter(pk=gone.pk).delete()

    served = ids(feeds.feed_for_you(user=fan, size=48).videos)

    for video in (watched, own, private, gone):
        assert video.pk not in served


def test_show_fewer_demotes_a_creator_without_removing_them(world):
    services.rec_model_train()
    fan = world["fans"]["cats"][0]
    creator = world["creators"]["cats"][0]

    def positions():
        owners = [v.owner_id for v in feeds.feed_for_you(user=fan, size=48).videos]
        return [i for i, owner in enumerate(owners) if owner == creator.pk]

    before = positions()
    ShowFewer.objects.create(user=fan, creator=creator)
    after = positions()

    assert min(before) < 6
    assert min(after) >= 12
    assert len(after) == len(before)  # demoted, not banned


def test_no_more_than_two_of_one_creator_in_any_ten_across_pages(world):
    services.rec_model_train(epochs=5)
    fan = world["fans"]["cats"][0]
    creators, cursor = [], None
    for _ in range(4):
        page = feeds.feed_for_you(user=fan, cursor=cursor, size=5)
        creators += [v.owner_id for v in page.videos]
        cursor = page.next_cursor
    assert len(creators) == 20
    for start in range(len(creators) - DIVERSITY_WINDOW + 1):
        window = creators[start : start + DIVERSITY_WINDOW]
        assert max(window.count(c) for c in window) <= MAX_PER_CREATOR, window


def test_a_video_with_other_hashtags_moves_up_after_a_run_of_one_hashtag(world):
    # Without a model: trending has six cat videos, then six car videos.
    for n, video in enumerate(world["videos"]["cats"][:6] + world["videos"]["cars"][:6]):
        Video.objects.filter(pk=video.pk).update(trending_score=100 - n)
    fan = UserFactory()

    page = feeds.feed_for_you(user=fan, size=6)

    exploit = [taste_of(world, v) for i, v in enumerate(page.videos) if (i + 1) % 3]
    assert exploit == ["cats", "cats", "cats", "cars"]


def test_pages_never_repeat_and_end(world):
    services.rec_model_train(epochs=2)
    fan = UserFactory()
    seen, cursor = [], None
    while True:
        page = feeds.feed_for_you(user=fan, cursor=cursor, size=10)
        seen += ids(page.videos)
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(v.pk for vs in world["videos"].values() for v in vs)


def test_anonymous_and_brand_new_viewers_get_trending_and_a_new_video_is_explored(world):
    services.rec_model_train(epochs=2)
    for n, video in enumerate(world["videos"]["cars"][:5]):
        Video.objects.filter(pk=video.pk).update(trending_score=50 - n)
    brand_new = tagged_video(UserFactory(), "dogs", "Puppy", published_at=timezone.now())
    from django.contrib.auth.models import AnonymousUser

    for viewer in (AnonymousUser(), UserFactory()):
        page = feeds.feed_for_you(user=viewer, size=8)
        assert page.extra["source"] == "model"
        assert len(page.videos) == 8
        assert brand_new in page.videos  # unknown to the model: an exploration slot
        assert page.extra["cold_start"] == viewer.is_authenticated


def test_a_new_viewer_who_picked_topics_starts_with_them(world):
    services.rec_model_train(epochs=2)
    fan = UserFactory()
    services.topic_interests_set(user=fan, hashtags=[Hashtag.objects.get(name="cars")])

    page = feeds.feed_for_you(user=fan, size=8)

    exploit = [taste_of(world, v) for i, v in enumerate(page.videos) if (i + 1) % 4]
    assert exploit[:2] == ["cars", "cars"]
    assert exploit.count("cars") >= 4, exploit
    assert page.extra["cold_start"] is False


def test_followed_creators_come_first_for_a_new_viewer_without_a_model(world):
    fan = UserFactory()
    followed = world["creators"]["cars"][1]
    Follow.objects.create(follower=fan, followee=followed)
    for n, video in enumerate(world["videos"]["cats"][:10]):
        Video.objects.filter(pk=video.pk).update(trending_score=50 - n)

    page = feeds.feed_for_you(user=fan, size=6)

    assert sum(v.owner_id == followed.pk for v in page.videos) == 2  # the per-creator cap


def test_a_catalog_of_one_video_and_a_viewer_with_no_history(alice, bob):
    only = published_video(alice)
    Like.objects.create(user=UserFactory(), video=only)
    services.rec_model_train(epochs=1)

    page = feeds.feed_for_you(user=bob)

    assert ids(page.videos) == [only.pk]
    assert page.next_cursor is None
    assert feeds.feed_for_you(user=alice).videos == []  # only her own video


def test_an_empty_catalog_trains_nothing_and_serves_nothing(bob):
    assert services.rec_model_train(epochs=1) is None
    assert not RecModelVersion.objects.exists()

    assert feeds.feed_for_you(user=bob).videos == []


def test_a_page_costs_the_same_queries_whatever_its_size(world):
    services.rec_model_train(epochs=2)
    fan = world["fans"]["cats"][0]
    NotInterested.objects.create(user=fan, video=world["videos"]["cats"][0])
    Follow.objects.create(follower=fan, followee=world["creators"]["cars"][0])
    feeds.feed_for_you(user=fan, size=2)  # loads the model

    def count(size, user):
        with CaptureQueriesContext(connection) as queries:
            page = feeds.feed_for_you(user=user, size=size)
        assert page.videos
        return len(queries)

    from django.contrib.auth.models import AnonymousUser

    # Signed in, one of them is the people the viewer blocked, muted or was blocked by.
    assert count(2, fan) == count(30, fan) == 10
    assert count(2, AnonymousUser()) == count(30, AnonymousUser()) == 6

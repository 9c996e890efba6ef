"""Search at /search: ranking, filters, sorting, suggestions, typo tolerance, highlighting,
hostile input, paging, and what must never be found. Runs on SQLite and on PostgreSQL; the
PostgreSQL-only parts (the stored vector, pg_trgm) are marked."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search import selectors as search
from search.highlight import highlight, snippet
from search.services import video_search_vector_update
from tests.factories import UserFactory, described_video
from videos import services
from videos.models import Hashtag, Video

pytestmark = pytest.mark.django_db


clip = described_video


def found(query, **options):
    return [video.pk for video in search.search_videos(query=query, **options).items]


def html(response):
    return response.content.decode()


# --- what a query means -------------------------------------------------------------------------
def test_a_query_is_cleaned_into_word_terms():
    parsed = search.parse_query("  Cats\x00 & #Dogs!!  'cats' a:* ")

    assert parsed.terms == ("cats", "dogs", "a")
    assert "\x00" not in parsed.text


def test_a_long_query_is_shortened_and_says_so():
    parsed = search.parse_query("word " * 100)

    assert parsed.truncated
    assert len(parsed.text) <= search.MAX_QUERY_LENGTH
    assert len(parsed.terms) == 1  # the same word, once


@pytest.mark.parametrize("text", ["", "   ", "!!!", "'; --", "<>", "#", "@", "\x00"])
def test_nothing_to_search_for_finds_nothing(alice, text):
    clip(alice, title="Anything at all")

    assert search.parse_query(text).is_empty
    assert found(text) == []


# --- ranking ---------------------------------------------------------------------------------
def test_a_title_match_beats_a_hashtag_match_which_beats_a_description_match(alice):
    in_description = clip(alice, title="Sunday", description="my cats sleeping", like_count=50)
    in_title = clip(alice, title="Cats on a roof", description="sunny day")
    in_hashtag = clip(alice, title="Afternoon", description="lazy #cats", like_count=20)
    clip(alice, title="Dogs", description="no felines here")

    assert found("cats") == [in_title.pk, in_hashtag.pk, in_description.pk]


def test_equally_relevant_videos_go_by_popularity_then_recency(alice):
    now = timezone.now()
    older_popular = clip(alice, title="Rain", like_count=9, published_at=now - timedelta(days=3))
    newer = clip(alice, title="Rain", published_at=now - timedelta(hours=1))
    older = clip(alice, title="Rain", published_at=now - timedelta(days=2))

    assert found("rain") == [older_popular.pk, newer.pk, older.pk]


def test_every_word_must_match_and_a_word_may_be_cut_short(alice):
    dancing = clip(alice, title="Dancing in the rain")
    clip(alice, title="Dancing at home")
    clip(alice, title="Rain again")

    assert found("danc rain") == [dancing.pk]
    assert found("DANCING Rain") == [dancing.pk]


# --- what is never found ------------------------------------------------------------------------
def test_hidden_private_unlisted_unprocessed_and_deleted_videos_never_appear(alice, bob):
    shown = clip(alice, title="Secret garden")
    clip(alice, title="Secret garden", visibility=Video.Visibility.PRIVATE)
    clip(alice, title="Secret garden", visibility=Video.Visibility.UNLISTED)
    clip(alice, title="Secret garden", published_at=None)
    clip(alice, title="Secret garden", status=Video.Status.PROCESSING)
    clip(alice, title="Secret garden", status=Video.Status.FAILED)
    deleted = clip(alice, title="Secret garden")
    services.video_delete(video=deleted, by=alice)

    assert found("secret garden") == [shown.pk]
    labels = [s.label for s in search.search_suggestions(query="secret")]
    assert labels == ["Secret garden"]


def test_a_video_made_private_disappears_from_search(alice):
    video = clip(alice, title="Morning walk")
    assert found("morning") == [video.pk]

    services.video_update(
        video=video,
        by=alice,
        title=video.title,
        description="",
        visibility=Video.Visibility.PRIVATE,
        comments_enabled=True,
    )

    assert found("morning") == []


def test_hashtags_only_on_hidden_videos_are_not_suggested(alice):
    clip(alice, title="x", description="#hiddentag", visibility=Video.Visibility.PRIVATE)
    clip(alice, title="y", description="#showntag")

    assert [s.label for s in search.search_suggestions(query="#hidden")] == []
    assert [s.label for s in search.search_suggestions(query="#shown")] == ["#showntag"]


def test_inactive_users_never_appear_as_creators(alice):
    UserFactory(username="ghostly", display_name="Ghost", is_active=False)
    active = UserFactory(username="ghostwriter", display_name="Writer")

    creators = search.search_creators(query="ghost").items
    suggestions = search.search_suggestions(query="@ghost")

    assert [user.pk for user in creators] == [active.pk]
    assert [s.value for s in suggestions] == ["@ghostwriter"]


def test_creators_match_username_or_name_the_username_itself_first_then_its_start(alice):
    UserFactory(username="annabel", display_name="Belle")
    UserFactory(username="anna", display_name="Someone")
    by_name = UserFactory(username="zed", display_name="Anna Zed")
    for n in range(3):
        clip(by_name, title=f"Video {n}")

    creators = search.search_creators(query="Anna").items

    assert [user.username for user in creators] == ["anna", "annabel", "zed"]
    assert creators[2].public_video_count == 3
    assert str(creators[2].name_highlighted) == "<mark>Anna</mark> Zed"


# --- filters and sorting ------------------------------------------------------------------------
def test_date_filter_keeps_recent_videos(alice):
    now = timezone.now()
    today = clip(alice, title="Snow", published_at=now - timedelta(hours=3))
    this_week = clip(alice, title="Snow", published_at=now - timedelta(days=5))
    this_month = clip(alice, title="Snow", published_at=now - timedelta(days=20))
    this_year = clip(alice, title="Snow", published_at=now - timedelta(days=200))
    old = clip(alice, title="Snow", published_at=now - timedelta(days=800))

    def ids(date):
        return set(found("snow", date_filter=date))

    assert ids("today") == {today.pk}
    assert ids("week") == {today.pk, this_week.pk}
    assert ids("month") == {today.pk, this_week.pk, this_month.pk}
    assert ids("year") == {today.pk, this_week.pk, this_month.pk, this_year.pk}
    assert (
        ids("") == ids("forever") == {v.pk for v in (today, this_week, this_month, this_year, old)}
    )


def test_sort_by_newest_and_by_most_liked(alice):
    now = timezone.now()
    best_match_old = clip(alice, title="Coffee", published_at=now - timedelta(days=9))
    liked = clip(
        alice,
        title="Morning",
        description="coffee",
        like_count=30,
        published_at=now - timedelta(days=5),
    )
    newest = clip(alice, title="Cup", description="coffee", published_at=now - timedelta(hours=1))

    assert found("coffee") == [best_match_old.pk, liked.pk, newest.pk]
    assert found("coffee", sort="newest") == [newest.pk, liked.pk, best_match_old.pk]
    # Equally liked: the newer first.
    assert found("coffee", sort="liked") == [liked.pk, newest.pk, best_match_old.pk]
    assert found("coffee", sort="bogus") == found("coffee")


# --- the stored vector (PostgreSQL) ---------------------------------------------------------
def stored_vector(video):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM videos_video WHERE id = %s", [video.pk])
        return cursor.fetchone()[0] or ""


def lexeme_weights(video) -> dict[str, set[str]]:
    """{"quiet": {"A"}, ...} from the stored tsvector's text ('quiet':1A 'rain':5B,8C)."""
    weights = {}
    for item in stored_vector(video).split(" "):
        lexeme, _, positions = item.rpartition(":")
        weights[lexeme.strip("'")] = {
            p[-1] if p[-1].isalpha() else "D" for p in positions.split(",")
        }
    return weights


@pytest.mark.postgres
def test_the_stored_vector_weighs_title_hashtags_and_description(alice):
    video = clip(alice, title="Quiet <b>loop</b>", description="A walk #Rain & more")

    weights = lexeme_weights(video)

    assert weights["quiet"] == weights["loop"] == {"A"}  # the <b> does not hide "loop"
    assert weights["rain"] == {"B", "C"}  # a hashtag, and a word of the description
    assert weights["walk"] == weights["more"] == {"C"}


def test_search_follows_edits_of_title_description_and_hashtags(alice):
    video = clip(alice, title="Old title", description="#oldtag")
    assert found("old") == [video.pk]

    services.video_update(
        video=video,
        by=alice,
        title="Brand new",
        description="now with #newtag",
        visibility=video.visibility,
        comments_enabled=True,
    )

    assert found("old") == []
    assert found("oldtag") == []
    assert found("brand") == [video.pk]
    assert found("newtag") == [video.pk]


@pytest.mark.postgres
def test_every_write_path_keeps_the_vector_up_to_date(alice, settings):
    # The moderation console saves the whole row and edits hashtags directly; hashtags can
    # be renamed; processing saves the whole row from a copy loaded earlier.
    # These paths bump no cache version (the cached ids may lag by SEARCH_CACHE_SECONDS, see
    # tests/search/test_cache.py): this test is about the stored vector, so it reads uncached.
    settings.SEARCH_CACHE_SECONDS = 0
    video = clip(alice, title="Harbour", description="#boats")
    stale_copy = Video.objects.get(pk=video.pk)

    Video.objects.filter(pk=video.pk).update(title="Lighthouse")
    assert found("lighthouse") == [video.pk]

    video.refresh_from_db()
    video.title = "Harbour lights"
    video.save()
    assert found("harbour lights") == [video.pk]

    video.hashtags.add(Hashtag.objects.create(name="sailing"))
    assert found("sailing") == [video.pk]
    video.hashtags.remove(Hashtag.objects.get(name="boats"))
    video.description = ""
    video.save()
    assert found("boats") == []

    Hashtag.objects.filter(name="sailing").update(name="yachting")
    assert found("yachting") == [video.pk]
    assert found("sailing") == []

    # A full save of a copy loaded long ago writes every column, its old vector included;
    # the vector is still recomputed from what is there now.
    stale_copy.save()
    assert found("yachting") == [video.pk]


@pytest.mark.postgres
def test_reindexing_fills_in_missing_vectors(alice):
    videos = [clip(alice, title=f"Rebuild {n}", description="#again") for n in range(3)]
    Video.objects.update(search_vector=None)  # sets no title: the triggers do not fire
    assert found("rebuild") == []

    updated = video_search_vector_update(video_ids=[video.pk for video in videos])

    assert updated == 3
    assert sorted(found("rebuild again")) == sorted(v.pk for v in videos)


@pytest.mark.postgres
def test_the_migration_backfills_existing_rows(alice):
    from django.core.management import call_command

    # Without the triggers (before the migration), rows are written with no vector...
    call_command("migrate", "feeds", "0001", verbosity=0)
    video = clip(alice, title="Backfilled", description="#history")
    assert stored_vector(video) == ""

    call_command("migrate", "feeds", verbosity=0)

    assert found("backfilled history") == [video.pk]


@pytest.mark.postgres
def test_a_search_uses_the_gin_index(alice):
    for n in range(30):
        clip(alice, title=f"Clip {n}")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    query = search._tsquery(search.parse_query("clip"))

    plan = Video.objects.filter(search_vector=query).explain()

    assert "video_search_vector_gin" in plan


# --- typos (PostgreSQL: pg_trgm) ----------------------------------------------------------------
@pytest.mark.postgres
def test_a_typo_finds_what_was_meant(client, alice):
    video = clip(alice, title="Kittens", description="#kittens playing")

    assert found("kitens") == []
    assert search.search_did_you_mean(query="kitens") == "kittens"
    page = html(client.get("/search?q=kitens"))
    assert "showing results for <strong>kittens</strong>" in page
    assert f"/v/{video.short_id}" in page
    exact = html(client.get("/search?q=kitens&exact=True"))
    assert "Did you mean:" in exact
    assert 'href="/search?q=kittens"' in exact


def test_a_typo_is_logged_as_a_search_that_found_nothing(client, alice):
    from analytics.models import SearchLog

    clip(alice, title="Kittens", description="#kittens playing")

    client.get("/search?q=kitens")

    assert list(SearchLog.objects.values_list("query", "results")) == [("kitens", 0)]


@pytest.mark.postgres
def test_a_typo_in_a_username_still_finds_the_creator(alice):
    assert [user.pk for user in search.search_creators(query="alise").items] == [alice.pk]


@pytest.mark.postgres
def test_no_did_you_mean_when_nothing_is_close(alice):
    clip(alice, title="Kittens")

    assert search.search_did_you_mean(query="zzzqqq") is None


def test_did_you_mean_offers_no_word_of_a_removed_video(alice):
    # "kittens" is closer to the typo, but only a removed video has it.
    removed = clip(alice, title="Kittens", description="#kittens")
    services.video_set_moderation_state(video=removed, state=Video.ModerationState.REMOVED)
    clip(alice, title="Kitchens tour", description="#kitchens")

    assert search.search_did_you_mean(query="kitens") == "kitchens"


def test_did_you_mean_follows_the_viewers_blocks(alice, bob, carol):
    from accounts import services as accounts

    clip(alice, title="Sunset over the bay", description="golden #sunset")
    accounts.block_create(blocker=bob, blocked=alice)

    assert search.search_did_you_mean(query="sunst", viewer=carol) == "sunset"
    assert search.search_did_you_mean(query="sunst", viewer=bob) is None


@pytest.mark.postgres
def test_did_you_mean_offers_no_suspended_or_blocking_username(alice, bob):
    from accounts import services as accounts

    clip(alice, title="Kitchens tour", description="#kitchens")
    # "kittens" is closer to the typo, but its account may not be found.
    kittens = UserFactory(username="kittens")
    accounts.user_suspend(user=kittens)
    assert search.search_did_you_mean(query="kitens") == "kitchens"

    accounts.user_unsuspend(user=kittens)
    accounts.block_create(blocker=kittens, blocked=bob)
    assert search.search_did_you_mean(query="kitens", viewer=bob) == "kitchens"


# --- suggestions --------------------------------------------------------------------------------
def test_suggestions_offer_hashtags_creators_and_titles(alice):
    UserFactory(username="skater", display_name="Sk8")
    clip(alice, title="Skate park at night", description="#skateboard", like_count=3)

    suggestions = search.search_suggestions(query="ska")

    assert {(s.kind, s.value) for s in suggestions} == {
        ("hashtag", "#skateboard"),
        ("creator", "@skater"),
        ("video", "Skate park at night"),
    }
    creator = next(s for s in suggestions if s.kind == "creator")
    assert creator.url == "/@skater"


def test_hash_and_at_ask_for_one_kind_of_suggestion(alice):
    UserFactory(username="music_fan")
    clip(alice, title="Music box", description="#music")

    assert {s.kind for s in search.search_suggestions(query="#mus")} == {"hashtag"}
    assert {s.kind for s in search.search_suggestions(query="@mus")} == {"creator"}


def test_suggest_endpoint_returns_options_for_the_listbox_that_asked(client, alice):
    clip(alice, title="Sunset <3", description="#sunset")

    response = client.get(
        "/search/suggest?q=suns", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="site-search-suggestions"
    )

    body = html(response)
    assert "<html" not in body
    assert body.count('role="option"') == 2
    assert 'id="site-search-suggestions-1"' in body
    assert "Sunset &lt;3" in body and "<3" not in body
    assert 'hx-swap-oob="innerHTML:#site-search-suggestions-status"' in body
    assert "2 suggestions" in body
    assert "HX-Request" in response["Vary"]


def test_suggest_endpoint_ignores_an_unknown_listbox_and_short_input(client, alice):
    clip(alice, title="Sunset")

    body = html(
        client.get("/search/suggest?q=suns", HTTP_HX_REQUEST="true", HTTP_HX_TARGET='x"><b')
    )
    short = html(client.get("/search/suggest?q=s", HTTP_HX_REQUEST="true"))

    assert 'id="search-suggestions-1"' in body and 'x"' not in body
    assert 'role="option"' not in short


def test_suggest_without_javascript_is_the_search_itself(client):
    response = client.get("/search/suggest?q=rain%20walk")

    assert response.status_code == 302
    assert response["Location"] == "/search?q=rain+walk"


# --- highlighting -------------------------------------------------------------------------------
def test_highlight_escapes_the_text_and_marks_only_word_starts():
    marked = highlight('<b>Cats</b> & "bobcats" cat', ["cat"])

    assert marked == (
        "&lt;b&gt;<mark>Cat</mark>s&lt;/b&gt; &amp; &quot;bobcats&quot; <mark>cat</mark>"
    )


def test_highlight_never_marks_inside_an_escaped_entity():
    assert highlight("fish & chips < 5", ["amp", "lt"]) == "fish &amp; chips &lt; 5"


def test_snippet_is_a_highlighted_piece_of_the_description():
    text = "word " * 60 + "the <i>cat</i> sat" + " word" * 60

    piece = snippet(text, ["cat"])

    assert piece.startswith("…") and piece.endswith("…")
    assert "&lt;i&gt;<mark>cat</mark>&lt;/i&gt;" in piece
    assert len(piece) < 200
    assert snippet("nothing here", ["cat"]) == ""


def test_results_page_escapes_titles_and_marks_matches(client, alice):
    clip(alice, title='<img src=x onerror="alert(1)"> cats', description="<script>cats</script>")

    page = html(client.get("/search?q=cats"))

    assert "<img src=x" not in page and "<script>cats" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>cats</mark>" in page
    assert "&lt;script&gt;<mark>cats</mark>&lt;/script&gt;" in page


# --- the page -------------------------------------------------------------------------------------
def test_search_page_lists_matches_with_filters_and_tabs(client, alice):
    clip(alice, title="Ocean waves", description="#ocean")

    page = html(client.get("/search?q=ocean"))

    assert page.count("<h1") == 1
    assert page.count('class="video-card"') == 1
    assert "Videos matching “ocean”" in page
    assert '<label for="search-q">' in page and 'name="q" value="ocean"' in page
    assert '<label for="id_date">' in page and '<label for="id_sort">' in page
    assert 'href="/search?q=ocean&amp;type=creators"' in page
    assert 'id="site-search-q"' not in page  # no second search box in the header here


def test_every_other_page_has_a_labelled_search_box_in_the_header(client):
    page = html(client.get("/latest"))

    assert '<form class="site-search" method="get" action="/search" role="search"' in page
    assert '<label for="site-search-q"' in page and 'id="site-search-q"' in page


def test_creators_tab(client, alice):
    UserFactory(username="oceanic", display_name="Ocean Person")

    page = html(client.get("/search?q=ocean&type=creators"))

    assert "Creators matching “ocean”" in page
    assert 'href="/@oceanic"' in page
    assert "<mark>Ocean</mark> Person" in page
    assert 'class="video-card"' not in page


def test_empty_search_shows_popular_hashtags(client, alice):
    clip(alice, title="a", description="#popular")

    page = html(client.get("/search"))

    assert "What are you looking for?" in page
    assert 'href="/search?q=%23popular"' in page


def test_no_results_says_so_and_offers_other_searches(client, alice):
    page = html(client.get("/search?q=nothingmatches&date=week"))

    assert "Nothing matches “nothingmatches”" in page
    assert 'href="/search?q=nothingmatches"' in page  # any time
    assert "type=creators" in page


@pytest.mark.parametrize(
    "query",
    [
        "",
        "x" * 5000,
        "!!!???...",
        "'; DROP TABLE videos_video--",
        "a:* & !b",
        "a | b <-> c",
        "<script>alert(1)</script>",
        "\x00\x01",
        "'",
        '"quoted"',
        "%_%",
        "\\",
        "日本語 テスト",
        "ﷺ ² ½",
    ],
)
@pytest.mark.parametrize("tab", ["videos", "creators"])
def test_hostile_or_odd_queries_never_fail(client, alice, query, tab):
    clip(alice, title="Safe", description="#safe")

    response = client.get("/search", {"q": query, "type": tab})
    fragment = client.get("/search", {"q": query, "type": tab}, HTTP_HX_REQUEST="true")
    suggest = client.get("/search/suggest", {"q": query}, HTTP_HX_REQUEST="true")

    assert response.status_code == fragment.status_code == suggest.status_code == 200
    assert "<script>alert" not in html(response)
    assert Video.objects.count() == 1


def test_a_very_long_query_is_shortened_with_a_note(client):
    page = html(client.get("/search", {"q": "long " + "y" * 300}))

    assert "Searches are limited to 200 characters; yours was shortened." in page


def test_punctuation_only_says_what_to_type(client):
    page = html(client.get("/search", {"q": "?!*"}))

    assert "Type some letters or numbers: punctuation alone finds nothing." in page


def test_unknown_tab_sort_date_and_page_fall_back_to_defaults(client, alice):
    clip(alice, title="River")

    page = html(client.get("/search?q=river&type=nope&sort=nope&date=nope&page=abc"))

    assert page.count('class="video-card"') == 1
    assert '<option value="relevance" selected>' in page


# --- paging ---------------------------------------------------------------------------------------
def test_pages_are_plain_links_and_htmx_gets_just_the_results(client, alice, settings):
    for n in range(search.VIDEO_PAGE_SIZE + 3):
        clip(alice, title=f"Garden {n}")

    first = html(client.get("/search?q=garden"))
    assert first.count('class="video-card"') == search.VIDEO_PAGE_SIZE
    assert 'href="/search?q=garden&amp;page=2" rel="next"' in first

    plain = client.get("/search?q=garden&page=2")
    fragment = client.get("/search?q=garden&page=2", HTTP_HX_REQUEST="true")

    assert "<html" in html(plain) and html(plain).count('class="video-card"') == 3
    assert "<html" not in html(fragment) and html(fragment).count('class="video-card"') == 3
    assert 'id="search-results"' in html(fragment)
    assert 'rel="prev"' in html(fragment) and 'rel="next"' not in html(fragment)
    assert "HX-Request" in fragment["Vary"]
    assert fragment["HX-Push-Url"] == "/search?q=garden&page=2"


def test_the_form_sent_by_htmx_pushes_a_short_address(client, alice):
    response = client.get(
        "/search", {"q": " Dog  park ", "date": "", "sort": "relevance"}, HTTP_HX_REQUEST="true"
    )

    assert response["HX-Push-Url"] == "/search?q=Dog+park"


@pytest.mark.parametrize("page_number", ["3", "99", "201", "9" * 40])
def test_a_page_past_the_end_is_an_empty_state_with_a_way_back(client, alice, page_number):
    clip(alice, title="Puddle")

    response = client.get(f"/search?q=puddle&page={page_number}")

    assert response.status_code == 200
    assert "No more results" in html(response)
    assert 'href="/search?q=puddle"' in html(response)


@pytest.mark.parametrize("page_number", ["abc", "-2", "0", "1.5", ""])
def test_a_page_that_is_not_a_number_is_the_first_page(client, alice, page_number):
    clip(alice, title="Puddle")

    page = html(client.get(f"/search?q=puddle&page={page_number}"))

    assert page.count('class="video-card"') == 1


@pytest.mark.parametrize(
    "url",
    ["/search?q=clip", "/search?q=clip&sort=newest&date=year", "/search?q=user&type=creators"],
)
def test_a_results_page_costs_the_same_queries_whatever_it_holds(
    client, bob, url, django_assert_num_queries
):
    client.force_login(bob)

    def add(count):
        for _ in range(count):
            owner = UserFactory()
            clip(owner, title="Clip", description="#clip")

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(12)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert (
        html(response).count(
            'class="search-creator"' if "creators" in url else 'class="video-card"'
        )
        >= 14
    )

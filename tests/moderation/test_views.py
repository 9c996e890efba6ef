"""The report, block and standing pages: plain forms (JavaScript off) and htmx fragments."""

import pytest

from accounts.models import Block, Mute
from moderation import services
from moderation.models import Appeal, Report
from tests.conftest import csrf_post

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_report_page_is_a_plain_form_with_every_reason(client, bob, video):
    client.force_login(bob)

    page = client.get(f"/report/video/{video.short_id}").content.decode()

    assert "<h1>" in page and 'name="reason"' in page and 'value="privacy"' in page
    assert '<form method="post"' in page


def test_reporting_without_javascript_thanks_and_offers_a_block(client, bob, video):
    client.force_login(bob)

    response = csrf_post(
        client, f"/report/video/{video.short_id}", {"reason": "spam", "note": "Ads"}
    )

    page = response.content.decode()
    assert response.status_code == 200 and "Thank you for your report" in page
    assert "/@alice/block" in page and "Block @alice" in page
    assert Report.objects.get().note == "Ads"


def test_reporting_with_htmx_answers_the_dialog_fragment(client, bob, video):
    client.force_login(bob)

    form = client.get(f"/report/video/{video.short_id}", **HX).content.decode()
    done = csrf_post(client, f"/report/video/{video.short_id}", {"reason": "spam"}, **HX)

    assert "<html" not in form and 'hx-post="/report/video/' in form
    assert "<html" not in done.content.decode() and "Block @alice" in done.content.decode()


def test_a_bad_report_shows_the_form_again_with_the_message(client, bob, video):
    client.force_login(bob)

    no_reason = csrf_post(client, f"/report/video/{video.short_id}", {"note": "x"})
    too_long = csrf_post(
        client, f"/report/video/{video.short_id}", {"reason": "spam", "note": "x" * 1001}
    )
    csrf_post(client, f"/report/video/{video.short_id}", {"reason": "spam"})
    duplicate = csrf_post(client, f"/report/video/{video.short_id}", {"reason": "hate"})

    assert no_reason.status_code == 400 and "This field is required" in no_reason.content.decode()
    assert too_long.status_code == 400 and "at most 1000" in too_long.content.decode()
    assert duplicate.status_code == 400 and "already reported" in duplicate.content.decode()
    assert Report.objects.count() == 1


def test_past_the_quota_the_page_is_a_friendly_429(client, bob, video, settings):
    settings.MODERATION_REPORTS_PER_DAY = 0
    client.force_login(bob)

    response = csrf_post(client, f"/report/video/{video.short_id}", {"reason": "spam"})

    assert response.status_code == 429 and "many reports" in response.content.decode()
    assert not Report.objects.exists()


def test_visitors_are_sent_to_log_in_and_nothing_is_filed(client, video):
    response = csrf_post(client, f"/report/video/{video.short_id}", {"reason": "spam"})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Report.objects.exists()


def test_reporting_a_comment_and_an_account(client, bob, comment, carol):
    client.force_login(bob)

    csrf_post(client, f"/report/comment/{comment.pk}", {"reason": "hate"})
    csrf_post(client, "/report/account/carol", {"reason": "spam"})

    assert set(Report.objects.values_list("target_type", flat=True)) == {"comment", "account"}
    assert client.get("/report/comment/nope").status_code == 404
    assert client.get("/report/account/nobody").status_code == 404


def test_blocking_from_a_profile_without_and_with_javascript(client, bob, alice):
    client.force_login(bob)

    plain = csrf_post(client, "/@alice/block", {"next": "/@alice"})
    assert plain.status_code == 302 and Block.objects.filter(blocker=bob).exists()
    fragment = csrf_post(client, "/@alice/unblock", {"next": "/@alice"}, **HX)
    assert "<html" not in fragment.content.decode()
    assert "Block @alice" in fragment.content.decode() and not Block.objects.exists()
    csrf_post(client, "/@alice/mute", {})
    assert Mute.objects.filter(muter=bob, muted=alice).exists()


def test_a_visitor_cannot_block_and_an_unknown_person_is_404(client, alice, bob):
    assert csrf_post(client, "/@alice/block").status_code == 302
    client.force_login(bob)
    assert csrf_post(client, "/@nobody/block").status_code == 404
    assert not Block.objects.exists()


def test_the_blocked_and_muted_page_lists_and_undoes(client, bob, alice, carol):
    from accounts import services as account_services

    account_services.block_create(blocker=bob, blocked=alice)
    account_services.mute_create(muter=bob, muted=carol)
    client.force_login(bob)

    page = client.get("/settings/blocked/").content.decode()
    assert "Unblock @alice" in page and "Unmute @carol" in page
    csrf_post(client, "/@alice/unblock", {"next": "/settings/blocked/"})
    assert not Block.objects.exists()


def test_the_standing_page_lists_strikes_and_takes_an_appeal(client, alice, bob, mod, video):
    strike = services.action_take(moderator=mod, kind="warn", note="Careful", video=video)
    client.force_login(alice)

    page = client.get("/settings/standing/").content.decode()
    too_long = csrf_post(client, f"/settings/standing/{strike.pk}/appeal", {"text": "x" * 2001})
    sent = csrf_post(client, f"/settings/standing/{strike.pk}/appeal", {"text": "Please"})

    assert "Warn" in page and 'name="text"' in page
    assert too_long.status_code == 400 and "at most 2000" in too_long.content.decode()
    assert sent.status_code == 302
    client.force_login(bob)
    assert (
        csrf_post(client, f"/settings/standing/{strike.pk}/appeal", {"text": "Hi"}).status_code
        == 404
    )
    assert Appeal.objects.count() == 1


def test_the_video_page_and_its_comments_offer_report_mute_and_block(client, bob, video, comment):
    client.force_login(bob)

    page = client.get(f"/v/{video.short_id}").content.decode()

    assert f'href="/report/video/{video.short_id}?next=' in page
    assert f'href="/report/comment/{comment.pk}?next=' in page
    assert "/@carol/block" in page and "/@carol/mute" in page


@pytest.mark.parametrize("view", ["grid", "watch"])
def test_feed_cards_offer_report_in_their_menu(client, alice, bob, video, view):
    # The card's "More" menu (grid and watch mode) holds the video page's Report control: a
    # plain link to the report page, which with JavaScript opens the report dialog.
    report = f'href="/report/video/{video.short_id}?next=/latest"'

    client.force_login(bob)
    page = client.get(f"/latest?view={view}").content.decode()
    assert report in page and f'hx-get="/report/video/{video.short_id}?next=/latest"' in page
    assert 'class="card-menu"' in page and 'id="report-dialog"' in page

    client.force_login(alice)  # no reporting one's own video
    assert "/report/video/" not in client.get(f"/latest?view={view}").content.decode()
    client.logout()
    assert "/report/video/" not in client.get(f"/latest?view={view}").content.decode()


def test_a_cached_card_reports_back_to_the_page_it_is_on(client, bob, video):
    from feeds import cards
    from social import services as social

    social.follow_create(follower=bob, followee=video.owner)
    client.force_login(bob)

    client.get("/latest")  # bob's card, cached with the placeholder
    page = client.get("/following?date=week").content.decode()

    assert f'href="/report/video/{video.short_id}?next=/following"' in page
    assert cards.NEXT_PATH_PLACEHOLDER not in page


def test_the_community_rules_page_lists_the_rules_in_the_viewers_language(client):
    page = client.get("/rules").content.decode()

    assert page.count("<h1>") == 1 and "Community rules" in page
    assert page.count('class="community-rule"') == 10
    assert 'id="harassment"' in page and "Respect other people" in page

    client.cookies["django_language"] = "es"
    assert "Respeta a los demás" in client.get("/rules").content.decode()
    client.cookies["django_language"] = "ar"
    arabic = client.get("/rules").content.decode()
    assert "احترم الآخرين" in arabic and 'dir="rtl"' in arabic


def test_a_rule_edited_in_admin_shows_and_falls_back_to_english(client):
    from moderation.models import CommunityRule

    CommunityRule.objects.create(
        code="kindness", title_en="Be kind", body_en="Please.", position=99
    )

    client.cookies["django_language"] = "es"
    assert "Be kind" in client.get("/rules").content.decode()  # no Spanish yet: English


def test_the_footer_and_the_report_form_link_to_the_rules(client, bob, video):
    client.force_login(bob)

    assert 'href="/rules"' in client.get("/latest").content.decode()
    form = client.get(f"/report/video/{video.short_id}", HTTP_HX_REQUEST="true")
    assert 'href="/rules"' in form.content.decode()

"""The moderation console in Django admin, as the mod demo account uses it."""

from html.parser import HTMLParser

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from moderation import services
from moderation.models import AuditLog, ModerationAction, Report
from tests.conftest import csrf_post
from videos.models import Video

pytestmark = pytest.mark.django_db
QUEUE = "/admin/moderation/report/"


def test_the_queue_lists_open_reports_first_by_priority(client, mod, bob, carol, alice, video):
    from tests.factories import published_video

    quiet = published_video(alice, title="Quiet clip")
    services.report_create(reporter=bob, reason_code="spam", video=quiet)
    services.report_create(reporter=bob, reason_code="spam", video=video)
    services.report_create(reporter=carol, reason_code="hate", video=video)
    closed = services.report_create(reporter=carol, reason_code="spam", account=bob)
    Report.objects.filter(pk=closed.pk).update(status=Report.Status.DISMISSED)
    client.force_login(mod)

    page = client.get(QUEUE).content.decode()

    assert page.index("Alice&#x27;s clip") < page.index("Quiet clip") < page.index("Account: @bob")


def test_the_queue_filters_by_assignment(client, mod, bob, video):
    report = services.report_create(reporter=bob, reason_code="spam", video=video)
    client.force_login(mod)
    csrf_post(
        client,
        QUEUE,
        {"action": "assign_to_me", helpers.ACTION_CHECKBOX_NAME: [report.pk]},
    )

    mine = client.get(QUEUE + "?assigned=me").content.decode()
    nobody = client.get(QUEUE + "?assigned=nobody").content.decode()

    assert "Alice&#x27;s clip" in mine and "Alice&#x27;s clip" not in nobody
    assert AuditLog.objects.filter(verb="assign").exists()


def test_a_report_page_shows_the_target_with_a_player_and_the_creator_strikes(
    client, mod, bob, video
):
    report = services.report_create(reporter=bob, reason_code="spam", video=video)
    client.force_login(mod)

    page = client.get(f"{QUEUE}{report.pk}/change/").content.decode()

    assert "<video controls" in page and "No strikes." in page


def test_removing_asks_for_a_note_first_then_acts_through_the_services(client, mod, bob, video):
    report = services.report_create(reporter=bob, reason_code="spam", video=video)
    client.force_login(mod)
    data = {"action": "decide_remove", helpers.ACTION_CHECKBOX_NAME: [report.pk]}

    asked = csrf_post(client, QUEUE, data)
    empty = csrf_post(client, QUEUE, {**data, "apply": "1", "note": ""})
    done = csrf_post(client, QUEUE, {**data, "apply": "1", "note": "Spam ads"})

    assert asked.status_code == 200 and 'name="note"' in asked.content.decode()
    assert empty.status_code == 200 and "This field is required" in empty.content.decode()
    assert done.status_code == 302
    assert Video.objects.get(pk=video.pk).moderation_state == Video.ModerationState.REMOVED
    assert Report.objects.get().status == Report.Status.RESOLVED
    assert ModerationAction.objects.get().note == "Spam ads"


def test_suspending_for_some_days_from_the_queue(client, mod, bob, alice, video):
    report = services.report_create(reporter=bob, reason_code="harassment", video=video)
    client.force_login(mod)

    csrf_post(
        client,
        QUEUE,
        {
            "action": "decide_suspend",
            helpers.ACTION_CHECKBOX_NAME: [report.pk],
            "apply": "1",
            "note": "Harassment",
            "days": "7",
        },
    )

    alice.refresh_from_db()
    assert alice.is_suspended and alice.suspended_until is not None


def test_staff_without_the_group_sees_nothing_and_changes_nothing(client, staff, bob, video):
    report = services.report_create(reporter=bob, reason_code="spam", video=video)
    client.force_login(staff)

    assert client.get(QUEUE).status_code == 403
    response = csrf_post(
        client,
        QUEUE,
        {
            "action": "decide_remove",
            helpers.ACTION_CHECKBOX_NAME: [report.pk],
            "apply": "1",
            "note": "x",
        },
    )
    assert response.status_code == 403
    assert Video.objects.get(pk=video.pk).moderation_state == Video.ModerationState.VISIBLE
    assert client.get("/admin/videos/video/").status_code == 403


def test_the_mod_sees_videos_comments_and_users_lists(client, mod):
    client.force_login(mod)

    for url in ("/admin/videos/video/", "/admin/social/comment/", "/admin/accounts/user/"):
        assert client.get(url).status_code == 200, url


def test_the_admin_index_counts_open_reports_and_the_overview_adds_up(client, mod, bob, video):
    services.report_create(reporter=bob, reason_code="spam", video=video)
    services.action_take(moderator=mod, kind="warn", note="Hm", video=video)
    from tests.factories import published_video

    services.report_create(reporter=bob, reason_code="hate", video=published_video(video.owner))
    client.force_login(mod)

    index = client.get("/admin/").content.decode()
    overview = client.get(reverse("admin:moderation_overview")).content.decode()

    assert "1 open report" in index
    assert "spam" in overview and "hate" in overview and "mod" in overview


def test_the_audit_log_is_read_only(client, mod, video):
    services.action_take(moderator=mod, kind="warn", note="Hm", video=video)
    entry = AuditLog.objects.get()
    client.force_login(mod)

    assert client.get("/admin/moderation/auditlog/").status_code == 200
    assert csrf_post(client, f"/admin/moderation/auditlog/{entry.pk}/delete/").status_code == 403
    assert AuditLog.objects.count() == 1


def test_approving_an_appeal_in_admin_reverses_the_strike(client, mod, alice, video):
    strike = services.action_take(moderator=mod, kind="remove", note="Spam", video=video)
    appeal = services.appeal_create(user=alice, action=strike, text="Mine")
    client.force_login(mod)

    csrf_post(
        client,
        "/admin/moderation/appeal/",
        {
            "action": "approve",
            helpers.ACTION_CHECKBOX_NAME: [appeal.pk],
            "apply": "1",
            "note": "Fair",
        },
    )

    assert Video.objects.get(pk=video.pk).moderation_state == Video.ModerationState.VISIBLE


def test_deleting_a_video_in_admin_goes_through_the_service_and_its_files_go(
    client, mod, video, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = f"videos/{video.short_id}-{video.storage_token}/v1/fallback.mp4"
    default_storage.save(name, ContentFile(b"mp4"))
    client.force_login(mod)

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(client, f"/admin/videos/video/{video.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not default_storage.exists(name)


def test_deleting_a_comment_in_admin_fixes_the_video_count(client, mod, video, comment):
    Video.objects.filter(pk=video.pk).update(comment_count=1)
    client.force_login(mod)

    csrf_post(
        client,
        "/admin/social/comment/",
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [comment.pk], "post": "yes"},
    )

    assert Video.objects.get(pk=video.pk).comment_count == 0


def test_the_mod_edits_and_translates_the_community_rules_in_admin(client, mod):
    from moderation.models import CommunityRule

    client.force_login(mod)
    rule = CommunityRule.objects.get(code="spam")

    assert "No spam or scams" in client.get("/admin/moderation/communityrule/").content.decode()
    form = client.get(f"/admin/moderation/communityrule/{rule.pk}/change/").content.decode()
    assert 'name="title_es"' in form and 'name="body_ar"' in form
    response = csrf_post(
        client,
        f"/admin/moderation/communityrule/{rule.pk}/change/",
        {
            "code": "spam", "position": 0,
            "title_en": "No spam", "body_en": "None.",
            "title_es": "Sin spam", "body_es": "Nada.", "title_ar": "", "body_ar": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    client.cookies["django_language"] = "es"
    assert "Sin spam" in client.get("/rules").content.decode()


class _FormValues(HTMLParser):
    """What a page's forms send back as they are: inputs, ticked boxes, selected options and
    textareas (enough for an admin change form)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio"):
                self.data.setdefault(name, []).append(attrs.get("value") or "")
            elif "checked" in attrs:  # a ticked box without a value sends "on"
                self.data.setdefault(name, []).append(attrs.get("value") or "on")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.setdefault(self._select, []).append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def change_form(client, url: str) -> dict[str, list[str]]:
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def test_editing_a_video_in_admin_is_audited_with_the_fields_changed(client, mod, video):
    client.force_login(mod)
    url = f"/admin/videos/video/{video.pk}/change/"
    data = {**change_form(client, url), "title": ["A better title"]}

    response = csrf_post(client, url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Video.objects.get(pk=video.pk).title == "A better title"
    entry = AuditLog.objects.get(verb="admin_edit")
    assert (entry.actor, entry.target_key, entry.note) == (mod, f"video:{video.pk}", "title")
    assert "A better title" in entry.target_repr


def test_deleting_a_video_or_comments_in_admin_is_audited(client, mod, video, comment):
    client.force_login(mod)
    comment_key, video_key = f"comment:{comment.pk}", f"video:{video.pk}"

    csrf_post(
        client,
        "/admin/social/comment/",
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [comment.pk], "post": "yes"},
    )
    csrf_post(client, f"/admin/videos/video/{video.pk}/delete/", {"post": "yes"})

    deleted = AuditLog.objects.filter(verb="admin_delete", actor=mod).order_by("pk")
    assert [entry.target_key for entry in deleted] == [comment_key, video_key]
    assert "A comment by Carol" in deleted[0].target_repr
    assert "Alice's clip" in deleted[1].target_repr


def test_editing_and_deleting_an_account_in_admin_is_audited(client, admin_user, bob):
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{bob.pk}/change/"
    data = {**change_form(client, url), "display_name": ["Bobby"]}

    assert csrf_post(client, url, data).status_code == 302
    csrf_post(client, f"/admin/accounts/user/{bob.pk}/delete/", {"post": "yes"})

    entries = AuditLog.objects.filter(actor=admin_user, target_key=f"account:{bob.pk}")
    assert [(e.verb, e.note) for e in entries.order_by("pk")] == [
        ("admin_edit", "display_name"),
        ("admin_delete", ""),
    ]


def test_a_refused_admin_deletion_writes_no_audit_entry(client, staff, video):
    # Staff status alone grants nothing: no deletion, and nothing in the audit log.
    client.force_login(staff)

    csrf_post(client, f"/admin/videos/video/{video.pk}/delete/", {"post": "yes"})

    assert Video.objects.filter(pk=video.pk).exists()
    assert not AuditLog.objects.exists()

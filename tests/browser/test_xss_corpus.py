"""An XSS corpus through every user text field, rendered in Chromium wherever it shows: the
video page, feed cards, search results and their highlighting, profiles, notifications, the
admin, the live socket fragments and the emails; report notes, and what moderation decisions
carry (titles, comments, moderators' notes) in the report queue, notices, the account standing
page and emails. A payload that runs calls `__xss(n)`.

The browser ignores the Content-Security-Policy here (bypass_csp): escaping is tested on its
own, as the first layer; the policy is the second (test_security_headers.py).
`make security` reads the report this writes (XSS_REPORT) for its `xss_executed` count.
"""

import json
import os
from html import escape

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client

from moderation import services as moderation_services
from moderation.models import ReportReason
from social import services as social_services
from social.models import COMMENT_MAX_LENGTH
from tests.factories import UserFactory, published_video
from videos import services as video_services
from videos.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH

pytestmark = pytest.mark.django_db(transaction=True)

RLO = "\u202e"
# {n} is the payload's number, so that a hit names its payload.
PAYLOADS = [
    "<script>__xss({n})</script>",
    "<img src=x onerror=__xss({n})>",
    '<img src="x" onerror="__xss({n})">',
    "<svg onload=__xss({n})>",
    "<svg><script>__xss({n})</script></svg>",
    "<body onload=__xss({n})>",
    "<iframe srcdoc='<script>parent.__xss({n})</script>'></iframe>",
    '<a href="javascript:__xss({n})" id="xss{n}">x</a>',
    "javascript:__xss({n})",
    '"><script>__xss({n})</script>',
    "'><img src=x onerror=__xss({n})>",
    '" onmouseover="__xss({n})" autofocus onfocus="__xss({n})" x="',
    "' onfocus='__xss({n})' autofocus '",
    "</textarea><script>__xss({n})</script>",
    "</title><script>__xss({n})</script>",
    "</script><script>__xss({n})</script>",
    "<details open ontoggle=__xss({n})>",
    "<video><source onerror=__xss({n})></video>",
    "<input autofocus onfocus=__xss({n})>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss({n})>",
    '<noscript><p title="</noscript><img src=x onerror=__xss({n})>">',
    "{{{{ 7*7 }}}}<img src=x onerror=__xss({n})>",
    "{{% debug %}}<svg onload=__xss({n})>",
    "${{__xss({n})}}<img src=x onerror=__xss({n})>",
    f"{RLO}<img src=x onerror=__xss({{n}})>{RLO}",
    "#tag<img src=x onerror=__xss({n})> @alice<svg onload=__xss({n})>",
    "#<script>__xss({n})</script>",
    "@<img/src/onerror=__xss({n})>",
    '<a href="&#106;avascript:__xss({n})">y</a>',
    "%3Cscript%3E__xss({n})%3C/script%3E<svg/onload=__xss({n})>",
    '<object data="javascript:__xss({n})"></object>',
    '<embed src="javascript:__xss({n})">',
    "<form><button formaction=javascript:__xss({n})>b</button></form>",
    "<style>@import 'javascript:__xss({n})';</style><img src=x onerror=__xss({n})>",
    "<img src=x onerror=__xss({n})>" + "A" * 2000,
]


def payload(n: int, limit: int | None = None) -> str:
    text = PAYLOADS[n].format(n=n)
    return text[:limit] if limit else text


HOOK = """() => {
    window.__hits = window.__hits || [];
    window.__xss = (n) => window.__hits.push(n);
}"""


@pytest.fixture
def corpus(settings):
    """Every payload in every user text field: titles, descriptions (and so hashtags and
    mentions), comments, display names, bios and report notes; plus a viewer to receive
    notifications, and moderation decisions that carry the payloads to notices and emails."""
    alice = UserFactory(username="alice", display_name="Alice")
    mod = UserFactory(username="mod", is_staff=True, is_superuser=True)
    authors, videos = [], []
    for n in range(len(PAYLOADS)):
        author = UserFactory(display_name=payload(n, 50), bio=payload(n, 160))
        authors.append(author)
        video = published_video(author, title=payload(n, TITLE_MAX_LENGTH))
        video = video_services.video_update(
            video=video, by=author, title=video.title,
            description=payload(n, DESCRIPTION_MAX_LENGTH) + " #xss @alice",
            visibility="public", comments_enabled=True,
        )  # fmt: skip
        videos.append(video)
        social_services.follow_create(follower=author, followee=alice)
    target = published_video(alice, title="Alice's clip")
    comments = []
    for n, author in enumerate(authors):
        comments.append(
            social_services.comment_create(
                user=author, video=target, body=payload(n, COMMENT_MAX_LENGTH)
            )
        )
        social_services.like_create(user=author, video=target)
    reports = _reports_and_decisions(settings, alice, mod, authors, videos, comments, target)
    return {
        "alice": alice, "mod": mod, "authors": authors, "videos": videos, "target": target,
        "reports": reports, "moderation_mail": list(mail.outbox),
    }  # fmt: skip


def _reports_and_decisions(settings, alice, mod, authors, videos, comments, target):
    """Alice reports every payload's video, comment or account with the payload as her note;
    each author reports Alice's clip with theirs. A moderator warns about each reported video
    and comment (a strike for its author, an outcome for Alice: notices and emails naming the
    payload) with the payload as the decision's note, and dismisses the account reports."""
    settings.RATELIMITS = {**settings.RATELIMITS, "report": "1000/h/user"}
    settings.MODERATION_REPORTS_PER_DAY = settings.MODERATION_REPORTS_PER_30_DAYS = 1000
    # The seeded catalogue (a data migration) is gone after an earlier transactional test.
    ReportReason.objects.get_or_create(code="spam", defaults={"label": "Spam or scam"})
    reports = []
    for n, author in enumerate(authors):
        kind = ("video", "comment", "account")[n % 3]
        thing = {"video": videos[n], "comment": comments[n], "account": author}[kind]
        reports.append(
            moderation_services.report_create(
                reporter=alice, reason_code="spam", note=payload(n, 1000), **{kind: thing}
            )
        )
        moderation_services.report_create(
            reporter=author, reason_code="spam", note=payload(n, 1000), video=target
        )
        moderation_services.action_take(
            moderator=mod, kind="dismiss" if kind == "account" else "warn",
            note=payload(n, 1000), **{kind: thing},
        )  # fmt: skip
    return reports


def _session_page(browser, live_server, user=None):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.route("**/events", lambda route: route.abort())
    context.add_init_script(f"({HOOK})()")
    if user is not None:
        _sign_in(context, live_server, user)
    return context.new_page()


def _sign_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.clear_cookies()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip


def _visit(page, url, hits, where):
    page.goto(url)
    page.wait_for_load_state("load")
    # Give handlers (focus, load, toggle) their chance; hover and click the links too.
    page.wait_for_timeout(300)
    for link in page.locator("a[id^=xss]").all()[:3]:
        link.click(no_wait_after=True, timeout=2000)
    for n in page.evaluate("window.__hits"):
        hits.add(f"payload {n} on {where}")
    page.evaluate("window.__hits = []")


def _render(page, html, hits, where):
    page.set_content(html)
    page.wait_for_timeout(200)
    for n in page.evaluate("window.__hits"):
        hits.add(f"payload {n} in {where}")
    page.evaluate("window.__hits = []")


@pytest.mark.timeout(900)  # about 200 page loads: several minutes on a busy 2-core runner
def test_no_payload_runs_anywhere(browser, live_server, corpus):
    hits: set[str] = set()
    alice, mod, target = corpus["alice"], corpus["mod"], corpus["target"]
    anonymous = _session_page(browser, live_server)
    base = live_server.url
    pages = [
        ("/latest", "feed cards"),
        ("/trending", "trending cards"),
        ("/tag/xss", "hashtag page"),
        (f"/v/{target.short_id}", "video page with comments"),
        (f"/v/{target.short_id}/comments", "comments page"),
        ("/search?q=img+onerror+script+svg", "search results"),
        ("/search?q=xss&type=creators", "creator search"),
        ("/search?q=" + "%3Cimg+src%3Dx+onerror%3D__xss(999)%3E", "search box echo"),
    ]
    pages += [
        (f"/v/{video.short_id}", f"video page {n}") for n, video in enumerate(corpus["videos"])
    ]
    pages += [
        (f"/@{author.username}", f"profile {n}") for n, author in enumerate(corpus["authors"])
    ]
    for path, where in pages:
        _visit(anonymous, base + path, hits, where)
    suggest = anonymous.request.get(base + "/search/suggest?q=img", headers={"HX-Request": "true"})
    _render(anonymous, suggest.text(), hits, "search suggestions")

    signed_in = _session_page(browser, live_server, alice)
    for path, where in [("/notifications/", "notifications"), ("/@alice/followers", "followers")]:
        _visit(signed_in, base + path, hits, where)
    # Moderation notices (a strike names the payload's video or comment) and the standing page,
    # as each struck author (one browser context, its session cookie swapped).
    struck = _session_page(browser, live_server)
    for n, author in enumerate(corpus["authors"]):
        if n % 3 == 2:
            continue  # account reports were dismissed: no strike
        _sign_in(struck.context, live_server, author)
        _visit(struck, base + "/notifications/", hits, f"moderation notice {n}")
        _visit(struck, base + "/settings/standing/", hits, f"account standing {n}")

    staff = _session_page(browser, live_server, mod)
    for path, where in [
        ("/admin/videos/video/", "admin videos"),
        ("/admin/accounts/user/", "admin users"),
        ("/admin/social/comment/", "admin comments"),
        (f"/admin/videos/video/{corpus['videos'][0].pk}/change/", "admin video form"),
        ("/admin/moderation/report/", "admin report queue"),
        ("/admin/moderation/moderationaction/", "admin moderation actions"),
        ("/admin/moderation/auditlog/", "admin audit log"),
    ]:
        _visit(staff, base + path, hits, where)
    for n, report in enumerate(corpus["reports"]):  # the note, and the reported thing's preview
        path = f"/admin/moderation/report/{report.pk}/change/"
        _visit(staff, base + path, hits, f"admin report {n} ({report.target_type})")
        if n == 0:  # the note is really on the page, shown as text
            assert payload(0) in staff.locator("body").inner_text()

    # The live socket fragments are these templates, rendered once per event.
    from django.contrib.auth.models import AnonymousUser

    from social.selectors import comment_with_replies

    for comment in target.comments.all()[:40]:
        html = render_to_string(
            "social/_comment.html",
            {"comment": comment_with_replies(pk=comment.pk), "video": target, "live": True,
             "user": AnonymousUser()},
        )  # fmt: skip
        _render(staff, f"<!DOCTYPE html><body>{html}</body>", hits, "live comment fragment")
    # Emails: the digest, the notification emails and moderation's (outcomes to the reporter,
    # strikes to the creators), as a mail client would show them.
    mail.outbox = []
    social_services.notification_preference_update(user=alice, daily_digest=True)
    assert social_services.digest_send(user=alice)
    assert len(corpus["moderation_mail"]) >= len(PAYLOADS)
    for message in mail.outbox + corpus["moderation_mail"]:
        for body, kind in [(message.body, "text/plain"), *getattr(message, "alternatives", [])]:
            # A mail client shows text/plain as text: escaped here as it would be there.
            html = body if kind == "text/html" else f"<pre>{escape(body)}</pre>"
            _render(staff, html, hits, "email")

    report = os.environ.get("XSS_REPORT")
    if report:
        with open(report, "w") as handle:
            json.dump({"payloads": len(PAYLOADS), "executed": sorted(hits)}, handle)
    assert len(PAYLOADS) >= 30
    assert not hits, sorted(hits)


def test_the_hook_would_catch_a_payload_that_runs(browser, live_server):
    # The detector itself works: an unescaped payload is caught.
    page = _session_page(browser, live_server)
    page.goto(live_server.url + "/latest")
    hits: set[str] = set()
    _render(page, payload(1), hits, "raw html")
    assert hits == {"payload 1 in raw html"}

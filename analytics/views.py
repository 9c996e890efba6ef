"""The creator's analytics in the studio: the dashboard, one video's page, CSV exports."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import charts, live, selectors
from analytics.models import SOURCES
from analytics.selectors import PERIODS, VIDEO_COLUMNS
from core.http import wants_fragment


def _column_labels():
    return {
        "title": _("Video"),
        "plays": _("Plays"),
        "engaged_plays": _("Engaged plays"),
        "completion_rate": _("Completion rate"),
        "loops_per_play": _("Loops per play"),
        "avg_watch_seconds": _("Average watch time (s)"),
        "unique_viewers": _("Unique viewers"),
        "likes": _("Likes"),
        "comments": _("Comments"),
        "shares": _("Shares"),
        "follows_gained": _("Follows gained"),
        "watch_seconds": _("Watch time (s)"),
    }


def source_labels():
    return {
        "for_you": _("For You"),
        "following": _("Following"),
        "profile": _("Profile"),
        "search": _("Search"),
        "hashtag": _("Hashtag"),
        "link": _("Shared link or embed"),
        "watch": _("Watch page"),
        "other": _("Other"),
    }


def _plays_chart(series, *, days):
    total = sum(point["plays"] for point in series)
    peak = max(series, key=lambda point: point["plays"]) if series else None
    summary = ngettext(
        "%(total)s play over the last %(days)s day.",
        "%(total)s plays over the last %(days)s days.",
        days,
    ) % {"total": total, "days": days}
    if peak and peak["plays"]:
        summary += " " + _("The busiest day was %(day)s with %(plays)s.") % {
            "day": peak["day"].isoformat(),
            "plays": peak["plays"],
        }
    return charts.line_chart(
        title=_("Plays per day"),
        summary=summary,
        points=[(point["day"].isoformat(), point["plays"]) for point in series],
        rtl=get_language_bidi(),
    )


def _retention_chart(retention):
    points = [(f"{row['point']}%", round(row["share"] * 100, 1)) for row in retention]
    half = next((row["point"] for row in retention if row["share"] < 0.5), None)
    if not retention or not retention[0]["share"]:
        summary = _("No plays in this period yet.")
    elif half is None:
        summary = _("More than half of the plays reached the end.")
    else:
        summary = _("Half of the plays had ended before %(point)s%% of the clip.") % {"point": half}
    return charts.line_chart(
        title=_("Retention: share of plays still watching"),
        summary=summary,
        points=points,
        rtl=get_language_bidi(),
        unit="%",
        y_max=100,
    )


def _sort(request):
    sort = request.GET.get("sort", "plays")
    if sort not in VIDEO_COLUMNS and sort != "title":
        sort = "plays"
    return sort, request.GET.get("dir", "desc") != "asc"


@login_required
@require_GET
def dashboard(request):
    days = selectors.days_param(request.GET.get("days"))
    sort, descending = _sort(request)
    series = selectors.creator_series(creator=request.user, days=days)
    context = {
        "days": days,
        "periods": PERIODS,
        "totals": selectors.creator_totals(creator=request.user, days=days),
        "series": series,
        "chart": _plays_chart(series, days=days),
        # A page of the table at a time; the CSV export has all of it.
        "videos": Paginator(
            selectors.creator_video_table(
                creator=request.user, days=days, sort=sort, descending=descending
            ),
            selectors.TABLE_PAGE_SIZE,
        ).get_page(request.GET.get("page")),
        "columns": [("title", _column_labels()["title"])]
        + [(name, _column_labels()[name]) for name in VIDEO_COLUMNS],
        "sort": sort,
        "descending": descending,
    }
    return render(request, "analytics/dashboard.html", context)


@login_required
@require_GET
def video_detail(request, short_id):
    video = selectors.video_get_for_stats(short_id=short_id, user=request.user)
    days = selectors.days_param(request.GET.get("days"))
    totals = selectors.video_totals(video=video, days=days)
    series = selectors.video_series(video=video, days=days)
    labels = source_labels()
    plays = totals["plays"]
    sources = [
        {
            "name": labels[name],
            "plays": totals["traffic_sources"][name],
            "share": round(100 * totals["traffic_sources"][name] / plays, 1) if plays else 0,
        }
        for name in SOURCES
    ]
    context = {
        "video": video,
        "days": days,
        "periods": PERIODS,
        "totals": totals,
        "series": series,
        "chart": _plays_chart(series, days=days),
        "retention_chart": _retention_chart(totals["retention"]),
        "sources": sorted(
            ({**row, "bar": round(row["share"] * 0.8, 1)} for row in sources),
            key=lambda row: -row["plays"],
        ),
        **live.live_context(video=video),
    }
    return render(request, "analytics/video.html", context)


@login_required
@require_GET
def video_live(request, short_id):
    """The live counters again: polled by the page while its socket is down (htmx); a plain
    request goes to the whole page, which shows them too."""
    video = selectors.video_get_for_stats(short_id=short_id, user=request.user)
    if not wants_fragment(request):
        return redirect("analytics:video", short_id=video.short_id)
    return render(request, "analytics/video.html#live", live.live_context(video=video))


# --- CSV exports: streamed, so a creator with thousands of videos never waits on a buffer ---
class _Echo:
    def write(self, value):
        return value


def _csv_response(filename: str, header: list[str], rows):
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EXPORT_MEASURES = [m for m in selectors.SUMMED if not m.startswith(("src_", "ret_"))]


@login_required
@require_GET
def export(request, table):
    """The dashboard's tables as CSV: `videos` (the per-video table), `daily` (the chart's
    data), `rows` (every daily row of every video: the full export)."""
    days = selectors.days_param(request.GET.get("days"))
    creator = request.user
    if table == "videos":
        sort, descending = _sort(request)
        header = ["short_id", "title", *VIDEO_COLUMNS]
        videos = selectors.creator_video_table(
            creator=creator, days=days, sort=sort, descending=descending
        )
        rows = ([v["short_id"], v["title"], *(v[c] for c in VIDEO_COLUMNS)] for v in videos)
    elif table == "daily":
        series = selectors.creator_series(creator=creator, days=days)
        header = ["day", *selectors.SERIES_COLUMNS]
        rows = ([p["day"].isoformat(), *(p[c] for c in selectors.SERIES_COLUMNS)] for p in series)
    else:  # "rows", the only other route
        header = ["day", "short_id", *selectors.SUMMED]
        raw = selectors.creator_daily_rows(
            creator=creator, days=days if "days" in request.GET else None
        )
        rows = ([start.date().isoformat(), *rest] for start, *rest in raw)
    return _csv_response(f"microvid-{table}-{days}d.csv", header, rows)


@login_required
@require_GET
def video_export(request, short_id, table):
    """One video's tables as CSV: `daily`, `sources`, `retention`."""
    video = selectors.video_get_for_stats(short_id=short_id, user=request.user)
    days = selectors.days_param(request.GET.get("days"))
    if table == "daily":
        series = selectors.video_series(video=video, days=days)
        header = ["day", *selectors.SERIES_COLUMNS]
        rows = ([p["day"].isoformat(), *(p[c] for c in selectors.SERIES_COLUMNS)] for p in series)
    else:
        totals = selectors.video_totals(video=video, days=days)
        if table == "sources":
            header = ["source", "plays"]
            rows = ([name, totals["traffic_sources"][name]] for name in SOURCES)
        else:
            header = ["point_percent", "share_of_plays"]
            rows = ([row["point"], row["share"]] for row in totals["retention"])
    return _csv_response(f"microvid-{video.short_id}-{table}-{days}d.csv", header, rows)

"""Reads of likes, comments, follows and notifications."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from social import notices
from social.models import Comment, Follow, Like, Notification, NotificationPreference
from videos.models import Video

COMMENTS_PER_PAGE = 20
USERS_PER_PAGE = 30
NOTIFICATION_GROUPS_PER_PAGE = 30
# Notifications are grouped in Python from this many of the newest rows.
NOTIFICATION_WINDOW = 300
COMMENT_SORTS = ("newest", "top")


# --- videos ------------------------------------------------------------------------------------
def video_is_visible(*, video: Video, user) -> bool:
    """Whether the user may see the video (and so its likes and comments): published, ready,
    public or unlisted videos for everyone; any of their own videos for its creator."""
    if user is not None and user.is_authenticated and video.owner_id == user.pk:
        return True
    return video_is_open(video=video)


def video_is_open(*, video: Video) -> bool:
    """Whether the video takes likes and comments at all: published, ready and not private."""
    return (
        video.status == Video.Status.READY
        and video.published_at is not None
        and video.visibility in (Video.Visibility.PUBLIC, Video.Visibility.UNLISTED)
    )


def video_get_visible(*, short_id: str, user) -> Video:
    """The video with this short id if the user may see it, else 404 (so that nobody learns
    that a private video or a draft exists)."""
    video = get_object_or_404(
        Video.objects.select_related("owner"), short_id=short_id, owner__is_active=True
    )
    if not video_is_visible(video=video, user=user):
        raise Http404
    return video


def video_visible_id(*, short_id: str, user) -> int | None:
    """The primary key of the video if the user may see it, else None (for sockets)."""
    try:
        return video_get_visible(short_id=short_id, user=user).pk
    except Http404:
        return None


def video_url(video: Video) -> str:
    """The video page. It lives in the videos app; until its route exists, the known path."""
    try:
        return reverse("videos:watch", args=[video.short_id])
    except NoReverseMatch:
        return f"/v/{video.short_id}"


# --- likes -------------------------------------------------------------------------------------
def like_exists(*, user, video: Video) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Like.objects.filter(user=user, video=video).exists()


def viewer_video_states(*, user, videos) -> dict:
    """What the viewer has done to a page of videos, for their cards: `liked_video_ids` and
    `followed_user_ids` (those of the videos' creators the viewer follows). Two queries
    whatever the page's size, none for visitors."""
    videos = list(videos)
    if user is None or not user.is_authenticated or not videos:
        return {"liked_video_ids": set(), "followed_user_ids": set()}
    liked = Like.objects.filter(user=user, video_id__in=[video.pk for video in videos])
    followed = Follow.objects.filter(
        follower=user, followee_id__in={video.owner_id for video in videos}
    )
    return {
        "liked_video_ids": set(liked.values_list("video_id", flat=True)),
        "followed_user_ids": set(followed.values_list("followee_id", flat=True)),
    }


def video_like_count(*, video_id: int) -> int:
    return Video.objects.filter(pk=video_id).values_list("like_count", flat=True).first() or 0


# --- comments ----------------------------------------------------------------------------------
def _comment_queryset():
    return Comment.objects.select_related("author", "video").prefetch_related("mentions")


def comment_get(*, pk: int) -> Comment:
    return get_object_or_404(_comment_queryset(), pk=pk)


def comment_with_replies(*, pk: int) -> Comment:
    return get_object_or_404(_comment_queryset().prefetch_related(_replies_prefetch()), pk=pk)


def _replies_prefetch():
    return Prefetch(
        "replies",
        queryset=_comment_queryset().order_by("created_at", "pk"),
        to_attr="reply_list",
    )


def comments_page(*, video: Video, sort: str = "newest", page=1) -> Page:
    """A page of a video's comments (with their replies, oldest reply first)."""
    comments = _comment_queryset().filter(video=video, parent=None)
    if sort == "top":
        comments = comments.order_by("-reply_count", "-created_at", "-pk")
    else:
        comments = comments.order_by("-created_at", "-pk")
    comments = comments.prefetch_related(_replies_prefetch())
    return Paginator(comments, COMMENTS_PER_PAGE).get_page(page)


def video_comment_count(*, video_id: int) -> int:
    return Video.objects.filter(pk=video_id).values_list("comment_count", flat=True).first() or 0


def video_social_context(*, video: Video, user, sort: str = "newest", page=1) -> dict:
    """Everything the like button and the comments partials need, for a page showing a video:
    `{% include "social/_like_button.html" %}` and `{% include "social/_comments.html" %}`."""
    from social.forms import CommentForm

    sort = sort if sort in COMMENT_SORTS else "newest"
    return {
        "video": video,
        "liked": like_exists(user=user, video=video),
        "comments": comments_page(video=video, sort=sort, page=page),
        "form": CommentForm(video=video),
        "sort": sort,
        "comments_open": video_is_open(video=video) and video.comments_enabled,
    }


# --- follows -----------------------------------------------------------------------------------
def follow_exists(*, follower, followee) -> bool:
    if follower is None or not follower.is_authenticated:
        return False
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def follower_count(*, user) -> int:
    return Follow.objects.filter(followee=user, follower__is_active=True).count()


def following_count(*, user) -> int:
    return Follow.objects.filter(follower=user, followee__is_active=True).count()


def followers_page(*, user, page=1) -> Page:
    """A page of the user's followers (Follow rows, newest first: use `follow.follower`)."""
    follows = (
        Follow.objects.filter(followee=user, follower__is_active=True)
        .select_related("follower")
        .order_by("-created_at", "-pk")
    )
    return Paginator(follows, USERS_PER_PAGE).get_page(page)


def following_page(*, user, page=1) -> Page:
    """A page of the people the user follows (Follow rows: use `follow.followee`)."""
    follows = (
        Follow.objects.filter(follower=user, followee__is_active=True)
        .select_related("followee")
        .order_by("-created_at", "-pk")
    )
    return Paginator(follows, USERS_PER_PAGE).get_page(page)


def suggested_creators(user, *, limit: int = 10) -> list[User]:
    """Creators worth following: people with public videos, most followed first (then those
    who published most recently), leaving out the user and the people they already follow
    (the Following feed's empty state).

    The most-followed are ranked from the follow table alone (an index-only aggregate) and only
    a few of them are checked for public videos: ranking every creator joined with their
    followers and videos took seconds on 10,000 users and 100,000 videos (bench/discovery.py).
    """
    public_videos = Video.objects.filter(
        status=Video.Status.READY,
        visibility=Video.Visibility.PUBLIC,
        published_at__isnull=False,
    )
    creators = User.objects.filter(
        Exists(public_videos.filter(owner=OuterRef("pk"))), is_active=True
    )
    follows = Follow.objects.all()
    if user is not None and user.is_authenticated:
        followed = Follow.objects.filter(follower=user).values("followee")
        creators = creators.exclude(pk=user.pk).exclude(pk__in=followed)
        follows = follows.exclude(followee=user).exclude(followee__in=followed)
    # A few times `limit` of the most followed: inactive or video-less ones drop out below.
    ranked = list(
        follows.values_list("followee", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n", "followee")[: limit * 4]
    )
    by_id = creators.in_bulk(ranked)
    suggestions = [by_id[pk] for pk in ranked if pk in by_id][:limit]
    if len(suggestions) < limit:
        # Not enough followed creators (a young site): the most recent publishers fill in.
        recent = (
            creators.exclude(pk__in=[creator.pk for creator in suggestions])
            .annotate(
                latest_video_at=Subquery(
                    public_videos.filter(owner=OuterRef("pk"))
                    .order_by("-published_at")
                    .values("published_at")[:1]
                )
            )
            .order_by("-latest_video_at", "pk")
        )
        suggestions += list(recent[: limit - len(suggestions)])
    return suggestions


# --- notifications -----------------------------------------------------------------------------
def unread_notification_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()


@dataclass
class NotificationGroup:
    """Notifications shown as one line: "Ana and 3 others liked your video"."""

    verb: str
    video: Video | None
    comment: Comment | None
    latest_at: datetime
    unread: bool
    actors: list = field(default_factory=list)
    ids: list = field(default_factory=list)

    @property
    def first_actor(self):
        return self.actors[0]

    @property
    def others(self) -> int:
        return len(self.actors) - 1

    data: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        if self.verb == Notification.Verb.NOTICE:
            return notices.render(self.data)[0]
        name, others = self.first_actor.name, self.others
        title = self.video.title if self.video else ""
        verb = Notification.Verb
        if self.verb == verb.LIKE:
            if not others:
                return _("%(name)s liked your video “%(title)s”") % {"name": name, "title": title}
            return ngettext(
                "%(name)s and %(count)d other liked your video “%(title)s”",
                "%(name)s and %(count)d others liked your video “%(title)s”",
                others,
            ) % {"name": name, "count": others, "title": title}
        if self.verb == verb.COMMENT:
            if not others:
                return _("%(name)s commented on your video “%(title)s”") % {
                    "name": name,
                    "title": title,
                }
            return ngettext(
                "%(name)s and %(count)d other commented on your video “%(title)s”",
                "%(name)s and %(count)d others commented on your video “%(title)s”",
                others,
            ) % {"name": name, "count": others, "title": title}
        if self.verb == verb.REPLY:
            if not others:
                return _("%(name)s replied to your comment") % {"name": name}
            return ngettext(
                "%(name)s and %(count)d other replied to your comment",
                "%(name)s and %(count)d others replied to your comment",
                others,
            ) % {"name": name, "count": others}
        if self.verb == verb.FOLLOW:
            if not others:
                return _("%(name)s followed you") % {"name": name}
            return ngettext(
                "%(name)s and %(count)d other followed you",
                "%(name)s and %(count)d others followed you",
                others,
            ) % {"name": name, "count": others}
        return _("%(name)s mentioned you in a comment") % {"name": name}

    @property
    def url(self) -> str:
        if self.verb == Notification.Verb.NOTICE:
            return notices.render(self.data)[1]
        if self.verb == Notification.Verb.FOLLOW:
            if self.others:
                return reverse("social:followers", args=[self.recipient_username])
            return reverse("accounts:profile", args=[self.first_actor.username])
        if self.comment is not None:
            return reverse("social:comments", args=[self.video.short_id]) + (
                f"#comment-{self.comment.pk}"
            )
        return video_url(self.video)

    recipient_username: str = ""


def _group_key(notification: Notification) -> tuple:
    verb = Notification.Verb
    unread = notification.read_at is None
    if notification.verb in (verb.LIKE, verb.COMMENT):
        return (notification.verb, notification.video_id, unread)
    if notification.verb == verb.REPLY:
        return (notification.verb, notification.comment.parent_id, unread)
    if notification.verb == verb.FOLLOW:
        return (notification.verb, unread)
    return (notification.verb, notification.comment_id, notification.pk)


def notification_groups(*, user, verbs=None, since=None, unread_only=False) -> list:
    """The user's newest notifications, grouped by what they are about, newest group first."""
    rows = Notification.objects.filter(recipient=user, actor__is_active=True).select_related(
        "actor", "video", "comment"
    )
    if verbs is not None:
        rows = rows.filter(verb__in=verbs)
    if since is not None:
        rows = rows.filter(created_at__gt=since)
    if unread_only:
        rows = rows.filter(read_at=None)
    groups: dict[tuple, NotificationGroup] = {}
    for notification in rows[:NOTIFICATION_WINDOW]:
        key = _group_key(notification)
        group = groups.get(key)
        if group is None:
            group = groups[key] = NotificationGroup(
                verb=notification.verb,
                video=notification.video,
                comment=notification.comment,
                latest_at=notification.created_at,
                unread=notification.read_at is None,
                recipient_username=user.username,
                data=notification.data,
            )
        if all(actor.pk != notification.actor_id for actor in group.actors):
            group.actors.append(notification.actor)
        group.ids.append(notification.pk)
    return list(groups.values())


def notification_groups_page(*, user, page=1) -> Page:
    return Paginator(notification_groups(user=user), NOTIFICATION_GROUPS_PER_PAGE).get_page(page)


def notification_preference_get(*, user) -> NotificationPreference:
    """The user's email choices (unsaved defaults if they never chose)."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)

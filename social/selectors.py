"""Reads of likes, comments, follows and notifications."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors import hidden_user_ids, users_in_good_standing_q
from social import presenters
from social.models import Comment, Follow, Like, Notification, NotificationPreference
from videos.models import Video
from videos.selectors import video_is_watchable_by_anyone, videos_public

COMMENTS_PER_PAGE = 20
USERS_PER_PAGE = 30
NOTIFICATION_GROUPS_PER_PAGE = 30
# Notifications are grouped in Python from this many of the newest rows.
NOTIFICATION_WINDOW = 300
COMMENT_SORTS = ("newest", "top")


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


# --- comments ----------------------------------------------------------------------------------
def _comment_queryset():
    return Comment.objects.select_related("author", "video").prefetch_related("mentions")


def comment_get(*, pk: int) -> Comment:
    return get_object_or_404(_comment_queryset(), pk=pk)


def comment_with_replies(*, pk: int, viewer=None) -> Comment:
    return get_object_or_404(_comment_queryset().prefetch_related(_replies_prefetch(viewer)), pk=pk)


def comments_shown_to(queryset, *, viewer):
    """The comments a viewer may read: visible ones (and their own held ones), none by people
    on either side of a block with them (one small indexed query, remembered per request)."""
    shown = Q(moderation_state=Comment.ModerationState.VISIBLE)
    if viewer is not None and viewer.is_authenticated:
        shown |= Q(author_id=viewer.pk, moderation_state=Comment.ModerationState.HELD)
    # Suspended or deactivated authors' comments are hidden with the rest of their content.
    queryset = queryset.filter(shown, users_in_good_standing_q("author__"))
    hidden = hidden_user_ids(viewer=viewer, include_muted=False)
    if hidden:
        queryset = queryset.exclude(author_id__in=hidden)
    return queryset


def _replies_prefetch(viewer=None):
    return Prefetch(
        "replies",
        queryset=comments_shown_to(_comment_queryset(), viewer=viewer).order_by("created_at", "pk"),
        to_attr="reply_list",
    )


def comments_page(*, video: Video, sort: str = "newest", page=1, viewer=None) -> Page:
    """A page of a video's comments (with their replies, oldest reply first), as `viewer`
    may read them."""
    comments = comments_shown_to(
        _comment_queryset().filter(video=video, parent=None), viewer=viewer
    )
    if sort == "top":
        comments = comments.order_by("-reply_count", "-created_at", "-pk")
    else:
        comments = comments.order_by("-created_at", "-pk")
    comments = comments.prefetch_related(_replies_prefetch(viewer))
    return Paginator(comments, COMMENTS_PER_PAGE).get_page(page)


def video_social_context(*, video: Video, user, sort: str = "newest", page=1) -> dict:
    """Everything the like button and the comments partials need, for a page showing a video:
    `{% include "social/_like_button.html" %}` and `{% include "social/_comments.html" %}`."""
    from social.forms import CommentForm

    sort = sort if sort in COMMENT_SORTS else "newest"
    return {
        "video": video,
        "liked": like_exists(user=user, video=video),
        "comments": comments_page(video=video, sort=sort, page=page, viewer=user),
        "form": CommentForm(video=video),
        "sort": sort,
        "comments_open": video_comments_open(video),
    }


def video_comments_open(video: Video) -> bool:
    """Whether the video takes comments now: anyone may watch it and its creator left
    comments on (comment_create checks this again, under a row lock, on every post)."""
    return video_is_watchable_by_anyone(video) and video.comments_enabled


def comment_reply_parent(*, video: Video, parent_id) -> Comment | None:
    """The comment a reply answers, if it is (still) a comment on this video."""
    if not parent_id:
        return None
    return Comment.objects.filter(pk=parent_id, video=video).first()


# --- follows -----------------------------------------------------------------------------------
def follow_exists(*, follower, followee) -> bool:
    if follower is None or not follower.is_authenticated:
        return False
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def follow_summary(*, viewer, user) -> dict:
    """For a profile: whether the viewer follows the user (`following`), and the user's
    counts (`followers`, `following_count`)."""
    return {
        "following": follow_exists(follower=viewer, followee=user),
        "followers": follower_count(user=user),
        "following_count": following_count(user=user),
    }


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
    public_videos = videos_public()
    creators = User.objects.filter(
        Exists(public_videos.filter(owner=OuterRef("pk"))), is_active=True
    )
    hidden = hidden_user_ids(viewer=user)
    if hidden:
        creators = creators.exclude(pk__in=hidden)
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
def notifications_shown_to(*, user):
    """The user's notifications that may be shown to them: the list and the unread badge
    count the same ones."""
    # Nothing from suspended or deactivated people; the site's own notices always (a
    # suspended person is told of their suspension).
    from_people = users_in_good_standing_q("actor__") | Q(verb=Notification.Verb.NOTICE)
    rows = Notification.objects.filter(from_people, recipient=user)
    # Nothing from people on either side of a block, or whom the user muted.
    hidden = hidden_user_ids(viewer=user)
    if hidden:
        rows = rows.exclude(actor_id__in=hidden)
    return rows


def unread_notification_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return notifications_shown_to(user=user).filter(read_at=None).count()


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

    # The words and the link are presentation (social.presenters); these stay for the
    # templates, the email and the API serializer, which read them as attributes.
    @property
    def text(self) -> str:
        return presenters.notification_text(self)

    @property
    def url(self) -> str:
        return presenters.notification_url(self)

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
    rows = notifications_shown_to(user=user).select_related("actor", "video", "comment")
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

"""Writes of likes, comments, follows and notifications.

Every service checks its own rules (views, the API and sockets all call these), owns its
transaction, keeps the denormalised counters with atomic F() updates, and sends the live
fragments only once the transaction has committed.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import block_exists_between, hidden_user_ids, is_hidden_from
from accounts.services import user_require_not_suspended
from core import ratelimit, text_checks
from social import realtime, selectors
from social.models import (
    COMMENT_MAX_LENGTH,
    Comment,
    Follow,
    Like,
    Notification,
    NotificationPreference,
)
from videos.models import Video
from videos.selectors import video_is_visible_to, video_is_watchable_by_anyone
from videos.text import mentions_in

MAX_MENTIONS = 10
VISIBLE = Comment.ModerationState.VISIBLE


class SocialError(Exception):
    """A rule said no; the message says why, in words for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyDone(SocialError):
    """Liking a liked video, following someone followed, and their opposites."""


class RateLimited(SocialError):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _rate_limit(*, user: User, action: str) -> None:
    """Count one `action` by the user (core.ratelimit, settings.RATELIMITS); refuse past it."""
    try:
        ratelimit.limit(user, action)
    except ratelimit.RateLimited as error:
        raise RateLimited(error.message, retry_after=error.retry_after) from None


def _notify(*, recipient_id: int, actor: User, verb: str, video=None, comment=None) -> None:
    # The same rule as the notification list: nothing from people hidden from the recipient
    # (a block either way, or muted), so that the unread badge never counts what is not shown.
    if recipient_id == actor.pk or is_hidden_from(user_id=actor.pk, viewer_id=recipient_id):
        return
    Notification.objects.create(
        recipient_id=recipient_id, actor=actor, verb=verb, video=video, comment=comment
    )
    transaction.on_commit(lambda: realtime.send_unread_badge(recipient_id))


def _unnotify(*, recipient_id: int, actor: User, verb: str, video=None) -> None:
    # Unliking or unfollowing takes back the news nobody has read yet.
    deleted, _by_model = Notification.objects.filter(
        recipient_id=recipient_id, actor=actor, verb=verb, video=video, read_at=None
    ).delete()
    if deleted:
        transaction.on_commit(lambda: realtime.send_unread_badge(recipient_id))


def _require_open(*, video: Video, user: User, message: str) -> None:
    if not video_is_visible_to(video=video, user=user):
        raise PermissionDenied
    if not video_is_watchable_by_anyone(video):
        raise SocialError(message)


# --- likes -------------------------------------------------------------------------------------
def like_create(*, user: User, video: Video) -> Video:
    """Like a video: one like per user per video; the creator hears of it."""
    user_require_not_suspended(user=user)
    _rate_limit(user=user, action="like")
    _require_open(
        video=video, user=user, message=_("You can like this video once it is published.")
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                Like.objects.create(user=user, video=video)
        except IntegrityError:
            raise AlreadyDone(_("You already like this video.")) from None
        if not Video.objects.filter(pk=video.pk).update(like_count=F("like_count") + 1):
            # Deleted since it was loaded: raising rolls the like back too.
            raise SocialError(_("This video was deleted."))
        _notify(recipient_id=video.owner_id, actor=user, verb=Notification.Verb.LIKE, video=video)
        transaction.on_commit(lambda: realtime.send_like_count(video.pk))
    video.refresh_from_db(fields=["like_count"])
    return video


def like_delete(*, user: User, video: Video) -> Video:
    """Take back a like."""
    _rate_limit(user=user, action="like")
    if not video_is_visible_to(video=video, user=user):
        raise PermissionDenied
    with transaction.atomic():
        deleted, _by_model = Like.objects.filter(user=user, video=video).delete()
        if not deleted:
            raise AlreadyDone(_("You do not like this video."))
        Video.objects.filter(pk=video.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
        _unnotify(recipient_id=video.owner_id, actor=user, verb=Notification.Verb.LIKE, video=video)
        transaction.on_commit(lambda: realtime.send_like_count(video.pk))
    video.refresh_from_db(fields=["like_count"])
    return video


def social_counts_reconcile(*, video_ids=None) -> int:
    """Set every video's like and comment counts (and every comment's reply count) from the
    rows themselves, in case an increment was ever lost. Returns how many videos were off."""
    likes = (
        Like.objects.filter(video=OuterRef("pk")).order_by().values("video")
        .annotate(n=Count("pk")).values("n")
    )  # fmt: skip
    # Held and removed comments are not counted (comment_set_moderation_state keeps that).
    comments = (
        Comment.objects.filter(video=OuterRef("pk"), moderation_state=VISIBLE)
        .order_by().values("video").annotate(n=Count("pk")).values("n")
    )  # fmt: skip
    real_likes = Coalesce(Subquery(likes), 0)
    real_comments = Coalesce(Subquery(comments), 0)
    videos = Video.objects.all() if video_ids is None else Video.objects.filter(pk__in=video_ids)
    off = list(
        videos.annotate(real_likes=real_likes, real_comments=real_comments)
        .filter(~Q(like_count=F("real_likes")) | ~Q(comment_count=F("real_comments")))
        .values_list("pk", flat=True)
    )
    if off:
        # One statement per batch: the counts are taken when the row is written.
        Video.objects.filter(pk__in=off).update(like_count=real_likes, comment_count=real_comments)
    replies = (
        Comment.objects.filter(parent=OuterRef("pk"), moderation_state=VISIBLE)
        .order_by().values("parent").annotate(n=Count("pk")).values("n")
    )  # fmt: skip
    top_level = Comment.objects.filter(parent=None)
    if video_ids is not None:
        top_level = top_level.filter(video_id__in=video_ids)
    real_replies = Coalesce(Subquery(replies), 0)
    wrong = top_level.annotate(real=real_replies).filter(~Q(reply_count=F("real")))
    Comment.objects.filter(pk__in=list(wrong.values_list("pk", flat=True))).update(
        reply_count=real_replies
    )
    return len(off)


# --- comments ----------------------------------------------------------------------------------
def comment_create(
    *, user: User, video: Video, body: str, parent: Comment | None = None
) -> Comment:
    """Comment on a video, or reply to a comment; mentioned users, the creator and the
    comment's author hear of it."""
    user_require_not_suspended(user=user)
    _rate_limit(user=user, action="comment")
    _require_open(
        video=video, user=user, message=_("You can comment on this video once it is published.")
    )
    body = (body or "").strip()
    if not body:
        raise SocialError(_("Write something first."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise SocialError(
            _("Comments are at most %(max)d characters (this one has %(length)d).")
            % {"max": COMMENT_MAX_LENGTH, "length": len(body)}
        )
    if parent is not None:
        if parent.video_id != video.pk:
            raise SocialError(_("That comment is on another video."))
        if parent.parent_id is not None:
            raise SocialError(_("You can reply to a comment, not to a reply."))
        if block_exists_between(user, parent.author):
            raise SocialError(_("You cannot reply to this comment."))
    try:
        held = text_checks.verdict([body])
    except text_checks.TextRefused as refusal:
        raise SocialError(refusal.message) from None
    with transaction.atomic():
        # The row lock makes "comments off" final: no comment lands after it is switched off.
        locked = Video.objects.select_for_update().only("comments_enabled").filter(pk=video.pk)
        locked = locked.first()
        if locked is None:
            raise SocialError(_("This video was deleted."))
        if not locked.comments_enabled:
            raise SocialError(_("Comments are turned off for this video."))
        if held:
            # Held for review: only its author sees it; nobody hears of it, nothing counts it.
            return Comment.objects.create(
                video=video,
                author=user,
                parent=parent,
                body=body,
                moderation_state=Comment.ModerationState.HELD,
            )
        comment = Comment.objects.create(video=video, author=user, parent=parent, body=body)
        usernames = mentions_in(body)[:MAX_MENTIONS]
        mentioned = []
        if usernames:
            query = Q()
            for username in usernames:
                query |= Q(username__iexact=username)
            # Nobody on either side of a block with the author hears of it.
            hidden = hidden_user_ids(viewer=user, include_muted=False)
            mentioned = [
                person
                for person in User.objects.filter(query, is_active=True)
                if person.pk not in hidden
            ]
            comment.mentions.set(mentioned)
        Video.objects.filter(pk=video.pk).update(comment_count=F("comment_count") + 1)
        told = {user.pk}
        if parent is not None:
            Comment.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
            _notify(
                recipient_id=parent.author_id,
                actor=user,
                verb=Notification.Verb.REPLY,
                video=video,
                comment=comment,
            )
            told.add(parent.author_id)
        if video.owner_id not in told:
            _notify(
                recipient_id=video.owner_id,
                actor=user,
                verb=Notification.Verb.COMMENT,
                video=video,
                comment=comment,
            )
            told.add(video.owner_id)
        for person in mentioned:
            if person.pk not in told:
                _notify(
                    recipient_id=person.pk,
                    actor=user,
                    verb=Notification.Verb.MENTION,
                    video=video,
                    comment=comment,
                )
                told.add(person.pk)
        transaction.on_commit(lambda: realtime.send_comment_added(comment.pk))
    return comment


def comment_delete(*, user: User, comment: Comment) -> None:
    """Delete a comment (and its replies): its author may, and so may the video's creator and
    a moderator (the `social.delete_comment` permission, used in admin)."""
    video = comment.video
    if user.pk not in (comment.author_id, video.owner_id) and not user.has_perm(
        "social.delete_comment"
    ):
        raise PermissionDenied(_("You can only delete your own comments."))
    with transaction.atomic():
        # Only visible comments are counted (held and removed ones are not).
        counted = Comment.objects.filter(
            Q(pk=comment.pk) | Q(parent_id=comment.pk), moderation_state=VISIBLE
        ).count()
        _count, per_model = Comment.objects.filter(pk=comment.pk).delete()
        removed = per_model.get(Comment._meta.label, 0)
        if not removed:
            return  # deleted meanwhile: nothing left to do
        Video.objects.filter(pk=video.pk).update(
            comment_count=Greatest(F("comment_count") - counted, 0)
        )
        if comment.parent_id and comment.moderation_state == VISIBLE:
            Comment.objects.filter(pk=comment.parent_id, reply_count__gt=0).update(
                reply_count=F("reply_count") - 1
            )
        comment_id = comment.pk
        transaction.on_commit(lambda: realtime.send_comment_removed(video.pk, comment_id))


# --- follows -----------------------------------------------------------------------------------
def follow_create(*, follower: User, followee: User) -> Follow:
    """Follow someone (not yourself); they hear of it."""
    user_require_not_suspended(user=follower)
    _rate_limit(user=follower, action="follow")
    if follower.pk == followee.pk:
        raise SocialError(_("You cannot follow yourself."))
    if block_exists_between(follower, followee):
        raise SocialError(_("You cannot follow this account."))
    if not followee.is_active:
        raise SocialError(_("This account is not active."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                follow = Follow.objects.create(follower=follower, followee=followee)
        except IntegrityError:
            raise AlreadyDone(_("You already follow %(name)s.") % {"name": followee.name}) from None
        _notify(recipient_id=followee.pk, actor=follower, verb=Notification.Verb.FOLLOW)
    return follow


def follow_delete(*, follower: User, followee: User) -> None:
    """Stop following someone."""
    _rate_limit(user=follower, action="follow")
    with transaction.atomic():
        deleted, _by_model = Follow.objects.filter(follower=follower, followee=followee).delete()
        if not deleted:
            raise AlreadyDone(_("You do not follow %(name)s.") % {"name": followee.name})
        _unnotify(recipient_id=followee.pk, actor=follower, verb=Notification.Verb.FOLLOW)


# --- notifications -----------------------------------------------------------------------------
def notice_create(*, recipient: User, data: dict) -> Notification:
    """A notice from the site to one person (see social.notices); their badge updates live."""
    with transaction.atomic():
        notice = Notification.objects.create(
            recipient=recipient, actor=recipient, verb=Notification.Verb.NOTICE, data=data
        )
        transaction.on_commit(lambda: realtime.send_unread_badge(recipient.pk))
    return notice


def notifications_mark_read(*, user: User, ids=None) -> int:
    """Mark the user's notifications read (all of them, or those with these ids)."""
    unread = Notification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    with transaction.atomic():
        marked = unread.update(read_at=timezone.now())
        if marked:
            transaction.on_commit(lambda: realtime.send_unread_badge(user.pk))
    return marked


@transaction.atomic
def notification_preference_update(*, user: User, **choices) -> NotificationPreference:
    """Save the user's email choices (daily_digest, digest_likes, digest_comments, ...)."""
    allowed = {"daily_digest", "digest_likes", "digest_comments", "digest_follows"}
    allowed.add("digest_mentions")
    unknown = set(choices) - allowed
    if unknown:
        raise ValueError(f"Unknown preferences: {sorted(unknown)}")
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults=choices
    )
    return preference


def digest_send(*, user: User, now=None) -> bool:
    """Email the user their unread notifications since the last digest, if they asked for
    it and there is anything to say. Returns whether an email went out."""
    now = now or timezone.now()
    preference = selectors.notification_preference_get(user=user)
    if not preference.daily_digest or not user.email or not user.is_active:
        return False
    since = max(preference.last_digest_at or now - timedelta(days=1), now - timedelta(days=1))
    groups = selectors.notification_groups(
        user=user, verbs=preference.digest_verbs, since=since, unread_only=True
    )
    with transaction.atomic():
        # Claim the day first, so that two workers never send the same digest twice.
        claimed = (
            NotificationPreference.objects.filter(pk=preference.pk)
            .filter(Q(last_digest_at=None) | Q(last_digest_at__lte=now - timedelta(hours=20)))
            .update(last_digest_at=now)
        )
        if not claimed or not groups:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            context = {"user": user, "groups": groups, "site_url": settings.SITE_URL}
            subject = _("Your day on Microvid: %(count)d new") % {"count": len(groups)}
            body = render_to_string("social/email/digest.txt", context)
        send_mail(subject, body, None, [user.email])
    return True


def digests_send_due(*, now=None) -> int:
    """Send the daily digest to everyone who asked for it and has not had one today."""
    now = now or timezone.now()
    due = NotificationPreference.objects.filter(daily_digest=True, user__is_active=True).filter(
        Q(last_digest_at=None) | Q(last_digest_at__lte=now - timedelta(hours=20))
    )
    sent = 0
    for user in User.objects.filter(notification_preference__in=due):
        sent += digest_send(user=user, now=now)
    return sent


# --- moderation state (the moderation services decide who may) ----------------------------------
def comment_set_moderation_state(*, comment: Comment, state: str) -> Comment:
    """Hold, remove or restore a comment. Only visible comments are counted, so the video's
    comment count and the parent's reply count follow; open pages drop a hidden comment."""
    if state not in Comment.ModerationState.values:
        raise ValueError(f"Unknown moderation state {state!r}")
    with transaction.atomic():
        locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
        if locked is None or locked.moderation_state == state:
            return comment
        was_counted = locked.moderation_state == VISIBLE
        counted = state == VISIBLE
        Comment.objects.filter(pk=comment.pk).update(moderation_state=state)
        comment.moderation_state = state
        if was_counted != counted:
            delta = 1 if counted else -1
            Video.objects.filter(pk=comment.video_id).update(
                comment_count=Greatest(F("comment_count") + delta, 0)
            )
            if comment.parent_id:
                Comment.objects.filter(pk=comment.parent_id).update(
                    reply_count=Greatest(F("reply_count") + delta, 0)
                )
        if not counted:
            video_id, comment_id = comment.video_id, comment.pk
            transaction.on_commit(lambda: realtime.send_comment_removed(video_id, comment_id))
    return comment

"""Writes to accounts."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.images import avatar_from_upload
from accounts.models import Block, Mute, User
from accounts.signals import block_created, block_deleted
from core import text_checks
from core.cache_versions import PUBLIC_VIDEOS, bump_cache_version_on_change


class RelationError(Exception):
    """A block or mute that cannot be made or undone; the message says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    avatar_upload=None,
    remove_avatar: bool = False,
) -> User:
    """Update a user's public profile.

    The avatar is validated and converted before anything is written, so a bad image leaves
    the profile as it was (raises `accounts.images.AvatarRejected`). The replaced avatar file
    is deleted only once the change is committed; a new file whose row fails to save is
    deleted at once, so no orphan file is left either way.
    """
    # A display name or bio that a watched-word list refuses or holds is refused: a profile
    # cannot wait for review half-visible (raises core.text_checks.TextRefused).
    if text_checks.verdict([display_name, bio]):
        raise text_checks.TextRefused(
            _("This needs a moderator's review before it can be shown. Change it and try again."),
            code="held",
        )
    new_avatar = avatar_from_upload(avatar_upload) if avatar_upload is not None else None
    old_avatar_name = user.avatar.name if user.avatar else ""
    storage = user.avatar.storage

    user.display_name = display_name.strip()
    user.bio = bio.strip()
    if remove_avatar or new_avatar is not None:
        user.avatar = None
    user.full_clean(exclude=["password", "avatar"])
    try:
        with transaction.atomic():
            if new_avatar is not None:
                user.avatar.save(new_avatar.content.name, new_avatar.content, save=False)
            user.save(update_fields=["display_name", "bio", "avatar"])
            if old_avatar_name and user.avatar.name != old_avatar_name:
                transaction.on_commit(lambda: storage.delete(old_avatar_name))
    except Exception:
        if new_avatar is not None and user.avatar:
            storage.delete(user.avatar.name)
        raise
    return user


# --- blocks and mutes ----------------------------------------------------------------------------
def block_create(*, blocker: User, blocked: User) -> Block:
    """Block someone: from the next request on, neither sees the other's content, and the
    follows between them (both ways) are removed (by social, on `block_created`)."""
    if blocker.pk == blocked.pk:
        raise RelationError(_("You cannot block yourself."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                block = Block.objects.create(blocker=blocker, blocked=blocked)
        except IntegrityError:
            raise RelationError(
                _("You already blocked %(name)s.") % {"name": blocked.name}
            ) from None
        block_created.send(sender=Block, blocker=blocker, blocked=blocked)
    return block


def block_delete(*, blocker: User, blocked: User) -> None:
    """Unblock someone (removed follows are not restored)."""
    with transaction.atomic():
        deleted, _by_model = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
        if not deleted:
            raise RelationError(_("You have not blocked %(name)s.") % {"name": blocked.name})
        block_deleted.send(sender=Block, blocker=blocker, blocked=blocked)


def mute_create(*, muter: User, muted: User) -> Mute:
    """Mute someone: their videos and news leave your feeds and notifications."""
    if muter.pk == muted.pk:
        raise RelationError(_("You cannot mute yourself."))
    try:
        with transaction.atomic():
            mute = Mute.objects.create(muter=muter, muted=muted)
    except IntegrityError:
        raise RelationError(_("You already muted %(name)s.") % {"name": muted.name}) from None
    return mute


def mute_delete(*, muter: User, muted: User) -> None:
    deleted, _by_model = Mute.objects.filter(muter=muter, muted=muted).delete()
    if not deleted:
        raise RelationError(_("You have not muted %(name)s.") % {"name": muted.name})


# --- moderation state (called by the moderation services, which check who may) ------------------
class AccountSuspended(PermissionDenied):
    """A suspended account tried to add something (a 403, with the message for the person)."""


def user_require_not_suspended(*, user) -> None:
    """Refuse what a suspended account may not do: upload, comment, like, follow, report.

    A suspended account still reads, manages and deletes its own things, edits its settings,
    blocks and mutes, and sees its standing and appeals (docs/moderation.md). Every service
    that adds something in someone's sight calls this first.
    """
    if user is not None and getattr(user, "is_authenticated", False) and user.is_suspended:
        raise AccountSuspended(
            _(
                "Your account is suspended: you can watch and read, and appeal from your "
                "account standing page, but you cannot post, comment, like, follow or report."
            )
        )


def user_suspend(*, user: User, until=None) -> User:
    """Suspend an account until `until` (None: until lifted). Its content is hidden at once."""
    user.suspended_at = timezone.now()
    user.suspended_until = until
    user.save(update_fields=["suspended_at", "suspended_until"])
    bump_cache_version_on_change(PUBLIC_VIDEOS)  # their videos left (or came back)
    return user


def user_unsuspend(*, user: User) -> User:
    user.suspended_at = None
    user.suspended_until = None
    user.save(update_fields=["suspended_at", "suspended_until"])
    bump_cache_version_on_change(PUBLIC_VIDEOS)  # their videos left (or came back)
    return user


def user_limit(*, user: User) -> User:
    """Take an account's videos out of discovery (still reachable by link)."""
    user.limited_at = timezone.now()
    user.save(update_fields=["limited_at"])
    bump_cache_version_on_change(PUBLIC_VIDEOS)  # their videos left (or came back)
    return user


def user_unlimit(*, user: User) -> User:
    user.limited_at = None
    user.save(update_fields=["limited_at"])
    bump_cache_version_on_change(PUBLIC_VIDEOS)  # their videos left (or came back)
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the language the person uses the site in (for the emails we send them)."""
    if user.is_authenticated and language and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


def refresh_token_revoke(*, user: User, token: str) -> bool:
    """Blacklist one of the user's refresh tokens; False if it is not a valid one of theirs."""
    from rest_framework_simplejwt.exceptions import TokenError
    from rest_framework_simplejwt.settings import api_settings
    from rest_framework_simplejwt.tokens import RefreshToken

    try:
        refresh = RefreshToken(token)
    except TokenError:
        return False
    if str(refresh.get(api_settings.USER_ID_CLAIM)) != str(user.pk):
        return False
    refresh.blacklist()
    return True


def refresh_tokens_revoke_all(*, user: User) -> int:
    """Blacklist every refresh token the user still holds (on log-out from the site)."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    rows = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)

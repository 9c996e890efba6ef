"""Writes to accounts."""

from django.db import transaction

from accounts.images import avatar_from_upload
from accounts.models import User


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

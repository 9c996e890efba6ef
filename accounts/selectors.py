"""Reads of accounts."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Block, Mute, User


def user_get_public(*, username: str) -> User:
    """The active user with this username (case-insensitive), or 404."""
    return get_object_or_404(User, username__iexact=username, is_active=True)


def user_get_public_for(*, username: str, viewer) -> User:
    """The profile `viewer` may open: active, not suspended, and no block either way; else
    404 (a blocked person sees the same "not found" as for an account that does not exist)."""
    user = user_get_public(username=username)
    if user.is_suspended and not _is_self(viewer, user):
        raise Http404
    if user.pk in hidden_user_ids(viewer=viewer, include_muted=False):
        raise Http404
    return user


def _is_self(viewer, user) -> bool:
    return viewer is not None and viewer.is_authenticated and viewer.pk == user.pk


def users_in_good_standing_q(prefix: str = "", *, now=None) -> Q:
    """A filter for accounts whose content may be shown: active and not suspended.
    `prefix` is the path to the user from the model filtered, e.g. "owner__"."""
    now = now or timezone.now()
    return Q(**{f"{prefix}is_active": True}) & (
        Q(**{f"{prefix}suspended_at__isnull": True}) | Q(**{f"{prefix}suspended_until__lte": now})
    )


def hidden_user_ids(*, viewer, include_muted: bool = True) -> frozenset[int]:
    """The ids of the people whose content `viewer` must not see: those they blocked, those
    who blocked them and (for feeds and notifications, `include_muted`) those they muted.

    One indexed query (a UNION over the pairs' unique indexes); visitors cost nothing. Not
    remembered on the user object: a socket's user lives for the whole connection, and a
    block must apply to the very next message.
    """
    if viewer is None or not viewer.is_authenticated:
        return frozenset()
    query = (
        Block.objects.filter(blocker_id=viewer.pk)
        .values_list("blocked_id")
        .union(Block.objects.filter(blocked_id=viewer.pk).values_list("blocker_id"))
    )
    if include_muted:
        query = query.union(Mute.objects.filter(muter_id=viewer.pk).values_list("muted_id"))
    return frozenset(row[0] for row in query)


def block_exists_between(a, b) -> bool:
    """Whether either of the two has blocked the other."""
    if a is None or b is None or not a.is_authenticated or not b.is_authenticated:
        return False
    return Block.objects.filter(
        Q(blocker_id=a.pk, blocked_id=b.pk) | Q(blocker_id=b.pk, blocked_id=a.pk)
    ).exists()


def is_hidden_from(*, user_id: int, viewer_id: int) -> bool:
    """Whether `viewer_id` must not see `user_id`'s content and news: a block either way, or
    the viewer muted them (the rule of `hidden_user_ids`, for one pair; one indexed query)."""
    return (
        Block.objects.filter(
            Q(blocker_id=viewer_id, blocked_id=user_id)
            | Q(blocker_id=user_id, blocked_id=viewer_id)
        )
        .union(Mute.objects.filter(muter_id=viewer_id, muted_id=user_id))
        .exists()
    )


def has_blocked(*, blocker, blocked) -> bool:
    if blocker is None or not blocker.is_authenticated:
        return False
    return Block.objects.filter(blocker_id=blocker.pk, blocked_id=blocked.pk).exists()


def has_muted(*, muter, muted) -> bool:
    if muter is None or not muter.is_authenticated:
        return False
    return Mute.objects.filter(muter_id=muter.pk, muted_id=muted.pk).exists()


def blocks_of(*, user):
    """The people `user` blocked, newest first (Block rows: use `block.blocked`)."""
    return Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at")


def mutes_of(*, user):
    """The people `user` muted, newest first (Mute rows: use `mute.muted`)."""
    return Mute.objects.filter(muter=user).select_related("muted").order_by("-created_at")


def relation_state(*, viewer, other) -> dict:
    """What the block and mute buttons show: `blocked` and `muted` (by the viewer)."""
    return {
        "blocked": has_blocked(blocker=viewer, blocked=other),
        "muted": has_muted(muter=viewer, muted=other),
    }

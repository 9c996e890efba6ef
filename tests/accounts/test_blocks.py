"""Blocks and mutes as relations between two people: what they do, and what they refuse."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import selectors, services
from accounts.models import Block, Mute
from social import services as social_services
from social.models import Follow, Notification

pytestmark = pytest.mark.django_db


def test_blocking_removes_the_follows_both_ways_and_the_unread_news(alice, bob, settings):
    settings.SOCIAL_RATE_LIMITS = {"follow": (100, 60)}
    social_services.follow_create(follower=alice, followee=bob)
    social_services.follow_create(follower=bob, followee=alice)
    assert Notification.objects.count() == 2

    services.block_create(blocker=bob, blocked=alice)

    assert not Follow.objects.exists()
    assert not Notification.objects.exists()
    assert Block.objects.filter(blocker=bob, blocked=alice).exists()


def test_a_block_hides_both_people_from_each_other(alice, bob, carol):
    services.block_create(blocker=bob, blocked=alice)

    assert selectors.hidden_user_ids(viewer=bob) == {alice.pk}
    assert selectors.hidden_user_ids(viewer=alice) == {bob.pk}
    assert selectors.hidden_user_ids(viewer=carol) == frozenset()
    assert selectors.block_exists_between(alice, bob)
    assert not selectors.block_exists_between(alice, carol)


def test_a_mute_hides_only_from_the_muter_and_only_in_feeds(alice, bob):
    services.mute_create(muter=bob, muted=alice)

    assert selectors.hidden_user_ids(viewer=bob) == {alice.pk}
    assert selectors.hidden_user_ids(viewer=bob, include_muted=False) == frozenset()
    assert selectors.hidden_user_ids(viewer=alice) == frozenset()


def test_blocking_or_muting_yourself_or_twice_is_refused(alice, bob):
    with pytest.raises(services.RelationError, match="yourself"):
        services.block_create(blocker=bob, blocked=bob)
    with pytest.raises(services.RelationError, match="yourself"):
        services.mute_create(muter=bob, muted=bob)
    services.block_create(blocker=bob, blocked=alice)
    services.mute_create(muter=bob, muted=alice)
    with pytest.raises(services.RelationError, match="already blocked"):
        services.block_create(blocker=bob, blocked=alice)
    with pytest.raises(services.RelationError, match="already muted"):
        services.mute_create(muter=bob, muted=alice)
    assert Block.objects.count() == 1 and Mute.objects.count() == 1


def test_unblocking_and_unmuting_undo_and_refuse_what_was_never_done(alice, bob):
    services.block_create(blocker=bob, blocked=alice)
    assert selectors.hidden_user_ids(viewer=bob) == {alice.pk}

    services.block_delete(blocker=bob, blocked=alice)

    assert selectors.hidden_user_ids(viewer=bob) == frozenset()
    with pytest.raises(services.RelationError, match="not blocked"):
        services.block_delete(blocker=bob, blocked=alice)
    with pytest.raises(services.RelationError, match="not muted"):
        services.mute_delete(muter=bob, muted=alice)


def test_hidden_ids_cost_one_query_and_none_for_visitors(alice, bob, carol):
    from django.contrib.auth.models import AnonymousUser

    services.block_create(blocker=bob, blocked=alice)
    services.mute_create(muter=bob, muted=carol)
    viewer = type(bob).objects.get(pk=bob.pk)

    with CaptureQueriesContext(connection) as queries:
        first = selectors.hidden_user_ids(viewer=viewer)
        nobody = selectors.hidden_user_ids(viewer=AnonymousUser())

    assert first == {alice.pk, carol.pk}
    assert nobody == frozenset()
    assert len(queries) == 1


def test_suspension_is_in_force_until_its_end_or_until_lifted(alice):
    from datetime import timedelta

    from django.utils import timezone

    services.user_suspend(user=alice, until=timezone.now() + timedelta(days=1))
    assert alice.is_suspended
    assert not alice.is_suspended_at(timezone.now() + timedelta(days=2))
    services.user_suspend(user=alice, until=None)
    assert alice.is_suspended_at(timezone.now() + timedelta(days=3650))
    services.user_unsuspend(user=alice)
    assert not alice.is_suspended

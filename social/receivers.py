"""Social's answers to what happens below it (accounts, videos), connected in apps.py."""

from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver

from accounts.signals import block_created, block_deleted
from social import realtime
from social.models import Follow, Notification
from videos.signals import video_taken_down


@receiver(block_created, dispatch_uid="social-block-removes-follows")
def remove_follows_and_news_between(sender, blocker, blocked, **kwargs):
    """A block removes the follows between the two people, both ways, and the unread news
    each has of the other."""
    Follow.objects.filter(
        Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
    ).delete()
    Notification.objects.filter(
        Q(recipient=blocker, actor=blocked) | Q(recipient=blocked, actor=blocker), read_at=None
    ).delete()
    tell_open_video_pages(blocker, blocked)
    transaction.on_commit(lambda: realtime.send_unread_badge(blocker.pk))
    transaction.on_commit(lambda: realtime.send_unread_badge(blocked.pk))


@receiver(block_deleted, dispatch_uid="social-unblock-tells-open-pages")
def unblocked(sender, blocker, blocked, **kwargs):
    tell_open_video_pages(blocker, blocked)


def tell_open_video_pages(blocker, blocked):
    """The two people's open video pages follow the block (or unblock) from the very next
    socket message: each socket reloads whom its viewer may see."""
    transaction.on_commit(lambda: realtime.viewers_changed(blocker.pk, blocked.pk))


@receiver(video_taken_down, dispatch_uid="social-video-taken-down")
def take_video_off_open_pages(sender, video_id, **kwargs):
    realtime.send_video_removed(video_id)

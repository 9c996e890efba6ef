"""Signals of the videos layer, for the layers above it (which it never imports)."""

from django.dispatch import Signal

# Sent (after commit) when who may see a video changed: its visibility, a take-down, its
# deletion. Arguments: video_id. Live sockets re-check their right to the video's group.
video_access_changed = Signal()

"""Signals of videos, for the layers above to react without videos importing them."""

from django.dispatch import Signal

# A video finished processing (with `video`), before anyone else can see it: moderation may
# hold it for review (a re-upload of a removed clip, a new account's first uploads).
video_processed = Signal()

# A video stopped being visible to others (`video_id`): removed, held or its creator suspended.
# Social takes it off open pages and sockets.
video_taken_down = Signal()

# Sent (after commit) when who may see a video changed: its visibility, a take-down, its
# deletion. Arguments: video_id. Live sockets re-check their right to the video's group.
video_access_changed = Signal()

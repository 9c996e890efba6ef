"""Signals of accounts, for the layers above to react without accounts importing them."""

from django.dispatch import Signal

# Sent inside the block's transaction, with `blocker` and `blocked` (users): social removes the
# follows between them, so that the block and its consequences commit together.
block_created = Signal()

# Sent inside the unblock's transaction, with `blocker` and `blocked` (users).
block_deleted = Signal()

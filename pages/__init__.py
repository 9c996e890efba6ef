"""Composed pages: views that put several apps on one page (a profile with its videos, the
watch page with its social rail, a hashtag page), at the top layer so that no app imports
another app above it (docs/architecture.md, Layers)."""

"""The foundation every app builds on: storage, media serving, upload handlers, HTTP helpers.

It imports no Microvid app, so any app may import it (docs/architecture.md, Layers).
"""

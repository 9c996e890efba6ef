"""Storage helpers shared by every app that writes media files.

Where a file lives follows from its name (docs/security.md):

- `uploads/...`: uploaded originals (with their GPS and camera metadata). Private storage;
  never routed, never given a URL.
- `private/...`: the files of videos that are not public. Private storage; reachable only
  through short-lived signed URLs (Django-signed on local storage, presigned on S3).
- anything else (`videos/...` of public videos, `avatars/...`): public storage, served with
  long-lived caching, CDN-friendly.

`MediaStorage` (the default storage) sends each name to the right one, so the apps keep
using `default_storage` and names alone.
"""

import math
import mimetypes
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.functional import cached_property

# Types that Python's mimetypes table lacks or gets wrong for HLS.
MEDIA_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".vtt": "text/vtt",
}
IMMUTABLE = "public, max-age=31536000, immutable"
ORIGINALS_PREFIX = "uploads/"
PRIVATE_PREFIX = "private/"
SIGNED_FOLDER_DEPTH = 3  # private/videos/<id>-<token>/: one signature covers a video's folder
_SIGNER_SALT = "microvid.media.signed-url"


def is_private_name(name: str) -> bool:
    return name.startswith((ORIGINALS_PREFIX, PRIVATE_PREFIX))


def signed_folder(name: str) -> str | None:
    """The folder one signature covers (a video's whole folder, so that an HLS playlist's
    relative URLs carry the same signature), or None for names that are never signed."""
    parts = name.split("/")
    if not name.startswith(PRIVATE_PREFIX) or len(parts) <= SIGNED_FOLDER_DEPTH:
        return None
    return "/".join(parts[:SIGNED_FOLDER_DEPTH]) + "/"


def media_signature(expires: int, folder: str) -> str:
    return signing.Signer(salt=_SIGNER_SALT).signature(f"{expires}:{folder}")


def signed_media_url(name: str, *, now: float | None = None) -> str:
    """A URL of a private video's file that works for `MEDIA_SIGNED_URL_SECONDS`.

    The expiry is rounded up to the minute, so pages rendered within a minute share URLs
    (and the browser's cache).
    """
    folder = signed_folder(name)
    if folder is None:
        raise ValueError(f"{name!r} is never given a URL")
    now = time.time() if now is None else now
    expires = int(math.ceil((now + settings.MEDIA_SIGNED_URL_SECONDS) / 60) * 60)
    return f"{settings.PRIVATE_MEDIA_URL}{expires}/{media_signature(expires, folder)}/{name}"


class PrivateFileSystemStorage(FileSystemStorage):
    """Local private files, outside MEDIA_ROOT (`PRIVATE_MEDIA_ROOT`), so that no web server
    pointed at the media folder can serve them; URLs are signed and expire."""

    signs_folders = True

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        if signed_folder(name) is None:
            return ""  # originals have no URL at all
        return signed_media_url(name)


class MediaStorage(Storage):
    """The default storage: public names go to the public storage, private ones to the
    private storage (aliases in STORAGES)."""

    def __init__(self, public="public_media", private="private_media"):
        self.public_alias, self.private_alias = public, private

    def backend(self, name: str) -> Storage:
        return storages[self.private_alias if is_private_name(name) else self.public_alias]

    def signs_folders(self, name: str) -> bool:
        """Whether a signed URL of this file also opens its folder's other files (true for
        public files and local private ones; false for S3's per-object presigned URLs)."""
        backend = self.backend(name)
        return not is_private_name(name) or getattr(backend, "signs_folders", False)

    def _open(self, name, mode="rb"):
        return self.backend(name).open(name, mode)

    def _save(self, name, content):
        return self.backend(name).save(name, content)

    def get_available_name(self, name, max_length=None):
        return self.backend(name).get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.backend(filename).generate_filename(filename)

    def path(self, name):
        return self.backend(name).path(name)

    def delete(self, name):
        return self.backend(name).delete(name)

    def exists(self, name):
        return self.backend(name).exists(name)

    def listdir(self, path):
        return self.backend(path).listdir(path)

    def size(self, name):
        return self.backend(name).size(name)

    def url(self, name):
        return self.backend(name).url(name)

    def get_accessed_time(self, name):
        return self.backend(name).get_accessed_time(name)

    def get_created_time(self, name):
        return self.backend(name).get_created_time(name)

    def get_modified_time(self, name):
        return self.backend(name).get_modified_time(name)


def register_media_types():
    for extension, content_type in MEDIA_TYPES.items():
        mimetypes.add_type(content_type, extension)


def content_type_for(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def delete_prefix(storage, prefix: str) -> None:
    """Delete every file under `prefix` (a folder-like name ending in '/')."""
    prefix = prefix.rstrip("/") + "/"
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(prefix + name)
    for directory in directories:
        delete_prefix(storage, prefix + directory)
    try:
        folder = storage.path(prefix)
    except NotImplementedError:  # S3: no folders to remove
        return
    # Remove the emptied folders too.
    shutil.rmtree(folder, ignore_errors=True)


def copy_prefix(
    storage, old_prefix: str, new_prefix: str, *, skip: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """Copy every file under `old_prefix` to the same place under `new_prefix` (which may be
    in the other storage), leaving out its folders named in `skip`; returns the (old, new)
    names."""
    old_prefix, new_prefix = old_prefix.rstrip("/") + "/", new_prefix.rstrip("/") + "/"
    try:
        directories, files = storage.listdir(old_prefix)
    except FileNotFoundError:
        return []
    copied = []
    for name in files:
        with storage.open(old_prefix + name, "rb") as handle:
            saved = storage.save(new_prefix + name, handle)
        copied.append((old_prefix + name, saved))
    for directory in directories:
        if directory not in skip:
            copied += copy_prefix(storage, old_prefix + directory, new_prefix + directory)
    return copied

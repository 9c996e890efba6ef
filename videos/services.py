"""Writes to videos: uploads, processing, publishing, editing, deleting."""

import base64
import io
import logging
import math
import shutil
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageFilter

from accounts.models import User
from accounts.services import user_require_not_suspended
from core import text_checks
from core.cache_versions import PUBLIC_VIDEOS, bump_cache_version_on_change
from core.metrics import TRANSCODE_SECONDS_PER_CLIP_SECOND
from core.storage import PRIVATE_PREFIX, copy_prefix, delete_prefix
from videos import queue, selectors
from videos.models import Hashtag, Rendition, Video, new_storage_token
from videos.probe import ProbeResult, UploadRejected, probe_upload
from videos.signals import video_processed, video_taken_down
from videos.text import hashtags_in, mentions_in
from videos.transcode import TranscodeError, TransientTranscodeError, extract_frames, transcode

logger = logging.getLogger(__name__)


def _probe(path: Path, *, start: float | None) -> ProbeResult:
    return probe_upload(
        path,
        start=start,
        max_bytes=settings.VIDEO_MAX_UPLOAD_BYTES,
        max_duration=settings.VIDEO_MAX_DURATION_S,
        max_trimmable_duration=settings.VIDEO_MAX_TRIMMABLE_DURATION_S,
    )


@contextmanager
def _local_copy(uploaded_file):
    """A path on disk for an uploaded file, which may be in memory or already on disk."""
    temporary_path = getattr(uploaded_file, "temporary_file_path", None)
    if temporary_path is not None:
        yield Path(temporary_path())
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as handle:
        uploaded_file.seek(0)
        shutil.copyfileobj(uploaded_file, handle)
        handle.flush()
        yield Path(handle.name)


def _set_description_links(video: Video) -> None:
    tags = hashtags_in(video.description)
    for name in tags:
        Hashtag.objects.get_or_create(name=name)
    video.hashtags.set(Hashtag.objects.filter(name__in=tags))
    usernames = mentions_in(video.description)
    video.mentions.set(
        User.objects.filter(username__in=usernames, is_active=True).exclude(pk=video.owner_id)
    )


def _public_videos_changed() -> None:
    """What anyone may see changed (a publish, an edit, a removal): the caches built on the
    public videos (search result ids, feed candidates, cards) are stale. Bumped now, and again
    once the transaction commits, so that a reader who cached the old rows between the two
    (it could not see the uncommitted change) is not believed either."""
    bump_cache_version_on_change(PUBLIC_VIDEOS)


def video_create_from_upload(
    *,
    owner: User,
    uploaded_file,
    title: str,
    description: str = "",
    visibility: str = Video.Visibility.PUBLIC,
    comments_enabled: bool = True,
    start: float | None = None,
    upload_token: str = "",
    queue_processing: bool = True,
) -> Video:
    """Check an uploaded clip, store it and queue its processing.

    The file is probed, never trusted by its name or type: a refused file raises
    `UploadRejected` and nothing is stored. A clip over 5 seconds (and within the trim limit)
    without a start time is kept as a video waiting for one, so the creator does not have to
    upload it again. A second submit of the same form (same `upload_token`) returns the video
    the first one made, also when both arrive at once.
    """
    user_require_not_suspended(user=owner)
    if upload_token:
        existing = Video.objects.filter(owner=owner, upload_token=upload_token).first()
        if existing is not None:
            return existing
    try:
        held = text_checks.verdict([title, description])
    except text_checks.TextRefused as refusal:
        raise UploadRejected("refused_text", refusal.message) from None

    status = Video.Status.UPLOADED
    source_duration = None
    with _local_copy(uploaded_file) as path:
        try:
            probe = _probe(path, start=start)
            source_duration = probe.duration
        except UploadRejected as rejection:
            if rejection.code != "too_long_trimmable" or start is not None:
                raise
            status = Video.Status.NEEDS_TRIM
            source_duration = rejection.details.get("duration")

        video = Video(
            owner=owner,
            title=title.strip(),
            description=description.strip(),
            visibility=visibility,
            comments_enabled=comments_enabled,
            trim_start=start,
            source_duration=source_duration,
            status=status,
            upload_token=upload_token,
            moderation_state=(
                Video.ModerationState.HELD if held else Video.ModerationState.VISIBLE
            ),
        )
        video.full_clean(exclude=["source"])
        with path.open("rb") as handle:
            video.source.save("source", File(handle), save=False)
        if status == Video.Status.NEEDS_TRIM:
            video.trim_frames = _make_trim_frames(video, path)
    try:
        with transaction.atomic():
            video.save()
            _set_description_links(video)
            if status == Video.Status.UPLOADED and queue_processing:
                queue.queue_processing(video.pk)
    except IntegrityError:
        _delete_upload_files(video)
        if not upload_token:
            raise
        # The same form submitted twice at once: the other request made the video.
        return Video.objects.get(owner=owner, upload_token=upload_token)
    except Exception:
        _delete_upload_files(video)
        raise
    return video


def _delete_upload_files(video: Video) -> None:
    default_storage.delete(video.source.name)
    if video.trim_frames:
        delete_prefix(default_storage, video.trim_frames_root)


TRIM_FRAMES_MAX = 10


def trim_frame_times(duration: float) -> list[float]:
    """The start times the trim step shows a frame of: whole seconds from 0, evenly spread
    over the starts that keep a whole 5-second clip, at most `TRIM_FRAMES_MAX` of them."""
    max_start = max(0.0, duration - settings.VIDEO_MAX_DURATION_S)
    step = max(1, math.ceil(max_start / (TRIM_FRAMES_MAX - 1)))
    return [float(second) for second in range(0, int(max_start) + 1, step)]


def _make_trim_frames(video: Video, path: Path) -> list[dict] | None:
    """Extract the trim step's strip of frames into the video's private trim folder.

    Best effort: without frames the trim step still offers the start-time field, so a
    failure is logged, not shown to the creator as a refused upload.
    """
    root = video.trim_frames_root
    try:
        probe = _probe(path, start=0.0)
        times = trim_frame_times(probe.duration)
        with tempfile.TemporaryDirectory(prefix="microvid-frames-") as work:
            paths = extract_frames(path, Path(work), probe=probe, times=times)
            frames = []
            for at, frame_path in zip(times, paths, strict=True):
                with Image.open(frame_path) as image:
                    width, height = image.size
                with frame_path.open("rb") as handle:
                    name = default_storage.save(root + frame_path.name, File(handle))
                frames.append({"time": at, "name": name, "width": width, "height": height})
    except (UploadRejected, TranscodeError, OSError):
        logger.warning("No trim frames for video %s", video.short_id, exc_info=True)
        delete_prefix(default_storage, root)
        return None
    return frames


def _authorize_owner(video: Video, by: User) -> None:
    if not selectors.video_can_manage(video=video, user=by):
        raise PermissionDenied


@transaction.atomic
def video_set_trim(*, video: Video, by: User, start: float) -> Video:
    """Choose which 5 seconds of a longer clip to keep, then queue its processing."""
    _authorize_owner(video, by)
    video = Video.objects.select_for_update().get(pk=video.pk)
    if video.status not in (Video.Status.NEEDS_TRIM, Video.Status.FAILED):
        return video
    with _source_on_disk(video) as path:
        _probe(path, start=start)  # raises UploadRejected for a start that does not fit
    video.trim_start = start
    video.status = Video.Status.UPLOADED
    video.failure_reason = ""
    video.save(update_fields=["trim_start", "status", "failure_reason", "updated_at"])
    queue.queue_processing(video.pk)
    return video


@contextmanager
def _source_on_disk(video: Video):
    with tempfile.TemporaryDirectory(prefix="microvid-") as workdir:
        path = Path(workdir) / "source"
        with video.source.open("rb") as stored, path.open("wb") as local:
            shutil.copyfileobj(stored, local, length=1024 * 1024)
        yield path


INLINE_POSTER_WIDTH = 32


def _inline_poster(poster_path: Path) -> str:
    """A ~1 KB blurred JPEG of the poster as a data: URI, for the first paint."""
    with Image.open(poster_path) as image:
        image.thumbnail((INLINE_POSTER_WIDTH, INLINE_POSTER_WIDTH * 2))
        image = image.convert("RGB").filter(ImageFilter.GaussianBlur(1))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=40, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _output_prefix(video: Video, attempt: int) -> str:
    return f"{video.media_root}v{attempt}/"


def _store_outputs(out_dir: Path, prefix: str) -> list[str]:
    names = []
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        name = prefix + path.relative_to(out_dir).as_posix()
        with path.open("rb") as handle:
            saved = default_storage.save(name, File(handle))
        if saved != name:
            raise TranscodeError(f"storage renamed {name} to {saved}")
        names.append(saved)
    return names


def video_process(*, video_id: int, final_attempt: bool = True, task_id: str = "") -> Video | None:
    """Transcode a video's uploaded file into its HLS ladder, MP4 fallback and poster.

    Idempotent, and ready exactly once: a ready video is left alone; a video another live
    attempt holds (its lease is current, and it runs in another message than `task_id`) is
    left to it; an attempt whose lease expired, or whose own message came back (its worker
    died: Celery redelivers the same task id), is dead and is taken over at once. The attempt
    renews its lease while it works, and only the attempt that still holds the video may make
    it ready. Each run writes a complete new set of files under a fresh prefix before
    switching the video to it and deleting the old set, so a retry or a second run leaves
    exactly one clean set. A transient failure is re-raised for the task to retry (the video
    goes back to "uploaded"); on the final attempt, or for a permanent failure, the video is
    marked failed with a reason its creator can read.
    """
    with transaction.atomic():
        video = Video.objects.select_for_update().filter(pk=video_id).first()
        if video is None or video.status in (Video.Status.READY, Video.Status.NEEDS_TRIM):
            return video
        if video.status == Video.Status.PROCESSING and _held_by_a_live_attempt(video, task_id):
            return video
        now = timezone.now()
        video.status = Video.Status.PROCESSING
        video.processing_attempts += 1
        video.processing_started_at = now
        video.processing_attempt_id = uuid.uuid4().hex
        video.processing_task_id = task_id
        video.processing_lease_until = now + _lease()
        video.failure_reason = ""
        video.save(
            update_fields=[
                "status", "processing_attempts", "processing_started_at", "failure_reason",
                "processing_attempt_id", "processing_task_id", "processing_lease_until",
                "updated_at",
            ]
        )  # fmt: skip
    attempt = video.processing_attempts
    attempt_id = video.processing_attempt_id
    prefix = _output_prefix(video, attempt)
    try:
        with (
            _lease_kept(video.pk, attempt_id),
            _source_on_disk(video) as source,
            tempfile.TemporaryDirectory(prefix="microvid-out-") as work,
        ):
            probe = _probe(source, start=video.trim_start)
            started = time.perf_counter()
            result = transcode(
                source,
                Path(work) / "out",
                probe=probe,
                timeout=settings.VIDEO_PROCESSING_TIMEOUT_S,
            )
            if result.duration:
                TRANSCODE_SECONDS_PER_CLIP_SECOND.observe(
                    (time.perf_counter() - started) / result.duration
                )
            _store_outputs(result.out_dir, prefix)
            poster_inline = _inline_poster(result.poster_path)
            poster_hash = image_dhash(result.poster_path)
    except UploadRejected as rejection:
        delete_prefix(default_storage, prefix)
        _mark_failed(video, str(rejection))
        return video
    except TransientTranscodeError:
        delete_prefix(default_storage, prefix)
        if final_attempt:
            _mark_failed(video, _processing_failed_message())
            return video
        Video.objects.filter(pk=video.pk).update(status=Video.Status.UPLOADED)
        raise
    except TranscodeError:
        logger.exception("Processing video %s failed", video.pk)
        delete_prefix(default_storage, prefix)
        _mark_failed(video, _processing_failed_message())
        return video

    def relative(path: Path) -> str:
        return prefix + path.relative_to(result.out_dir).as_posix()

    with transaction.atomic():
        current = Video.objects.select_for_update().filter(pk=video.pk).first()
        if current is None:  # deleted while processing: its files must not linger
            transaction.on_commit(lambda: delete_prefix(default_storage, prefix))
            return None
        if current.processing_attempt_id != attempt_id:
            # Taken over (this attempt's lease expired while it was stalled): the attempt
            # that holds the video now makes it ready, once; these files are not used.
            logger.warning("Attempt %s of video %s lost its lease", attempt, video.pk)
            transaction.on_commit(lambda: delete_prefix(default_storage, prefix))
            return current
        old_prefix = current.output_prefix
        trim_frames_root = current.trim_frames_root if current.trim_frames else ""
        current.trim_frames = None  # the start is chosen and kept: the strip is of no more use
        current.output_prefix = prefix
        current.hls_master = relative(result.master_playlist)
        current.mp4 = relative(result.mp4_path)
        current.poster = relative(result.poster_path)
        current.poster_inline = poster_inline
        current.poster_hash = poster_hash
        current.duration = result.duration
        current.width, current.height = result.width, result.height
        current.has_audio = result.has_audio
        current.output_bytes = result.total_size_bytes
        current.status = Video.Status.READY
        current.processed_at = timezone.now()
        current.processing_lease_until = None
        current.save()
        current.renditions.all().delete()
        Rendition.objects.bulk_create(
            Rendition(
                video=current,
                width=rung.width,
                height=rung.height,
                bandwidth=rung.bandwidth,
                average_bandwidth=rung.average_bandwidth,
                codecs=rung.codecs,
                playlist=relative(rung.playlist),
            )
            for rung in result.renditions
        )
        if old_prefix and old_prefix != prefix:
            transaction.on_commit(lambda: delete_prefix(default_storage, old_prefix))
        if trim_frames_root:
            transaction.on_commit(lambda: delete_prefix(default_storage, trim_frames_root))
        if current.published_at is not None:
            _public_videos_changed()  # reprocessed: new files and cards
        if not prefix.startswith(current.media_root):
            # Its visibility changed while it was being processed: move the files now.
            transaction.on_commit(lambda: video_media_relocate(video=current))
    video_processed.send(sender=Video, video=current)
    current.refresh_from_db(fields=["moderation_state"])
    return current


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def _lease() -> timedelta:
    return timedelta(seconds=settings.VIDEO_PROCESSING_LEASE_S)


def _held_by_a_live_attempt(video: Video, task_id: str) -> bool:
    if task_id and task_id == video.processing_task_id:
        # Our own message, delivered again: the attempt that took it died with its worker
        # (a message is redelivered only when its worker is lost; the broker's visibility
        # timeout is longer than any task may run).
        return False
    if video.processing_lease_until is not None:
        return timezone.now() < video.processing_lease_until
    started = video.processing_started_at  # a row from before leases: the old rule
    return started is not None and timezone.now() - started < _stale_after()


@contextmanager
def _lease_kept(video_id: int, attempt_id: str):
    """Renew the attempt's lease from a thread while the body runs (a transcode does not
    yield to us), every third of the lease. A renewal that finds the video taken over, or
    gone, changes nothing; the attempt learns it when it tries to finish."""
    stop = threading.Event()
    period = settings.VIDEO_PROCESSING_LEASE_S / 3

    def renew():
        try:
            while not stop.wait(period):
                Video.objects.filter(pk=video_id, processing_attempt_id=attempt_id).update(
                    processing_lease_until=timezone.now() + _lease()
                )
        except Exception:  # the database is briefly away: the lease may lapse, not the work
            logger.warning("Could not renew the lease of video %s", video_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"lease-{video_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _processing_failed_message() -> str:
    return _(
        "We could not process this video. Try uploading it again; if it fails again, "
        "export it from your phone or editor as MP4 (H.264) and upload that."
    )


def _mark_failed(video: Video, reason: str) -> None:
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.FAILED, failure_reason=reason, updated_at=timezone.now()
    )
    video.status, video.failure_reason = Video.Status.FAILED, reason


def video_reprocess(*, video: Video, by: User) -> Video:
    """Process a video again from its uploaded file (for staff, e.g. after a pipeline fix)."""
    _authorize_owner(video, by)
    with transaction.atomic():
        Video.objects.filter(pk=video.pk).update(
            status=Video.Status.UPLOADED, failure_reason="", updated_at=timezone.now()
        )
        video.refresh_from_db()
        queue.queue_processing(video.pk)
    return video


@transaction.atomic
def video_publish(*, video: Video, by: User) -> Video:
    """Publish a processed draft, making it visible as its visibility says."""
    _authorize_owner(video, by)
    video = Video.objects.select_for_update().get(pk=video.pk)
    if not video.is_ready:
        raise ValueError(_("Only a processed video can be published."))
    if video.published_at is None:
        video.published_at = timezone.now()
        video.publish_at = None
        video.save(update_fields=["published_at", "publish_at", "updated_at"])
        _public_videos_changed()
    return video


@transaction.atomic
def video_schedule(*, video: Video, by: User, when) -> Video:
    """Publish a processed draft later, at `when` (an aware datetime in the future)."""
    _authorize_owner(video, by)
    video = Video.objects.select_for_update().get(pk=video.pk)
    if not video.is_ready:
        raise ValueError(_("Only a processed video can be published."))
    if video.published_at is not None:
        raise ValueError(_("This video is published already."))
    if when <= timezone.now():
        raise ValueError(_("Choose a time in the future."))
    video.publish_at = when
    video.save(update_fields=["publish_at", "updated_at"])
    return video


@transaction.atomic
def video_unschedule(*, video: Video, by: User) -> Video:
    """Keep a scheduled video as a private draft."""
    _authorize_owner(video, by)
    video = Video.objects.select_for_update().get(pk=video.pk)
    if video.published_at is None and video.publish_at is not None:
        video.publish_at = None
        video.save(update_fields=["publish_at", "updated_at"])
    return video


def videos_publish_due(*, now=None) -> list[int]:
    """Publish every scheduled video whose time has come, dated at its scheduled time (so it
    takes its place in the feeds as if published then). Idempotent: run it every minute."""
    now = now or timezone.now()
    published = []
    due = Video.objects.filter(
        publish_at__lte=now, published_at__isnull=True, status=Video.Status.READY
    ).values_list("pk", flat=True)
    for pk in due:
        with transaction.atomic():
            video = Video.objects.select_for_update().get(pk=pk)
            if video.published_at is None and video.publish_at is not None:
                video.published_at = video.publish_at
                video.publish_at = None
                video.save(update_fields=["published_at", "publish_at", "updated_at"])
                published.append(pk)
    return published


@transaction.atomic
def video_update(
    *,
    video: Video,
    by: User,
    title: str,
    description: str,
    visibility: str,
    comments_enabled: bool,
) -> Video:
    """Change a video's title, description, visibility or comment setting. Text that a
    watched-word list refuses raises `core.text_checks.TextRefused`; text it holds puts the
    video on hold for review."""
    _authorize_owner(video, by)
    if text_checks.verdict([title, description]) and video.moderation_state in (
        Video.ModerationState.VISIBLE,
        Video.ModerationState.LIMITED,
    ):
        video.moderation_state = Video.ModerationState.HELD
        Video.objects.filter(pk=video.pk).update(moderation_state=video.moderation_state)
    visibility_changed = visibility != video.visibility
    video.title = title.strip()
    video.description = description.strip()
    video.visibility = visibility
    video.comments_enabled = comments_enabled
    video.full_clean(exclude=["source"])
    video.save(
        update_fields=["title", "description", "visibility", "comments_enabled", "updated_at"]
    )
    _set_description_links(video)
    _public_videos_changed()
    if visibility_changed:
        video = video_media_relocate(video=video)
    return video


def _media_roots(video: Video) -> list[str]:
    folder = f"videos/{video.short_id}-{video.storage_token}/"
    return [folder, PRIVATE_PREFIX + folder]


@transaction.atomic
def video_media_relocate(*, video: Video) -> Video:
    """Move a video's files to a new folder, in the storage its visibility calls for.

    Called when its visibility changes (or it is taken down): the folder's name carries a new
    random token, so every URL handed out before, signed or not, is dead from the next
    request on (the old files are deleted once this commits). Signals
    `video_access_changed` so that live sockets re-check who may still listen.
    """
    from videos.signals import video_access_changed

    video = Video.objects.select_for_update().get(pk=video.pk)
    old_roots = _media_roots(video)  # only these (its own folders) are deleted afterwards
    # Where its files are: normally one of those; a copy of another video's files (the demo
    # data) is copied from there and the original left alone.
    if video.output_prefix:  # .../<id>-<token>/v<n>/
        old_root = video.output_prefix.rstrip("/").rsplit("/", 1)[0] + "/"
    elif video.captions:
        old_root = video.captions.name.rsplit("/", 1)[0] + "/"
    else:
        old_root = None
    old_trim_root = video.trim_frames_root
    video.storage_token = new_storage_token()
    new_root = video.media_root
    # The trim step's frames stay in private storage whatever the visibility (a draft's
    # frames): they move on their own, never along with a folder that becomes public.
    copied = copy_prefix(default_storage, old_root, new_root, skip=("trim",)) if old_root else []
    if video.trim_frames:
        copied += copy_prefix(default_storage, old_trim_root, video.trim_frames_root)
        video.trim_frames = [
            {**frame, "name": video.trim_frames_root + frame["name"][len(old_trim_root) :]}
            for frame in video.trim_frames
        ]

    def moved(name: str) -> str:
        return new_root + name[len(old_root) :] if old_root and name.startswith(old_root) else name

    try:
        video.output_prefix = moved(video.output_prefix)
        video.hls_master = moved(video.hls_master)
        video.mp4 = moved(video.mp4)
        video.poster = moved(video.poster)
        if video.captions:
            video.captions.name = moved(video.captions.name)
        video.save()
        for rendition in video.renditions.all():
            rendition.playlist = moved(rendition.playlist)
            rendition.save(update_fields=["playlist"])
    except Exception:
        for _old, new in copied:
            default_storage.delete(new)
        raise
    for root in old_roots:
        transaction.on_commit(lambda root=root: delete_prefix(default_storage, root))
    transaction.on_commit(lambda: video_access_changed.send(sender=Video, video_id=video.pk))
    return video


@transaction.atomic
def video_delete(*, video: Video, by: User) -> None:
    """Delete a video: its rows now, every one of its files once that is committed."""
    _authorize_owner(video, by)
    source_name = video.source.name
    upload_prefix = source_name.rsplit("/", 1)[0] + "/" if source_name else ""
    output_roots = _media_roots(video)
    video_id = video.pk
    video.delete()
    _public_videos_changed()

    def delete_files():
        if source_name:
            default_storage.delete(source_name)
        if upload_prefix:
            delete_prefix(default_storage, upload_prefix)
        for root in output_roots:
            delete_prefix(default_storage, root)

    from videos.signals import video_access_changed

    transaction.on_commit(delete_files)
    transaction.on_commit(lambda: video_access_changed.send(sender=Video, video_id=video_id))


def videos_requeue_stalled(*, now=None) -> list[int]:
    """Queue again the videos whose processing was lost (a worker killed mid-task, a lost
    message): "processing" by an attempt whose lease expired, or "uploaded" for long without
    being picked up. Returns their ids."""
    now = now or timezone.now()
    grace = _stale_after()
    stalled = list(
        Video.objects.filter(status=Video.Status.PROCESSING)
        .filter(
            models.Q(processing_lease_until__lt=now)
            | models.Q(processing_lease_until=None, processing_started_at__lt=now - grace)
        )
        .values_list("pk", flat=True)
    ) + list(
        Video.objects.filter(status=Video.Status.UPLOADED, updated_at__lt=now - grace).values_list(
            "pk", flat=True
        )
    )
    for video_id in stalled:
        video = Video.objects.get(pk=video_id)
        if video.processing_attempts >= settings.VIDEO_PROCESSING_MAX_ATTEMPTS:
            _mark_failed(video, _processing_failed_message())
            continue
        Video.objects.filter(pk=video_id).update(status=Video.Status.UPLOADED, updated_at=now)
        queue.queue_processing(video_id, after_commit=False)
    return stalled


CAPTIONS_MAX_BYTES = 200 * 1024


class CaptionsRejected(ValueError):
    """The captions file cannot be used; the message says why and what is accepted."""


def _captions_hint() -> str:
    return _("Accepted: a WebVTT (.vtt) file in UTF-8, up to 200 KB.")


def video_set_captions(*, video: Video, by: User, upload, language: str) -> Video:
    """Attach a WebVTT captions file (replacing any earlier one), checked before it is kept."""
    _authorize_owner(video, by)
    if upload.size > CAPTIONS_MAX_BYTES:
        raise CaptionsRejected(_("The captions file is too large.") + " " + _captions_hint())
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaptionsRejected(
            _("The captions file is not UTF-8 text.") + " " + _captions_hint()
        ) from None
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines[0].startswith("WEBVTT") or not any("-->" in line for line in lines):
        raise CaptionsRejected(_("This is not a WebVTT captions file.") + " " + _captions_hint())
    old_name = video.captions.name
    with transaction.atomic():
        video.captions.save("captions.vtt", ContentFile(text.encode("utf-8")), save=False)
        video.captions_language = language
        video.save(update_fields=["captions", "captions_language", "updated_at"])
        if old_name:
            transaction.on_commit(lambda: default_storage.delete(old_name))
    return video


def video_remove_captions(*, video: Video, by: User) -> Video:
    _authorize_owner(video, by)
    old_name = video.captions.name
    with transaction.atomic():
        video.captions = None
        video.captions_language = ""
        video.save(update_fields=["captions", "captions_language", "updated_at"])
        if old_name:
            transaction.on_commit(lambda: default_storage.delete(old_name))
    return video


# --- perceptual hash ---------------------------------------------------------------------------
def image_dhash(path) -> int:
    """A 64-bit difference hash of an image (signed, to fit a BigIntegerField): near-identical
    frames (re-encoded, rescaled, slightly brightened) differ in only a few bits."""
    with Image.open(path) as image:
        small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
        pixels = list(small.tobytes())
    bits = 0
    for row in range(8):
        for column in range(8):
            left, right = pixels[row * 9 + column], pixels[row * 9 + column + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return bits - (1 << 64) if bits >= 1 << 63 else bits


def dhash_distance(a: int, b: int) -> int:
    """How many of the 64 bits differ between two hashes."""
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


# --- moderation state (the moderation services decide who may; these keep files right) -----------
def video_rotate_storage(*, video: Video) -> Video:
    """Move a video's output files under a new unguessable folder: every URL handed out so far
    (and cached by browsers or a CDN) answers 404 from the next request. Used when a video is
    removed or made private. The uploaded original (private, never served) stays."""
    return video_media_relocate(video=video)


def video_set_moderation_state(*, video: Video, state: str) -> Video:
    """Put a video in a moderation state (see Video.ModerationState). Removing it moves its
    files (old URLs die at once) and takes it off open pages and sockets; holding it takes it
    off too; limiting only takes it out of discovery."""
    if state not in Video.ModerationState.values:
        raise ValueError(f"Unknown moderation state {state!r}")
    previous = video.moderation_state
    with transaction.atomic():
        Video.objects.filter(pk=video.pk).update(moderation_state=state, updated_at=timezone.now())
        video.moderation_state = state
        if state != previous:
            _public_videos_changed()  # removed, held, limited or restored: cached ids are stale
        if state == Video.ModerationState.REMOVED and previous != state:
            video_rotate_storage(video=video)
        if state in (Video.ModerationState.REMOVED, Video.ModerationState.HELD):
            video_id = video.pk
            transaction.on_commit(lambda: video_taken_down.send(sender=Video, video_id=video_id))
    return video

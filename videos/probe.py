"""Probe an uploaded file and decide whether Microvid accepts it.

Everything is recognised by probing the bytes in-process with PyAV, never by the file name:

* containers: MP4 / MOV (ISO base media) and WebM (Matroska holding only VP8/VP9/AV1 video
  and Vorbis/Opus audio);
* a video stream is required;
* duration is measured on the video stream, at most 5.0 s with 0.05 s of tolerance; clips over
  5 s and up to 60 s are refused with an offer to trim unless a start time is given;
* the shorter displayed side must be at least 144 pixels;
* the size limit is checked first, before any parsing.

Refusals raise :class:`UploadRejected` with a stable ``code`` for the UI and a translated,
user-facing ``message`` that says what was wrong and what is accepted. Limits are plain keyword
arguments with the product defaults so that callers (the upload view, the Celery task) can pass
values from Django settings.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

MAX_DURATION_S = 5.0
DURATION_TOLERANCE_S = 0.05
MAX_TRIMMABLE_DURATION_S = 60.0
MIN_SHORT_SIDE_PX = 144
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

# Demuxers PyAV may use on an upload. Besides the two accepted families this lists harmless,
# single-file formats that people upload by mistake, so that they get a precise message. Every
# other demuxer is off: some (hls, concat, image2 patterns...) open further files or URLs named
# inside the upload, which must never happen with untrusted input.
_ISO_BMFF_DEMUXER = "mov,mp4,m4a,3gp,3g2,mj2"
_MATROSKA_DEMUXER = "matroska,webm"
_RECOGNISED_DEMUXERS = ",".join(
    [
        "mov",
        "matroska",
        "avi",
        "flv",
        "mpegts",
        "mpegps",
        "asf",
        "ogg",
        "mp3",
        "wav",
        "aac",
        "flac",
        "gif",
        "png_pipe",
        "jpeg_pipe",
        "webp_pipe",
        "bmp_pipe",
        "tiff_pipe",
        "svg_pipe",
    ]
)
_IMAGE_DEMUXERS = {
    "gif",
    "png_pipe",
    "jpeg_pipe",
    "webp_pipe",
    "bmp_pipe",
    "tiff_pipe",
    "svg_pipe",
}
_FORMAT_LABELS = {
    "avi": "AVI",
    "flv": "Flash video (FLV)",
    "mpegts": "MPEG transport stream",
    "mpeg": "MPEG program stream",
    "asf": "Windows Media (ASF/WMV)",
    _MATROSKA_DEMUXER: "Matroska (MKV)",
    "ogg": "Ogg",
}
_WEBM_VIDEO_CODECS = {"vp8", "vp9", "av1"}
_WEBM_AUDIO_CODECS = {"vorbis", "opus"}
# Leading bytes of the container families we accept: a file that starts like one of them but
# cannot be opened is a damaged video (e.g. an interrupted upload), not "not a video".
_ISO_BMFF_BOX_TYPES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"}
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"


class UploadRejected(Exception):
    """An upload that Microvid refuses.

    ``code`` is stable and meant for programs (the UI shows a trim picker for
    ``too_long_trimmable``); ``message`` is translated text for the person who uploaded;
    ``details`` carries numbers the UI may need (duration, the latest valid start time...).

    Codes: ``too_large``, ``damaged``, ``not_video``, ``unsupported_format``,
    ``unsupported_codec``, ``no_video``, ``too_small``, ``too_long_trimmable``, ``too_long``,
    ``invalid_start``.
    """

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class ProbeResult:
    """What the probe learnt about an accepted upload.

    ``width``/``height`` are as displayed: after the display-matrix rotation and with non-square
    pixels stretched to square ones. ``coded_width``/``coded_height`` are as stored.
    ``rotation`` is the display-matrix rotation in degrees counter-clockwise (FFmpeg's
    convention), normalised to 0, 90, 180 or 270. ``duration`` is that of the video stream.
    ``start`` is the validated trim start (``None`` when the clip is used whole) and
    ``output_duration`` how long the published clip will be.
    """

    path: Path
    size_bytes: int
    video_stream_index: int  # FFmpeg's index of the stream used, in the whole file
    audio_stream_index: int | None
    container: str  # "mp4", "mov" or "webm"
    format_name: str  # FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    video_codec: str
    width: int
    height: int
    coded_width: int
    coded_height: int
    rotation: int
    sample_aspect_ratio: Fraction
    duration: float
    video_bitrate: int  # bits/s, measured over the whole video stream
    fps: float
    frame_count: int
    pix_fmt: str
    bit_depth: int
    is_rgb: bool
    color_transfer: int | None
    has_audio: bool
    audio_codec: str | None
    audio_channels: int | None
    audio_sample_rate: int | None
    start: float | None
    output_duration: float

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    @property
    def is_portrait(self) -> bool:
        return self.height > self.width


def _accepted_hint(max_duration: float, min_short_side: int, max_bytes: int) -> str:
    from django.utils.translation import gettext as _

    return _(
        "Accepted: MP4, MOV or WebM video up to %(seconds)s seconds, at least %(pixels)s pixels "
        "on the shorter side, up to %(megabytes)s MB."
    ) % {
        "seconds": _fmt_seconds(max_duration),
        "pixels": min_short_side,
        "megabytes": _fmt_megabytes(max_bytes),
    }


def _fmt_seconds(seconds: float) -> str:
    return f"{seconds:.1f}".removesuffix(".0")


def _fmt_megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _starts_like_accepted_container(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(12)
    return head[:4] == _EBML_MAGIC or head[4:8] in _ISO_BMFF_BOX_TYPES


def _container_family(container: Any, video_codec: str, audio_codecs: list[str]) -> str | None:
    """Return "mp4", "mov" or "webm" for accepted containers, else ``None``."""
    name = container.format.name
    if name == _ISO_BMFF_DEMUXER or "mp4" in name.split(",") or "mov" in name.split(","):
        brand = str(container.metadata.get("major_brand", "")).strip()
        return "mov" if brand == "qt" else "mp4"
    # FFmpeg reports WebM and any other Matroska file alike: WebM is Matroska restricted to
    # these codecs, so the codecs decide.
    if (
        name == _MATROSKA_DEMUXER
        and video_codec in _WEBM_VIDEO_CODECS
        and all(codec in _WEBM_AUDIO_CODECS for codec in audio_codecs)
    ):
        return "webm"
    return None


def _video_stream_duration(container: Any, stream: Any) -> tuple[float | None, int, int]:
    """Measure the video stream by walking its packets (no decoding).

    Returns (duration in seconds or ``None`` if no timestamps, packet count, bytes). Raises
    ``av.error.FFmpegError`` on read errors, which the caller reports as damage.
    """
    first_pts: int | None = None
    end_pts: int | None = None
    last_pts: int | None = None
    previous_pts: int | None = None
    shortest_step: int | None = None
    packets = total_bytes = 0
    for packet in container.demux(stream):
        if packet.size == 0 and packet.pts is None:
            continue  # the flush packet PyAV yields at the end
        packets += 1
        total_bytes += packet.size
        if packet.pts is None:
            continue
        pts = packet.pts
        first_pts = pts if first_pts is None else min(first_pts, pts)
        last_pts = pts if last_pts is None else max(last_pts, pts)
        if previous_pts is not None and pts > previous_pts:
            step = pts - previous_pts
            shortest_step = step if shortest_step is None else min(shortest_step, step)
        previous_pts = pts
        # Matroska SimpleBlocks carry no duration: then the last frame's duration is estimated
        # from the frame spacing below.
        if packet.duration:
            end = pts + packet.duration
            end_pts = end if end_pts is None else max(end_pts, end)
    if first_pts is None or last_pts is None:
        return None, packets, total_bytes
    if end_pts is None or end_pts <= last_pts:
        end_pts = last_pts + (shortest_step or 0)
    return float((end_pts - first_pts) * stream.time_base), packets, total_bytes


def _rotation(frame: Any) -> int:
    degrees = getattr(frame, "rotation", 0) or 0
    return round(degrees / 90.0) * 90 % 360


def probe_upload(
    path: str | os.PathLike[str],
    *,
    start: float | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_duration: float = MAX_DURATION_S,
    duration_tolerance: float = DURATION_TOLERANCE_S,
    max_trimmable_duration: float = MAX_TRIMMABLE_DURATION_S,
    min_short_side: int = MIN_SHORT_SIDE_PX,
) -> ProbeResult:
    """Probe the file at ``path`` and return a :class:`ProbeResult`, or raise
    :class:`UploadRejected`.

    ``start`` is the creator's chosen start time in seconds for clips longer than
    ``max_duration``; with it, the clip is accepted if ``start + max_duration`` fits in the
    video and the whole is at most ``max_trimmable_duration`` long.
    """
    # PyAV (FFmpeg's libraries) is imported where it is used: start-up of every command and
    # worker would otherwise pay for it.
    import av
    import av.error
    from django.utils.translation import gettext as _

    path = Path(path)
    hint = _accepted_hint(max_duration, min_short_side, max_bytes)

    def reject(code: str, problem: str, **details: Any) -> UploadRejected:
        return UploadRejected(code, f"{problem} {hint}", details)

    # 1. Size, before reading a byte of content.
    size = path.stat().st_size
    if size > max_bytes:
        raise reject(
            "too_large",
            _("This file is %(size)s MB, over the %(limit)s MB limit.")
            % {"size": _fmt_megabytes(size), "limit": _fmt_megabytes(max_bytes)},
            size_bytes=size,
        )
    if size == 0:
        raise reject("damaged", _("This file is empty."), size_bytes=0)

    # 2. Open with only harmless demuxers and local-file access.
    try:
        container = av.open(
            str(path),
            options={"format_whitelist": _RECOGNISED_DEMUXERS, "protocol_whitelist": "file"},
        )
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as error:
        if _starts_like_accepted_container(path):
            raise reject(
                "damaged",
                _(
                    "This video is damaged or incomplete and cannot be read "
                    "(was the upload interrupted?)."
                ),
            ) from error
        raise reject("not_video", _("This file is not a video.")) from error

    with container:
        format_name = container.format.name
        # Cover art in an audio file is a "video" stream of one picture: not a video.
        video_streams = [
            stream
            for stream in container.streams.video
            if not stream.disposition & av.stream.Disposition.attached_pic
        ]
        audio_streams = list(container.streams.audio)

        # 3. Container, by probing. Images probe as a "video" stream (png_pipe...): the format
        # name is what refuses them.
        if format_name in _IMAGE_DEMUXERS or format_name.endswith("_pipe"):
            raise reject("not_video", _("This file is an image, not a video."))
        if not video_streams:
            raise reject(
                "no_video",
                _("This file has no video track (it looks like audio only)."),
            )
        stream = video_streams[0]
        video_codec = stream.codec_context.name
        audio_codecs = [audio.codec_context.name for audio in audio_streams]
        family = _container_family(container, video_codec, audio_codecs)
        if family is None:
            label = _FORMAT_LABELS.get(format_name, format_name.split(",")[0].upper())
            raise reject(
                "unsupported_format",
                _("The %(format)s format is not accepted.") % {"format": label},
                format=format_name,
            )

        # 4. Readability: decode the first frame (also gives the display matrix and the real
        # pixel format), then walk all video packets to measure the stream and notice missing
        # data.
        damaged = _(
            "This video is damaged or incomplete and cannot be read (was the upload interrupted?)."
        )
        try:
            first_frame = next(container.decode(stream), None)
        except av.error.FFmpegError as error:
            if "decoder" in str(error).lower() and "not found" in str(error).lower():
                raise reject(
                    "unsupported_codec",
                    _("The %(codec)s video codec is not supported.") % {"codec": video_codec},
                ) from error
            raise reject("damaged", damaged) from error
        if first_frame is None:
            raise reject("damaged", damaged)
        try:
            container.seek(0)
            measured_duration, packet_count, video_bytes = _video_stream_duration(container, stream)
        except av.error.FFmpegError as error:
            raise reject("damaged", damaged) from error
        # The MP4 index lists every sample; fewer readable packets means the data was cut off.
        if stream.frames and packet_count < stream.frames:
            raise reject("damaged", damaged)

        header_duration = (
            float(stream.duration * stream.time_base) if stream.duration is not None else None
        )
        duration = header_duration if header_duration else measured_duration
        if not duration or duration <= 0 or not math.isfinite(duration):
            raise reject("damaged", damaged)

        # 5. Geometry as displayed.
        rotation = _rotation(first_frame)
        coded_width, coded_height = first_frame.width, first_frame.height
        sar = Fraction(stream.sample_aspect_ratio or 1)
        # Near-1 ratios are rounding left by an earlier rescale (721x1281 at SAR 1647:1648 is
        # "9:16"); only real anamorphic video is stretched, like players do: width * SAR.
        if sar <= 0 or abs(sar - 1) < Fraction(1, 100):
            sar = Fraction(1, 1)
        width, height = round(coded_width * sar), coded_height
        if rotation in (90, 270):
            width, height = height, width
        if min(width, height) < min_short_side:
            raise reject(
                "too_small",
                _(
                    "This video is %(width)s×%(height)s pixels; its shorter side must be at "
                    "least %(minimum)s pixels."
                )
                % {"width": width, "height": height, "minimum": min_short_side},
                width=width,
                height=height,
            )

        # 6. Duration and trim.
        details = {"duration": round(duration, 3)}
        limit = max_duration + duration_tolerance
        if duration > max_trimmable_duration + duration_tolerance:
            raise reject(
                "too_long",
                _(
                    "This video is %(duration)s seconds long; only clips up to %(trimmable)s "
                    "seconds can be trimmed to %(seconds)s seconds here. Cut it shorter first."
                )
                % {
                    "duration": _fmt_seconds(duration),
                    "trimmable": _fmt_seconds(max_trimmable_duration),
                    "seconds": _fmt_seconds(max_duration),
                },
                **details,
            )
        latest_start = max(0.0, duration - max_duration)
        details["max_start"] = round(latest_start, 3)
        if duration > limit:
            if start is None:
                raise reject(
                    "too_long_trimmable",
                    _(
                        "This video is %(duration)s seconds long. Pick a start time and the "
                        "%(seconds)s seconds from there will be kept."
                    )
                    % {
                        "duration": _fmt_seconds(duration),
                        "seconds": _fmt_seconds(max_duration),
                    },
                    **details,
                )
            output_duration = max_duration
        else:
            output_duration = min(duration, max_duration)
        if start is not None and start > 0 and duration <= limit:
            raise reject(
                "invalid_start",
                _(
                    "This video is %(duration)s seconds long and is used whole: leave the start "
                    "time empty."
                )
                % {"duration": _fmt_seconds(duration)},
                start=start,
                **details,
            )
        if start is not None:
            if (
                not math.isfinite(start)
                or start < 0
                or start + output_duration > duration + duration_tolerance
            ):
                raise reject(
                    "invalid_start",
                    _(
                        "The start time %(start)s s does not fit: the video is %(duration)s "
                        "seconds long, so pick a start between 0 and %(latest)s seconds."
                    )
                    % {
                        "start": _fmt_seconds(start),
                        "duration": _fmt_seconds(duration),
                        "latest": _fmt_seconds(math.floor(latest_start * 10) / 10),
                    },
                    start=start,
                    **details,
                )
            if start == 0:
                start = None  # nothing to cut at the head: keep the simple path

        fps = float(stream.average_rate or stream.guessed_rate or 0) or (
            packet_count / duration if duration else 0.0
        )
        video_format = first_frame.format
        first_audio = audio_streams[0] if audio_streams else None
        return ProbeResult(
            path=path,
            size_bytes=size,
            video_stream_index=stream.index,
            audio_stream_index=first_audio.index if first_audio else None,
            container=family,
            format_name=format_name,
            video_codec=video_codec,
            width=width,
            height=height,
            coded_width=coded_width,
            coded_height=coded_height,
            rotation=rotation,
            sample_aspect_ratio=sar,
            duration=duration,
            video_bitrate=round(video_bytes * 8 / duration),
            fps=fps,
            frame_count=stream.frames or packet_count,
            pix_fmt=video_format.name,
            bit_depth=max(component.bits for component in video_format.components),
            is_rgb=bool(video_format.is_rgb),
            color_transfer=first_frame.color_trc if hasattr(first_frame, "color_trc") else None,
            has_audio=first_audio is not None,
            audio_codec=first_audio.codec_context.name if first_audio else None,
            audio_channels=first_audio.codec_context.channels if first_audio else None,
            audio_sample_rate=first_audio.codec_context.sample_rate if first_audio else None,
            start=start,
            output_duration=output_duration,
        )

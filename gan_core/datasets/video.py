"""Cutting a video into still frames with PyAV (FFmpeg's libraries from PyPI; no ffmpeg binary needed).

What is kept:
- `fps=F`: by presentation time, the first frame at or after each moment `start + k / F` (so a 25 fps
  film at `--fps 2` gives frames at 0.0, 0.52, 1.0, 1.52, ... s; a video slower than F gives each of its
  frames once). Timestamps, not frame counts, so variable-frame-rate phone videos sample evenly too.
- `every=N`: the 1st, (N+1)th, (2N+1)th ... frame from `start`.
- `start`/`end` (seconds, from the start of the video as a player shows it): the demuxer seeks to the
  keyframe before `start`, frames before `start` are decoded but dropped, decoding stops at `end`.

Speed: decoding is the whole cost (a modern codec's frames refer to each other, so nearly every frame
must be decoded, wanted or not), so it runs on FFmpeg's own threads (`thread_type = "AUTO"`); with
`fps`, frames that are shown before the next wanted moment and that no other frame refers to
(non-reference B-frames) are not decoded at all (`skip_frame = NONREF`, decided per packet from its
own timestamp, so it never drops a frame that would have been kept); and only the kept frames are
converted to RGB: FFmpeg's swscale shrinks them (area averaging) to about twice the dataset's size
straight from YUV, and Pillow's Lanczos does the last step. Non-square pixels (anamorphic DVD rips)
are stretched to their display shape first, and portrait phone videos are turned upright (their
display matrix). Memory is one decoded frame plus FFmpeg's few reference frames, however long the
video.

Near-duplicates (`DuplicateFilter`): each kept frame, shrunk to a 16 x 16 grey thumbnail, is compared
with the last frame that was kept; a mean absolute difference under `DUPLICATE_THRESHOLD` grey levels
(out of 255) means "nothing moved" (a static title card, a still scene, a paused video) and the frame is
left out. Comparing with the last *kept* frame, not the previous one, means a slow pan is still sampled
once it has moved far enough.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from gan_core.core.errors import UsageError

DUPLICATE_THRESHOLD = 3.0  # mean absolute difference, grey levels out of 255, on a 16 x 16 thumbnail
THUMB = 16
PTS_SLACK = Fraction(1, 1000)  # containers round timestamps; a frame this early still counts as on time
VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".mpg", ".mpeg", ".ts", ".m2ts", ".wmv",
                    ".flv", ".ogv", ".3gp", ".gif")


@dataclass(frozen=True)
class VideoInfo:
    name: str
    duration: float | None  # seconds, None when the container does not say
    fps: float | None
    width: int
    height: int
    codec: str

    def frames_between(self, start: float, end: float | None) -> int | None:
        """About how many frames the window [start, end) holds (for progress and ETA)."""
        if self.duration is None or not self.fps:
            return None
        stop = self.duration if end is None else min(end, self.duration)
        return max(0, round((stop - start) * self.fps))


def _open(path: Path) -> tuple["av.container.InputContainer", "av.VideoStream"]:
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"no such video file: {path}")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.EOFError:
        raise UsageError(f"{path.name} has no video frames (the file is empty or cut short)") from None
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).split(":")[0]
        raise UsageError(f"{path.name} is not a video FFmpeg can read ({reason})") from None
    fmt = container.format.name
    if fmt == "image2" or fmt.endswith("_pipe"):
        container.close()
        raise UsageError(f"{path.name} is a picture, not a video: import pictures with import-images")
    streams = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    if not streams:
        audio = " only sound" if container.streams.audio else ""
        container.close()
        raise UsageError(f"{path.name} has no video frames in it (no video stream{',' + audio if audio else ''})")
    return container, streams[0]


def _info(path: Path, container, stream) -> VideoInfo:
    duration = None
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / av.time_base
    rate = stream.average_rate or stream.guessed_rate
    ctx = stream.codec_context
    return VideoInfo(Path(path).name, duration, float(rate) if rate else None, ctx.width, ctx.height, ctx.name)


def probe(path: Path) -> VideoInfo:
    """What the video is (duration, frame rate, size); `UsageError` in one line if it is not one."""
    container, stream = _open(path)
    with container:
        return _info(path, container, stream)


def _seconds(value: float | None) -> Fraction | None:
    return None if value is None else Fraction(str(value))


def sample_frames(path: Path, *, fps: float | None = None, every: int | None = None, start: float = 0.0,
                  end: float | None = None, min_side: int = 128,
                  on_decoded: Callable[[int], None] | None = None) -> Iterator[tuple[float, Image.Image]]:
    """Yield `(seconds, RGB image)` for each kept frame; images are shrunk to about `min_side` or more.

    `on_decoded(n)` is called for every frame inside the window (kept, dropped or not even decoded), for
    progress: it counts the video's packets, one per frame.
    """
    if (fps is None) == (every is None):
        raise ValueError("give exactly one of fps and every")
    container, stream = _open(path)
    with container:
        stream.thread_type = "AUTO"
        tb = stream.time_base or Fraction(1, 1000)
        origin = stream.start_time or 0
        rate = stream.average_rate or stream.guessed_rate
        start_t, end_t = _seconds(start) or Fraction(0), _seconds(end)
        by_time = TimeSampler(fps, start_t) if fps is not None else None
        if start_t > 0:
            try:
                container.seek(int(start_t / tb) + origin, stream=stream, backward=True, any_frame=False)
            except av.FFmpegError:
                pass  # not seekable: decode from the beginning and drop what comes before `start`
        sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
        ctx = stream.codec_context
        seen, decoded, t = 0, 0, start_t
        try:
            for packet in container.demux(stream):
                if packet.pts is not None:
                    pt = (packet.pts - origin) * tb
                    if on_decoded is not None and start_t <= pt and (end_t is None or pt < end_t) and packet.size:
                        on_decoded(1)
                    if by_time is not None:
                        # shown before the next moment we sample, this frame will not be kept: if no other
                        # frame refers to it (a non-reference B-frame) the decoder need not decode it at all
                        ctx.skip_frame = "NONREF" if pt + PTS_SLACK < by_time.next else "DEFAULT"
                elif on_decoded is not None and packet.size:
                    on_decoded(1)
                for frame in packet.decode():
                    if frame.pts is not None:
                        t = (frame.pts - origin) * tb
                    elif rate:
                        t = start_t + Fraction(seen) / Fraction(rate)
                    else:
                        t = start_t + Fraction(seen, 25)
                    if t < start_t:
                        continue
                    if end_t is not None and t >= end_t:
                        return
                    decoded += 1
                    keep = seen % every == 0 if by_time is None else by_time.keep(t)
                    seen += 1
                    if keep:
                        yield float(t), to_image(frame, min_side, sar)
        except av.FFmpegError as exc:
            if decoded == 0:
                raise UsageError(f"{Path(path).name}: cannot decode the video ({exc.strerror or exc})") from None
            raise VideoDamaged(f"decoding stopped after {float(t):.1f} s ({exc.strerror or exc})") from None


class TimeSampler:
    """Keeps the first frame at or after each moment `start + k / fps` (exact fractions: no drift)."""

    def __init__(self, fps: float, start: Fraction = Fraction(0)):
        self.step = 1 / _seconds(fps)
        self.next = Fraction(start)

    def keep(self, t: Fraction) -> bool:
        if t + PTS_SLACK < self.next:
            return False
        while self.next <= t + PTS_SLACK:  # a video slower than `fps` gives each of its frames once
            self.next += self.step
        return True


class VideoDamaged(Exception):
    """The video broke off part-way (truncated download, damaged file); frames so far were kept."""


ROTATIONS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


def to_image(frame: "av.VideoFrame", min_side: int, sar: Fraction | None = None) -> Image.Image:
    """A decoded frame as an RGB image at its display shape, shrunk (never enlarged) to ~`min_side`.

    Display shape: non-square pixels stretched, and the rotation a phone records for a portrait video
    (the display matrix) applied, as a player shows it.
    """
    w, h = frame.width, frame.height
    display_w = w * float(sar) if sar and sar > 0 else w
    scale = min(1.0, min_side / min(display_w, h))
    tw, th = max(1, round(display_w * scale)), max(1, round(h * scale))
    if (tw, th) == (w, h):
        image = frame.to_image()
    else:
        image = frame.reformat(width=tw, height=th, format="rgb24", interpolation="AREA").to_image()
    turn = round((frame.rotation or 0) / 90) * 90 % 360  # degrees counter-clockwise
    return image.transpose(ROTATIONS[turn]) if turn else image


class DuplicateFilter:
    """Says whether an image is a near-duplicate of the last one it let through (see the module doc)."""

    def __init__(self, threshold: float = DUPLICATE_THRESHOLD):
        self.threshold = threshold
        self.last: np.ndarray | None = None

    def is_duplicate(self, image: np.ndarray) -> bool:
        thumb = Image.fromarray(np.asarray(image)).convert("L").resize((THUMB, THUMB), Image.Resampling.BOX)
        thumb = np.asarray(thumb, dtype=np.float32)
        if self.last is not None and float(np.abs(thumb - self.last).mean()) < self.threshold:
            return True
        self.last = thumb
        return False

"""Animated exports of a run's evolution: GIF (Pillow) and MP4 (H.264 via PyAV), one frame per epoch.

Each frame is one epoch's sample grid (or one cell of it), enlarged with nearest-neighbour so pixels stay
square, with a dark caption band under it ("epoch 12"). Frames are produced lazily, one epoch's PNG at a
time, so a 300-epoch run never sits in memory (the GIF writer keeps only palettised frames). The hold on the
last frame is extra frames in an MP4 and a longer delay on the last frame of a GIF (same length in time).
MP4 is H.264, yuv420p, even width and height: what browsers, slide decks and phones play.
"""

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from gan_core.core.errors import UsageError
from gan_core.core.media import cell

FORMATS = (".gif", ".mp4")
BAND_BG = (16, 16, 16)
BAND_FG = (240, 240, 240)


def band_height(width: int) -> int:
    """Height of the caption band under a frame `width` pixels wide (even, so MP4 stays even)."""
    return max(16, (width // 12) // 2 * 2)


def _font(px: int):
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, px)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=px)
    except TypeError:  # old Pillow
        return ImageFont.load_default()


def enlarge(image: np.ndarray, size: int) -> np.ndarray:
    """Nearest-neighbour resize so the longer side is `size` (rounded down to even), RGB uint8."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.stack([image] * 3, -1)
    elif image.shape[-1] == 1:
        image = np.repeat(image, 3, -1)
    h, w = image.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(2, int(round(w * scale)) // 2 * 2), max(2, int(round(h * scale)) // 2 * 2)
    return np.asarray(Image.fromarray(image[..., :3]).resize((nw, nh), Image.Resampling.NEAREST))


def caption(image: np.ndarray, text: str) -> np.ndarray:
    """`image` with a dark band under it holding `text`, centred."""
    h, w = image.shape[:2]
    band = band_height(w)
    frame = Image.new("RGB", (w, h + band), BAND_BG)
    frame.paste(Image.fromarray(image), (0, 0))
    draw = ImageDraw.Draw(frame)
    font = _font(int(band * 0.7))
    box = draw.textbbox((0, 0), text, font=font)
    tw, th = box[2] - box[0], box[3] - box[1]
    draw.text(((w - tw) // 2 - box[0], h + (band - th) // 2 - box[1]), text, fill=BAND_FG, font=font)
    return np.asarray(frame)


def read_png(path: Path) -> np.ndarray:
    """An image file as RGB; a damaged one is one clear error (naming the file), never a decoder's traceback."""
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UsageError(f"{Path(path).parent.name}/{Path(path).name} is damaged and cannot be read "
                         f"({type(exc).__name__})") from None


def frames(paths: Iterable[tuple[int, Path]], size: int, sample: int | None = None, side: int | None = None,
           resolution: int | None = None, label: Callable[[int], str] = lambda e: f"epoch {e}") -> Iterator[np.ndarray]:
    """Captioned frames, one per (epoch, grid PNG), read one at a time; `sample` cuts out one cell."""
    for epoch, path in paths:
        image = read_png(path)
        if sample is not None:
            image = cell(image, sample, side, resolution)
        yield caption(enlarge(image, size), label(epoch))


def write(out: Path, frame_iter: Iterable[np.ndarray], count: int, fps: float, hold: float = 0.0,
          progress: Callable[[int, int], None] | None = None) -> int:
    """Encode frames to `out` (.gif or .mp4), holding the last for `hold` seconds; returns frames written."""
    out = Path(out)
    ext = out.suffix.lower()
    if ext not in FORMATS:
        raise UsageError(f"cannot write {out.name!r}: the output must end in .gif or .mp4")
    if fps <= 0:
        raise UsageError(f"--fps must be above 0 (got {fps})")
    if ext == ".gif":  # a GIF holds by lengthening the last frame's delay (Pillow merges repeated frames)
        return _write_gif(out, _with_hold(frame_iter, 0, count, progress), fps, hold)
    return _write_mp4(out, _with_hold(frame_iter, int(round(hold * fps)), count, progress), fps)


def _with_hold(frame_iter, extra, count, progress):
    last, done = None, 0
    for last in frame_iter:
        done += 1
        if progress:
            progress(done, count)
        yield last
    for _ in range(extra if last is not None else 0):
        yield last


def _write_gif(out: Path, frame_iter, fps: float, hold: float) -> int:
    delay = max(20, int(round(1000 / fps)))  # browsers clamp delays under 20 ms
    pal = []
    for f in frame_iter:
        pal.append(Image.fromarray(f).quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE))
    if not pal:
        raise UsageError("no frames to write")
    durations = [delay] * len(pal)
    durations[-1] += int(round(hold * 1000))
    tmp = out.with_name(out.name + ".part")
    pal[0].save(tmp, format="GIF", save_all=True, append_images=pal[1:], duration=durations, loop=0,
                optimize=False, disposal=1)
    tmp.replace(out)
    return len(pal)


def _write_mp4(out: Path, frame_iter, fps: float) -> int:
    from fractions import Fraction

    import av

    tmp = out.with_name(out.name + ".part")
    n = 0
    with av.open(str(tmp), mode="w", format="mp4") as container:
        stream = None
        for f in frame_iter:
            if stream is None:
                stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
                stream.height, stream.width = f.shape[0] // 2 * 2, f.shape[1] // 2 * 2
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": "18", "preset": "veryfast", "movflags": "+faststart"}
            f = np.ascontiguousarray(f[: stream.height, : stream.width])
            for packet in stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                container.mux(packet)
            n += 1
        if stream is None:
            raise UsageError("no frames to write")
        for packet in stream.encode():
            container.mux(packet)
    tmp.replace(out)
    return n

"""Decoding one user-supplied picture safely into plain 8-bit RGB, or saying in a few words why not.

Pictures found online or on a laptop come in every flavour: grey, grey with alpha, palette (with a
transparent colour), RGBA, CMYK, 16 bits per channel, rotated by an EXIF tag, animated. All of them end
up as an upright `RGB` PIL image here, so the rest of the import only ever sees one kind:

- transparency is composited on white (a doodle's transparent background becomes paper, not black);
- 16-bit values are scaled to 8 bits (v * 255 / 65535, rounded); Pillow's own `convert("L")` would
  clip everything above 255 to white;
- CMYK and pictures carrying an ICC profile go through LittleCMS to sRGB when possible;
- GIF, WebP and APNG animations contribute their first frame.

Safety: only the formats in `FORMATS` are tried, the pixel count is checked from the header before any
pixel is decoded (a 50,000 x 50,000 "decompression bomb" is refused in microseconds, whatever its file
size), and files larger than `MAX_FILE_BYTES` are not read. Anything unreadable raises `Unusable` with
a short reason for the dataset's `skipped` list.
"""

import io
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_PIXELS = 80_000_000  # 10,000 x 8,000: more than any ordinary camera photo or scan
MAX_FILE_BYTES = 256 * 2**20  # no picture worth training on is bigger than this
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF", "AVIF")  # JPEG includes cameras' MPO files
WHITE = (255, 255, 255)


class Unusable(Exception):
    """This file cannot become a training image; the message says why, in a few words."""


def open_image(source: Path | bytes, min_side: int | None = None) -> Image.Image:
    """Decode a picture (a path, or the bytes of a zip member) into an upright 8-bit RGB image.

    `min_side`: the smallest size the caller will need, so big JPEGs may be decoded at 1/2, 1/4 or 1/8
    scale (much faster, a fraction of the memory) as long as both sides stay at least this large.
    """
    if isinstance(source, bytes | bytearray):
        if len(source) > MAX_FILE_BYTES:
            raise Unusable(f"file too large (over {MAX_FILE_BYTES // 2**20} MB)")
        fp = io.BytesIO(source)
    else:
        try:
            if Path(source).stat().st_size > MAX_FILE_BYTES:
                raise Unusable(f"file too large (over {MAX_FILE_BYTES // 2**20} MB)")
        except OSError as exc:
            raise Unusable(f"cannot read the file ({exc.strerror or exc})") from None
        fp = source
    try:
        with warnings.catch_warnings():
            # our own limit below replaces Pillow's global one, so a big-but-allowed photo doesn't warn
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(fp, formats=FORMATS)
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise Unusable(f"{w} x {h} pixels is over the limit of {MAX_PIXELS / 1e6:.0f} megapixels "
                               "(refused unread: possible decompression bomb)")
            if w < 1 or h < 1:
                raise Unusable("picture has no pixels")
            if min_side and im.format in ("JPEG", "MPO"):
                im.draft(im.mode, (min_side, min_side))  # decode at a reduced scale if that is enough
            im.load()
            return to_rgb(ImageOps.exif_transpose(im))
    except Unusable:
        raise
    except UnidentifiedImageError:
        kind = _looks_like(source)
        if kind:
            raise Unusable(f"corrupt or truncated picture (starts like a {kind} file, but cannot be read)") from None
        raise Unusable(f"not a picture (readable formats: {', '.join(FORMATS)})") from None
    except Image.DecompressionBombError:
        raise Unusable("too many pixels (refused unread: possible decompression bomb)") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError, MemoryError) as exc:
        detail = str(exc).split("\n")[0][:80] or type(exc).__name__
        raise Unusable(f"corrupt or truncated picture ({detail})") from None


SIGNATURES = {b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"BM": "BMP", b"II*\x00": "TIFF",
              b"MM\x00*": "TIFF", b"RIFF": "WebP"}


def _looks_like(source: Path | bytes) -> str | None:
    """The format a file's first bytes announce, to tell a damaged picture from something else."""
    if isinstance(source, bytes | bytearray):
        head = bytes(source[:12])
    else:
        try:
            with open(source, "rb") as f:
                head = f.read(12)
        except OSError:
            return None
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


def to_rgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode to 8-bit RGB: alpha on white, palette transparency honoured, 16-bit scaled."""
    mode = im.mode
    if mode.startswith("I") or mode == "F":
        return Image.fromarray(_to_8bit(np.asarray(im), mode), "L").convert("RGB")
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode in ("PA", "LA", "La", "RGBa"):
        im = im.convert("RGBA")
    elif mode in ("RGB", "CMYK", "RGBA") and im.info.get("icc_profile"):
        im = _to_srgb(im)
    if im.mode == "RGBA":
        alpha = im.getchannel("A")
        if alpha.getextrema()[0] < 255:
            page = Image.new("RGB", im.size, WHITE)
            page.paste(im.convert("RGB"), mask=alpha)
            return page
    return im if im.mode == "RGB" else im.convert("RGB")


def _to_8bit(a: np.ndarray, mode: str) -> np.ndarray:
    """Grey values of a 16-bit, 32-bit integer or float picture to uint8."""
    if mode == "F":
        a = a.astype(np.float64)
        scale = 255.0 if np.nanmax(a, initial=0) <= 1.0 else 1.0  # 0..1 floats, or already 0..255
        return np.clip(np.rint(np.nan_to_num(a) * scale), 0, 255).astype(np.uint8)
    a = a.astype(np.int64)
    if mode == "I" and a.max(initial=0) > 65535:  # true 32-bit data: use its own range
        lo, hi = int(a.min()), int(a.max())
        return ((a - lo) * 255 // max(hi - lo, 1)).astype(np.uint8)
    # 16-bit samples (Pillow opens 16-bit grey PNG and TIFF as I;16 or I): 0..65535 onto 0..255
    return ((np.clip(a, 0, 65535) * 255 + 32767) // 65535).astype(np.uint8)


@lru_cache(maxsize=8)
def _srgb_transform(profile: bytes, mode: str):
    src = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    return ImageCms.buildTransform(src, ImageCms.createProfile("sRGB"), mode, "RGB")


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert through the embedded ICC profile (CMYK print files, Adobe RGB, Display P3 photos)."""
    rgba_alpha = im.getchannel("A") if im.mode == "RGBA" else None
    base = im.convert("RGB") if im.mode == "RGBA" else im
    try:
        out = ImageCms.applyTransform(base, _srgb_transform(im.info["icc_profile"], base.mode))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        out = base.convert("RGB")  # a broken profile: fall back to the plain conversion
    if rgba_alpha is not None:
        out = out.convert("RGBA")
        out.putalpha(rgba_alpha)
    return out

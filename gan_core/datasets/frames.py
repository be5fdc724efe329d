"""Making any picture square at the dataset's resolution: centre crop or padding, high-quality downscale.

- `crop` keeps the middle square (the usual choice for film frames: the subject is rarely at the edge).
- `pad` keeps the whole picture and fills the rest of the square. The filling is the picture's own
  background when its border is one plain colour (white paper round a doodle stays white paper), and
  black otherwise, like a letterbox.

Downscaling is Pillow's Lanczos filter with `reducing_gap=2`: a fast box reduction by a whole factor
first, then Lanczos over the last factor of two or more, which looks the same as Lanczos all the way
(no aliasing, no moire on fine patterns) at a fraction of the cost for big photos and film frames.
"""

import numpy as np
from PIL import Image

FITS = ("crop", "pad")
PLAIN_BORDER = 12  # grey levels: a border is "plain" when nearly all its pixels lie this close to their median
PLAIN_SHARE = 0.95  # "nearly all": a doodle's line may touch the edge here and there
LETTERBOX = (0, 0, 0)


def square(image: Image.Image, resolution: int, fit: str = "crop") -> np.ndarray:
    """An RGB PIL image to a uint8 array (resolution, resolution, 3)."""
    if fit not in FITS:
        raise ValueError(f"fit must be one of {FITS}, not {fit!r}")
    w, h = image.size
    r = resolution
    if fit == "crop" or w == h:
        side = min(w, h)
        box = ((w - side) / 2, (h - side) / 2, (w + side) / 2, (h + side) / 2)
        out = image.resize((r, r), Image.Resampling.LANCZOS, box=box, reducing_gap=2.0)
        return np.asarray(out, dtype=np.uint8)
    scale = r / max(w, h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    small = image.resize((nw, nh), Image.Resampling.LANCZOS, reducing_gap=2.0)
    canvas = Image.new("RGB", (r, r), border_colour(small))
    canvas.paste(small, ((r - nw) // 2, (r - nh) // 2))
    return np.asarray(canvas, dtype=np.uint8)


def border_colour(image: Image.Image) -> tuple[int, int, int]:
    """The picture's background colour if its outermost pixels are one plain colour, else black."""
    a = np.asarray(image.convert("RGB"), dtype=np.int16)
    edge = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    median = np.median(edge, axis=0)
    if np.mean(np.abs(edge - median).max(axis=1) <= PLAIN_BORDER) >= PLAIN_SHARE:
        return tuple(int(round(v)) for v in median)
    return LETTERBOX

"""Turning model outputs into pictures: [-1, 1] floats to uint8, image grids, PNG bytes.

Grids have a 2 px gutter so cells stay distinct when projected; cell (row, col) of a grid holds sample
`row * side + col`, which the epoch player relies on to follow one sample across epochs.
"""

import io

import numpy as np
from PIL import Image

GUTTER = 2


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Model output in [-1, 1] (N, H, W, C) to uint8 (N, H, W, C)."""
    return np.clip(np.rint((np.asarray(images, np.float32) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def grid(images: np.ndarray, side: int | None = None, gutter: int = GUTTER, background: int = 24) -> np.ndarray:
    """Tile uint8 images (N, H, W, C) into one image, `side` cells per row."""
    n, h, w, c = images.shape
    side = side or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / side))
    out = np.full((rows * h + (rows + 1) * gutter, side * w + (side + 1) * gutter, c), background, np.uint8)
    for i, img in enumerate(images):
        r, col = divmod(i, side)
        y, x = gutter + r * (h + gutter), gutter + col * (w + gutter)
        out[y : y + h, x : x + w] = img
    return out


def cell(grid_image: np.ndarray, index: int, side: int, size: int, gutter: int = GUTTER) -> np.ndarray:
    """Cut cell `index` back out of a grid made by `grid`."""
    r, col = divmod(index, side)
    y, x = gutter + r * (size + gutter), gutter + col * (size + gutter)
    return grid_image[y : y + size, x : x + size]


def png_bytes(image: np.ndarray, compress_level: int = 6, max_width: int | None = None) -> bytes:
    """A uint8 picture as PNG; one wider than `max_width` is shrunk to it first (Lanczos)."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    picture = Image.fromarray(image)
    if max_width and picture.width > max_width:
        picture = picture.resize((max_width, round(picture.height * max_width / picture.width)),
                                 Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    picture.save(buf, format="PNG", optimize=False, compress_level=compress_level)
    return buf.getvalue()

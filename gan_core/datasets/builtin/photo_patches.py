"""Random square crops of the two real photos that scikit-learn ships (china.jpg and flower.jpg).

Why: real photographic texture and colour without a download. Each image is a crop of random size
(48..256 source pixels) at a random place in one of the photos, flipped left-right half the time, and
resized to the target resolution with Lanczos filtering. A crop that is nearly flat (plain sky) or
out of focus (haze, the flower's blurred background) is drawn again, up to a few times, so that
nearly every patch shows something in focus: a few such crops were enough to make heavily blurred
pictures look like the data to k-NN precision (their neighbourhood balls are wide; issue 14).
"""

from collections.abc import Iterator
from functools import cache

import numpy as np
from PIL import Image

MIN_CROP, MAX_CROP = 48, 256
FLAT_STD = 14.0  # grey levels: a crop that varies less than this is plain (sky, haze) ...
MIN_DETAIL = 5.0  # ... and one whose neighbouring pixels differ less than this (RMS, at 32 px) is out of focus
TRIES = 8  # such a crop is drawn again, up to this many times


@cache
def _photos() -> tuple[Image.Image, ...]:
    from sklearn.datasets import load_sample_images

    return tuple(Image.fromarray(np.asarray(photo, dtype=np.uint8)) for photo in load_sample_images().images)


def _random_crop(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    w, h = photo.size
    size = int(rng.integers(MIN_CROP, min(MAX_CROP, w, h) + 1))
    x, y = int(rng.integers(w - size + 1)), int(rng.integers(h - size + 1))
    return photo.crop((x, y, x + size, y + size))


def has_structure(patch: Image.Image) -> bool:
    """Whether a crop shows something in focus: its grey levels vary, and neighbouring pixels differ."""
    grey = np.asarray(patch.resize((32, 32), Image.Resampling.BOX).convert("L"), np.float32)
    detail = np.sqrt(0.5 * (np.diff(grey, axis=0) ** 2).mean() + 0.5 * (np.diff(grey, axis=1) ** 2).mean())
    return grey.std() > FLAT_STD and detail > MIN_DETAIL


def generate(count: int, resolution: int, seed: int) -> Iterator[np.ndarray]:
    photos = _photos()
    seed = int(seed) % (1 << 63)
    for i in range(count):
        rng = np.random.default_rng([seed, i])
        for _ in range(TRIES):
            patch = _random_crop(photos[rng.integers(len(photos))], rng)
            if has_structure(patch):
                break
        if rng.random() < 0.5:
            patch = patch.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        yield np.asarray(patch.resize((resolution, resolution), Image.Resampling.LANCZOS), dtype=np.uint8)

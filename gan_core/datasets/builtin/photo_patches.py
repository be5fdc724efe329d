"""Random square crops of the two real photos that scikit-learn ships (china.jpg and flower.jpg).

Why: real photographic texture and colour without a download. Each image is a crop of random size
(48..256 source pixels) at a random place in one of the photos, flipped left-right half the time, and
resized to the target resolution with Lanczos filtering. A nearly flat crop (plain sky or blurred
background) is drawn again, up to a few times, so that most patches show some structure.
"""

from collections.abc import Iterator
from functools import cache

import numpy as np
from PIL import Image

MIN_CROP, MAX_CROP = 48, 256
FLAT_STD, TRIES = 14.0, 4  # a crop whose grey levels vary less than this is redrawn, up to TRIES times


@cache
def _photos() -> tuple[Image.Image, ...]:
    from sklearn.datasets import load_sample_images

    return tuple(Image.fromarray(np.asarray(photo, dtype=np.uint8)) for photo in load_sample_images().images)


def _random_crop(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    w, h = photo.size
    size = int(rng.integers(MIN_CROP, min(MAX_CROP, w, h) + 1))
    x, y = int(rng.integers(w - size + 1)), int(rng.integers(h - size + 1))
    return photo.crop((x, y, x + size, y + size))


def generate(count: int, resolution: int, seed: int) -> Iterator[np.ndarray]:
    photos = _photos()
    seed = int(seed) % (1 << 63)
    for i in range(count):
        rng = np.random.default_rng([seed, i])
        for _ in range(TRIES):
            patch = _random_crop(photos[rng.integers(len(photos))], rng)
            thumbnail = patch.resize((16, 16), Image.Resampling.BOX).convert("L")
            if np.asarray(thumbnail, np.float32).std() > FLAT_STD:
                break
        if rng.random() < 0.5:
            patch = patch.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        yield np.asarray(patch.resize((resolution, resolution), Image.Resampling.LANCZOS), dtype=np.uint8)

"""Real handwritten digits: scikit-learn's `load_digits` (1797 images of 8x8, shipped with it).

Why: a tiny real dataset that needs no download. Each digit is padded like MNIST, mapped to 0..255
(white on black), scaled up smoothly with bicubic interpolation and a light blur so it is not blocky.
The order is shuffled by the seed; past the first 1797 images, each further image is a deterministic
small random affine variant (shift, rotation, scale) of a real digit, so any count works.
"""

from collections.abc import Iterator
from functools import cache

import numpy as np
from PIL import Image, ImageFilter


@cache
def _digits() -> np.ndarray:
    """The 1797 digits as uint8 (N, 10, 10): 0..16 mapped to 0..255, with a 1-pixel black border."""
    from sklearn.datasets import load_digits

    images = load_digits().images  # (1797, 8, 8) floats in 0..16
    scaled = np.clip(images * (255.0 / 16.0) + 0.5, 0, 255).astype(np.uint8)
    return np.pad(scaled, ((0, 0), (1, 1), (1, 1)))


def _upscale(digit: np.ndarray, resolution: int) -> Image.Image:
    image = Image.fromarray(digit).resize((resolution, resolution), Image.Resampling.BICUBIC)
    return image.filter(ImageFilter.GaussianBlur(radius=resolution / 40))


def _augment(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A small random affine: rotation within +-10 degrees, scale 0.9..1.1, shift up to 6 %."""
    r = image.width
    angle = np.deg2rad(rng.uniform(-10, 10))
    scale = rng.uniform(0.9, 1.1)
    tx, ty = rng.uniform(-0.06, 0.06, size=2) * r
    # PIL wants the inverse map: output (x, y) -> input (a x + b y + c, d x + e y + f), about the centre.
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    centre = r / 2
    a, b, d, e = cos, sin, -sin, cos
    c = centre - a * (centre + tx) - b * (centre + ty)
    f = centre - d * (centre + tx) - e * (centre + ty)
    return image.transform(
        (r, r), Image.Transform.AFFINE, (a, b, c, d, e, f), resample=Image.Resampling.BICUBIC, fillcolor=0
    )


def generate(count: int, resolution: int, seed: int) -> Iterator[np.ndarray]:
    digits = _digits()
    n = len(digits)
    seed = int(seed) % (1 << 63)
    order = np.random.default_rng(seed).permutation(n)
    for i in range(count):
        image = _upscale(digits[order[i % n]], resolution)
        if i >= n:
            image = _augment(image, np.random.default_rng([seed, i]))
        yield np.asarray(image, dtype=np.uint8)[:, :, None]

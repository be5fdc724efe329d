"""Drawing procedural images large and shrinking them: smooth, anti-aliased edges at any resolution.

PIL draws hard-edged shapes; drawing at 4x (at least 128 px, at most 512 px for speed) and downscaling
with Lanczos gives the soft edges of real frames at 32 px and sharp detail at 256 px alike.
"""

from collections.abc import Callable, Iterator

import numpy as np
from PIL import Image


def canvas_size(resolution: int) -> int:
    return max(resolution, min(512, max(4 * resolution, 128)))


def render(draw: Callable[[np.random.Generator, int, int], Image.Image], count: int, resolution: int,
           seed: int) -> Iterator[np.ndarray]:
    """Yield `count` images of `draw(rng, canvas_size, resolution)`, each image seeded by (seed, index)."""
    size = canvas_size(resolution)
    seed = int(seed) % (1 << 63)
    for i in range(count):
        image = draw(np.random.default_rng([seed, i]), size, resolution)
        if size != resolution:
            image = image.resize((resolution, resolution), Image.Resampling.LANCZOS)
        yield np.asarray(image, dtype=np.uint8)

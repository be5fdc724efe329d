"""The built-in datasets: pure image generators that need no download and no files.

Each set is a `BuiltinSet` whose `generate(count, resolution, seed)` yields `count` uint8 images of
shape (resolution, resolution, channels), one at a time, so even 100,000+ images stream with bounded
memory. Every image depends only on (seed, index): the same seed always gives the same images.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from gan_core.datasets.builtin import cartoon_faces, digits, doodle_ducks, photo_patches


@dataclass(frozen=True)
class BuiltinSet:
    name: str
    description: str
    channels: int  # 3 for RGB, 1 for grey
    default_count: int
    max_count: int | None  # None: any count
    source: str
    generate: Callable[[int, int, int], Iterator[np.ndarray]]


BUILTIN: dict[str, BuiltinSet] = {
    s.name: s
    for s in (
        BuiltinSet(
            name="cartoon-faces",
            description="Procedurally drawn yellow cartoon faces with big eyes, varied hair, mouths and "
            "backgrounds.",
            channels=3,
            default_count=2000,
            max_count=None,
            source="procedural (gan_core)",
            generate=cartoon_faces.generate,
        ),
        BuiltinSet(
            name="doodle-ducks",
            description="Hand-drawn-looking duck doodles in wobbly pen strokes, some coloured in with "
            "marker.",
            channels=3,
            default_count=2000,
            max_count=None,
            source="procedural (gan_core)",
            generate=doodle_ducks.generate,
        ),
        BuiltinSet(
            name="digits",
            description="Real handwritten digits 0 to 9, white on black, smoothly scaled up from 8x8 pixels.",
            channels=1,
            default_count=1797,
            max_count=None,
            source="scikit-learn load_digits",
            generate=digits.generate,
        ),
        BuiltinSet(
            name="photo-patches",
            description="Random square crops of two real photos, a Chinese temple and a flower.",
            channels=3,
            default_count=2000,
            max_count=None,
            source="scikit-learn load_sample_images",
            generate=photo_patches.generate,
        ),
    )
}


def names() -> list[str]:
    return list(BUILTIN)

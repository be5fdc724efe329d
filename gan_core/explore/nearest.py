"""The training image nearest to a generated one: evidence that the generator is not copying.

Distance is plain pixel L2 at the run's resolution over a random sample of the dataset (at most 2,000
images, so it answers in well under a second); a copied picture would sit at distance ~0.
"""

from functools import lru_cache

import numpy as np

from gan_core.datasets.store import open_dataset

SAMPLE = 2000


@lru_cache(maxsize=4)
def _reference(dataset: str, fingerprint: str, resolution: int, channels: int) -> np.ndarray:
    from PIL import Image

    images = open_dataset(dataset).sample(SAMPLE, seed=0)
    out = []
    for im in images:
        pil = Image.fromarray(im[..., 0] if im.shape[-1] == 1 else im)
        pil = pil.convert("RGB" if channels == 3 else "L").resize((resolution, resolution), Image.Resampling.BOX)
        out.append(np.asarray(pil).reshape(resolution, resolution, channels))
    return np.stack(out)


def nearest_real(image: np.ndarray, dataset: str, resolution: int, channels: int) -> tuple[np.ndarray, float]:
    """(nearest real image, RMS pixel distance in 0..255) for one uint8 generated image."""
    ds = open_dataset(dataset)
    ref = _reference(dataset, ds.fingerprint, resolution, channels)
    diff = ref.reshape(len(ref), -1).astype(np.float32) - image.reshape(1, -1).astype(np.float32)
    dist = np.sqrt((diff * diff).mean(axis=1))
    k = int(np.argmin(dist))
    return ref[k], float(dist[k])

"""Precision and recall of generated images against real ones (Kynkäänniemi et al. 2019), plus near-twins.

Each set of feature vectors (see `features.py`) stands for a manifold: the union of balls around its
points, each ball's radius the distance to that point's k-th nearest neighbour in the same set (k = 3,
as in the paper).

- precision: the share of generated samples inside the real manifold (do they look like the data?);
- recall: the share of real samples inside the generated manifold (does the generator cover the data?).

A generator that makes one picture, or a handful, has balls of radius ~0 around its few distinct
outputs, so its recall falls to ~0 however good those pictures are. The radii shrink as a set grows,
so the two sets are always compared at equal size.

How to read them at this scale: the paper uses 50,000 images a side; the trainer uses 256 and a folder
a few hundred. With so few points the balls are wide, so precision is generous (blurry face-like blobs
can count as "inside") and recall is strict (a generator whose samples still cluster between the real
images covers none of them: recall stays near 0 through the whole quick demo). Both are best read as
trends over epochs and between runs scored the same way, not as absolute grades.

`near_duplicates` adds the plainest symptom of collapse: the share of samples whose nearest other
sample is closer than a quarter of the median nearest-neighbour distance among the same number of
real images. Real images rarely have such a twin (unless the data itself repeats, e.g. still video
frames, which the real figure shows); a collapsed generator's samples nearly all do.

scikit-learn's neighbour search runs on OpenMP threads; on a busy 2-core machine (a trainer next door)
their spinning made a 256-point query 10x slower, so every search here runs on one thread.
"""

import numpy as np
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

K = 3
TWIN_FRACTION = 0.25  # "near-twin": closer than this fraction of the real median neighbour distance


def knn_radii(features: np.ndarray, k: int = K) -> np.ndarray:
    """Distance from each point to its k-th nearest other point of the same set."""
    k = min(k, len(features) - 1)
    with threadpool_limits(1):
        distances, _ = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(features).kneighbors(features)
    return distances[:, k]  # column 0 is the point itself (or an exact duplicate of it: distance 0 either way)


def coverage_of(points: np.ndarray, centres: np.ndarray, radii: np.ndarray, chunk: int = 1024) -> float:
    """Share of `points` inside at least one ball (centres[i], radii[i]); exact, in chunks of rows."""
    inside = []
    with threadpool_limits(1):
        for start in range(0, len(points), chunk):
            distances = pairwise_distances(points[start : start + chunk], centres)
            inside.append((distances <= radii[None, :] * (1 + 1e-6) + 1e-12).any(axis=1))
    return float(np.concatenate(inside).mean())


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = K, real_radii: np.ndarray | None = None) -> dict:
    """Kynkäänniemi precision and recall of `fake` feature vectors against `real` ones."""
    if len(real) < 2 or len(fake) < 2:
        raise ValueError("precision and recall need at least 2 real and 2 generated images")
    real_radii = knn_radii(real, k) if real_radii is None else real_radii
    fake_radii = knn_radii(fake, k)
    return {"precision": coverage_of(fake, real, real_radii), "recall": coverage_of(real, fake, fake_radii)}


def nearest_other(features: np.ndarray) -> np.ndarray:
    """Distance from each point to the nearest other point of the same set."""
    return knn_radii(features, 1)


def near_duplicates(features: np.ndarray, real_nearest: np.ndarray) -> float:
    """Share of samples with a near-twin among themselves (see the module docstring)."""
    threshold = TWIN_FRACTION * float(np.median(real_nearest))
    return float((nearest_other(features) < threshold).mean())

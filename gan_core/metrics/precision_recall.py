"""Precision and recall (Kynkäänniemi et al. 2019), density and coverage (Naeem et al. 2020), near-twins.

Each set of feature vectors (see `features.py`) stands for a manifold: the union of balls around its
points, each ball's radius the distance to that point's k-th nearest neighbour in the same set (k = 3,
as in the paper).

- precision: the share of generated samples inside the real manifold (do they look like the data?);
- recall: the share of real samples inside the generated manifold (does the generator cover the data?).

Density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics") use only the real
balls, with k = 5 as the paper recommends, because precision and recall are thrown by outliers: one odd
real image has a wide ball that can swallow many poor samples (precision up), and one odd sample a wide
ball that covers much of the data (recall up).

- density: how many real balls contain each sample, divided by k, averaged: about 1 for samples spread
  like the data, above 1 when they crowd its dense parts, near 0 when they sit in an outlier's ball only;
- coverage: the share of real images whose ball holds at least one sample (a diversity measure that
  needs no balls around the samples): about 1 - 1/2^k = 0.97 for a second set of real images.

All four agree with the `prdc` package on the same vectors (tests/test_metrics.py), except that a sample
exactly on a ball's edge counts as inside here, as in Kynkäänniemi et al.'s own code (`prdc` uses <).

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

Every search here runs on one thread (`one_thread.py` says why).
"""

import numpy as np
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors

from gan_core.metrics.one_thread import one_thread

K = 3  # precision and recall (Kynkäänniemi et al.)
K_DC = 5  # density and coverage (Naeem et al.)
TWIN_FRACTION = 0.25  # "near-twin": closer than this fraction of the real median neighbour distance


def knn_radii(features: np.ndarray, k: int = K) -> np.ndarray:
    """Distance from each point to its k-th nearest other point of the same set."""
    k = min(k, len(features) - 1)
    with one_thread():
        distances, _ = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(features).kneighbors(features)
    return distances[:, k]  # column 0 is the point itself (or an exact duplicate of it: distance 0 either way)


def coverage_of(points: np.ndarray, centres: np.ndarray, radii: np.ndarray, chunk: int = 1024) -> float:
    """Share of `points` inside at least one ball (centres[i], radii[i]); exact, in chunks of rows."""
    inside = []
    with one_thread():
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


def density_coverage(real: np.ndarray, fake: np.ndarray, k: int = K_DC,
                     real_radii: np.ndarray | None = None, chunk: int = 1024) -> dict:
    """Naeem et al.'s density and coverage of `fake` feature vectors against `real` ones."""
    if len(real) <= k or len(fake) < 1:
        raise ValueError(f"density and coverage need more than {k} real images")
    real_radii = knn_radii(real, k) if real_radii is None else real_radii
    bound = real_radii * (1 + 1e-6) + 1e-12
    inside_count, nearest = 0, np.full(len(real), np.inf)
    with one_thread():
        for start in range(0, len(fake), chunk):
            distances = pairwise_distances(real, fake[start : start + chunk])  # (real, fake chunk)
            inside_count += int((distances <= bound[:, None]).sum())
            nearest = np.minimum(nearest, distances.min(axis=1))
    return {"density": inside_count / (k * len(fake)), "coverage": float((nearest <= bound).mean())}


def nearest_other(features: np.ndarray) -> np.ndarray:
    """Distance from each point to the nearest other point of the same set."""
    return knn_radii(features, 1)


def near_duplicates(features: np.ndarray, real_nearest: np.ndarray) -> float:
    """Share of samples with a near-twin among themselves (see the module docstring)."""
    threshold = TWIN_FRACTION * float(np.median(real_nearest))
    return float((nearest_other(features) < threshold).mean())

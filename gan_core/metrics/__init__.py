"""Scores for generated images and health flags for training runs, one file per metric.

    diversity.py         mean MS-SSIM over random pairs, relative to real images (Odena et al. 2017)
    features.py          the feature space: thumbnail + HOG + image statistics + structure, no downloaded weights
    precision_recall.py  k-NN precision and recall (Kynkäänniemi et al. 2019), density and coverage
                         (Naeem et al. 2020), near-twins
    kid.py               kernel inception distance (Bińkowski et al. 2018) in the same feature space
    two_sample.py        the nearest-neighbour two-sample test (Xu et al. 2018): do samples mingle with the data?
    health.py            the flags: mode collapse, diverging; each with plain words and what to try
    during_training.py   the trainer's end-of-epoch scorer (what goes into epochs.jsonl)
    evaluation.py        scoring a run's saved generator or a folder of pictures (`gan_core.evaluate`)

`epoch_scores(samples, reference)` scores uint8 images (N, H, W, C) against real ones; pass a
`Reference` instead of an array to reuse the real side's work (the trainer does, every epoch).
`flags_for(scores, metrics_rows)` turns scores and the loss log into flag codes (see `health.FLAGS`).
Only numpy, scipy and scikit-learn: no TensorFlow, so the app and the CLI stay light.
"""

import numpy as np

from gan_core.metrics import diversity as _diversity
from gan_core.metrics import kid as _kid
from gan_core.metrics import two_sample as _two_sample
from gan_core.metrics.features import FeatureSpace, conform
from gan_core.metrics.health import (
    FLAGS,
    Flag,
    collapse_reason,
    divergence,
    divergence_stretches,
    diverging_at,
    flags_for,
    in_warmup,
)
from gan_core.metrics.precision_recall import (
    K_DC,
    density_coverage,
    knn_radii,
    near_duplicates,
    nearest_other,
    precision_recall,
)

__all__ = ["FLAGS", "Flag", "Reference", "collapse_reason", "divergence", "divergence_stretches", "diverging_at",
           "epoch_scores", "flags_for", "in_warmup"]

PAIRS = 256  # MS-SSIM pairs per set (Odena et al. use 100 per class)
MIN_IMAGES = 8


class Reference:
    """Real images, with everything about them that scoring needs computed once.

    The feature space is fitted on them, so all scores against one Reference share one ruler.
    """

    def __init__(self, images: np.ndarray, *, pairs: int = PAIRS, seed: int = 0):
        images = np.asarray(images)
        if len(images) < MIN_IMAGES:
            raise ValueError(f"scoring needs at least {MIN_IMAGES} real images, got {len(images)}")
        self.images, self.pairs, self.seed = images, pairs, seed
        self.space = FeatureSpace(images)
        self.ms_ssim = _diversity.mean_ms_ssim(images, pairs, seed)
        self._by_size: dict[int, tuple] = {}
        self._conformed: dict[tuple, Reference] = {}

    def __len__(self) -> int:
        return len(self.images)

    def like(self, samples: np.ndarray) -> "Reference":
        """This reference at the samples' size and channels (a run may train at another size than its data's)."""
        size, channels = samples.shape[1], samples.shape[-1] if samples.ndim == 4 else 1
        if self.images.shape[1] == size and self.images.shape[-1] == channels:
            return self
        key = (size, channels)
        if key not in self._conformed:
            self._conformed[key] = Reference(conform(self.images, size, channels), pairs=self.pairs, seed=self.seed)
        return self._conformed[key]

    def at_size(self, n: int) -> dict:
        """Everything about the first n reference images that scoring reuses: features, k-NN radii (for
        precision and recall, and for density and coverage), nearest-other distances, KID's within-set term."""
        if n not in self._by_size:
            features = self.space.reference[:n]
            self._by_size[n] = {"features": features, "radii": knn_radii(features),
                                "radii_dc": knn_radii(features, K_DC), "nearest": nearest_other(features),
                                "kid_within": _kid.within(features)}
        return self._by_size[n]


def epoch_scores(samples_uint8: np.ndarray, reference_uint8, *, pairs: int = PAIRS, seed: int = 1) -> dict:
    """Diversity, precision, recall, density, coverage, KID and near-twins of generated images against real ones.

    Returns plain floats (ready for JSON):
      diversity         (1 - MS-SSIM of samples) / (1 - MS-SSIM of real images); 1 = as varied as the data
      ms_ssim, ms_ssim_real   the two means behind it (higher = more alike)
      precision, recall  Kynkäänniemi et al. 2019, k = 3, at equal set sizes
      density, coverage  Naeem et al. 2020, k = 5: precision and recall that outliers do not throw
      kid               kernel inception distance in this app's feature space (0 = like the real images)
      near_duplicates, near_duplicates_real   share of images with a near-identical twin in their own set
      mistaken_for_real  share of samples whose nearest neighbour, among samples and as many real images, is
                        real: about 0.5 when they mingle with the data, 0 when they keep to themselves
      nearer_samples    the same neighbours, graded: the mean share of other samples nearer to a sample than
                        the nearest real image (about 0 when they mingle, 1 when they keep to themselves)
      samples, reference  how many images of each side were compared
    """
    reference = reference_uint8 if isinstance(reference_uint8, Reference) else Reference(reference_uint8)
    samples = np.asarray(samples_uint8)
    if len(samples) < MIN_IMAGES:
        raise ValueError(f"scoring needs at least {MIN_IMAGES} generated images, got {len(samples)}")
    if samples.ndim != 4 or samples.shape[1] != samples.shape[2]:
        raise ValueError(f"expected square images (N, H, W, C), got an array of shape {samples.shape}")
    reference = reference.like(samples)
    n = min(len(samples), len(reference))
    fake = reference.space.embed(samples[:n])
    side = reference.at_size(n)
    real = side["features"]
    ms = _diversity.mean_ms_ssim(samples, pairs, seed)
    pr = precision_recall(real, fake, real_radii=side["radii"])
    dc = density_coverage(real, fake, real_radii=side["radii_dc"]) if n > K_DC else {}
    scores = {
        "diversity": _diversity.diversity(ms, reference.ms_ssim),
        "ms_ssim": ms,
        "ms_ssim_real": reference.ms_ssim,
        "precision": pr["precision"],
        "recall": pr["recall"],
        "density": dc.get("density"),
        "coverage": dc.get("coverage"),
        "kid": _kid.kid(real, fake, side["kid_within"]),
        "near_duplicates": near_duplicates(fake, side["nearest"]),
        "near_duplicates_real": near_duplicates(real, side["nearest"]),
        **_two_sample.nearest_neighbour_test(real, fake),
        "samples": int(len(samples)),
        "reference": int(n),
    }
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in scores.items()}

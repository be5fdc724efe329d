"""Kernel inception distance (Bińkowski et al. 2018), in this app's feature space: one "distance to the
real pictures".

KID is the squared maximum mean discrepancy between the real and the generated feature vectors under the
polynomial kernel k(x, y) = (x . y / d + 1)^3, estimated without bias: the within-set sums leave out each
vector's kernel with itself. Unlike FID (a Gaussian fitted to each side) it has no bias at small sample
sizes, so 256 samples a side give the same expected value as 50,000, only noisier; it can dip slightly
below 0 when the two sets come from the same distribution. 0 = indistinguishable from the real pictures.

Bińkowski et al. average the estimate over subsets of 1,000; with at most a few hundred a side here, one
estimate over all of them is the same thing. The features are this app's hand-made ones (features.py),
not Inception's, so the numbers compare runs and epochs scored here, not published FID or KID figures.
"""

import numpy as np
from sklearn.metrics.pairwise import polynomial_kernel

from gan_core.metrics.one_thread import one_thread


def kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bińkowski et al.'s cubic polynomial kernel, (a . b / d + 1)^3."""
    return polynomial_kernel(a, b, degree=3, gamma=1.0 / a.shape[1], coef0=1.0)


def within(features: np.ndarray) -> float:
    """The mean kernel between distinct members of one set (the real side can be computed once)."""
    m = len(features)
    with one_thread():
        k = kernel(features, features)
    return float((k.sum() - np.trace(k)) / (m * (m - 1)))


def kid(real: np.ndarray, fake: np.ndarray, real_within: float | None = None) -> float:
    """Unbiased MMD^2 of two sets of feature vectors under the cubic kernel."""
    if len(real) < 2 or len(fake) < 2:
        raise ValueError("KID needs at least 2 real and 2 generated images")
    real_within = within(real) if real_within is None else real_within
    with one_thread():
        cross = float(kernel(real, fake).mean())
    return real_within + within(fake) - 2.0 * cross

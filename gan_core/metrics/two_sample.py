"""The nearest-neighbour two-sample test: do generated images mingle with real ones, or keep to themselves?

Pool as many generated images as real ones and find each image's nearest other image in the feature space
(`features.py`). If the generator drew from the data's distribution, a generated image's nearest neighbour
is real about half the time; blobs, noise, one repeated picture or a style of their own sit closer to each
other than to any real image, and the share falls towards 0. Xu et al. 2018 ("An empirical study on
evaluation metrics of generative adversarial networks") found this 1-NN test among the few scores that
catch both poor pictures and collapse; Lopez-Paz and Oquab 2017 give its theory.

We report the generated side only (`mistaken_for_real`). The real side says little about the generator
when the data repeats itself: a film's neighbouring frames are each other's nearest neighbours whatever
the generator does. Because the answer is a share of neighbours, not a distance, it does not depend on a
dataset's own spread: 0.5 means "mingles with the data" for digits and for a street clip alike, which KID
(scaled by each set's spread) cannot promise. That is why the learnability benchmark ranks datasets by it.
A generator that copies training images scores near 1: read it next to `near_duplicates_real` and the grid.
"""

import numpy as np
from sklearn.metrics import pairwise_distances

from gan_core.metrics.one_thread import one_thread


def mistaken_for_real(real: np.ndarray, fake: np.ndarray) -> float:
    """Share of `fake` feature vectors whose nearest other vector (among both sets, equal sizes) is real."""
    n = min(len(real), len(fake))
    if n < 2:
        raise ValueError("the nearest-neighbour test needs at least 2 real and 2 generated images")
    real, fake = real[:n], fake[:n]
    with one_thread():
        to_real = pairwise_distances(fake, real).min(axis=1)
        among_fake = pairwise_distances(fake, fake)
    np.fill_diagonal(among_fake, np.inf)
    return float((to_real < among_fake.min(axis=1)).mean())  # a tie goes to the generated side

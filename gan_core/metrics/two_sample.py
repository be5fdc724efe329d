"""The nearest-neighbour two-sample test: do generated images mingle with real ones, or keep to themselves?

Pool as many generated images as real ones and look at each generated image's neighbours in the feature
space (`features.py`). If the generator drew from the data's distribution, its images mingle with the
real ones; blobs, noise, one repeated picture or a style of their own sit closer to each other than to any
real image. Xu et al. 2018 ("An empirical study on evaluation metrics of generative adversarial
networks") found this 1-NN test among the few scores that catch both poor pictures and collapse;
Lopez-Paz and Oquab 2017 give its theory. Two readings of the same neighbours:

- `mistaken_for_real`: the share of generated images whose nearest neighbour is real (Xu et al.'s test,
  the generated side). About 0.5 when they mingle, 0 when each has a generated image nearer than any real
  one. Strict: a sample must be as near a real image as its own kind comes.
- `nearer_samples`: for each generated image, the share of the other generated images that are nearer to
  it than the nearest real image, averaged. About 0 when they mingle (a real image comes first), 1 when
  every sample is nearer than any real one. Graded: it still tells "almost" from "nowhere near" when
  nothing passes the strict test yet.

Only the generated side is read. The real side says little about the generator when the data repeats
itself: a film's neighbouring frames are each other's nearest neighbours whatever the generator does.
Both are shares of neighbours, not distances, so they do not depend on a dataset's own spread: 0.5 (or 0)
means the same for digits and for a street clip, which KID (scaled by each set's spread) cannot promise.
That is why the learnability benchmark ranks datasets by them. A generator that copies training images
passes the strict test (near 1): read it next to `near_duplicates_real` and the grid.
"""

import numpy as np
from sklearn.metrics import pairwise_distances

from gan_core.metrics.one_thread import one_thread


def nearest_neighbour_test(real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    """`mistaken_for_real` and `nearer_samples` of `fake` feature vectors against as many `real` ones."""
    n = min(len(real), len(fake))
    if n < 2:
        raise ValueError("the nearest-neighbour test needs at least 2 real and 2 generated images")
    real, fake = real[:n], fake[:n]
    with one_thread():
        to_real = pairwise_distances(fake, real).min(axis=1)
        among_fake = pairwise_distances(fake, fake)
    np.fill_diagonal(among_fake, np.inf)
    return {"mistaken_for_real": float((to_real < among_fake.min(axis=1)).mean()),  # a tie goes to the samples
            "nearer_samples": float((among_fake <= to_real[:, None]).sum(axis=1).mean() / (n - 1))}

"""The digit judge (an Inception-Score analogue for `digits`): known answers on real and rejected pictures."""

import numpy as np
from sklearn.datasets import load_digits

from gan_core.bench import digit_judge
from gan_core.datasets.builtin import digits


def test_the_sets_geometry_comes_back_to_the_original_8x8():
    originals = load_digits().images
    # the built-in set shuffles by seed; compare each 32 px image with the original digit it came from
    order = np.random.default_rng(0).permutation(1797)[:200]
    upscaled = np.stack(list(digits.generate(200, 32, 0)))
    back = digit_judge.to_digit_geometry(upscaled)
    assert back.shape == (200, 64) and 0 <= back.min() and back.max() <= 16
    r = [np.corrcoef(back[i], originals[order[i]].ravel())[0, 1] for i in range(200)]
    assert np.median(r) > 0.95, np.median(r)


def test_known_answers():
    real = digit_judge.score(np.stack(list(digits.generate(1797, 32, 0))))
    assert 7.5 < real["digit_score"] <= 10 and real["all_classes"], real
    at_64 = digit_judge.score(np.stack(list(digits.generate(300, 64, 1))))
    assert at_64["digit_score"] > 7, at_64  # the same ruler at any resolution
    noise = np.random.default_rng(0).integers(0, 256, (500, 32, 32, 1), dtype=np.uint8)
    assert digit_judge.score(noise)["digit_score"] < 1.5
    shifted = digit_judge.score(np.stack(list(digits.generate(2300, 32, 0)))[1797:])  # small affine variants
    assert shifted["digit_score"] > 7, shifted
    one = np.repeat(np.stack(list(digits.generate(1, 32, 0))), 500, axis=0)
    verdict = digit_judge.score(one)
    assert verdict["digit_score"] < 1.1 and not verdict["all_classes"]
    assert sorted(verdict["class_shares"])[-1] == 1.0

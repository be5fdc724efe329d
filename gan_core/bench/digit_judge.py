"""A digit judge: how recognisable and how varied generated digits are (an Inception Score for `digits`).

Salimans et al.'s Inception Score, exp E_x[KL(p(y|x) || p(y))], asks a classifier what each sample shows:
confident answers (each picture is clearly one digit) and a spread of answers (all ten digits appear)
both raise it; 10 is perfect for ten classes, 1 is noise or a single repeated digit. There is no
Inception network here (nothing is downloaded), and none is needed: scikit-learn ships the 1,797 real
8x8 digits the `digits` set is made of, and a classifier trained on them judges generated digits brought
back to that geometry. The set pads each digit with one black pixel (10 x 10) before scaling it up, so a
generated image is shrunk to 10 x 10 by area averaging and the border dropped.

Kept apart from training on purpose: nothing that trains or picks a checkpoint reads it, so the benchmark
that uses it (`gan_core.bench.families`) cannot be optimised against its own ruler.
"""

from functools import cache

import numpy as np
from PIL import Image

CLASSES = 10
MIN_SHARE = 0.02  # a class drawn less often than this counts as missing


def to_digit_geometry(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W[, 1]) white-on-black digits to (N, 64) floats in 0..16, as `load_digits` holds them."""
    x = np.asarray(images)
    if x.ndim == 4:
        x = x[..., 0] if x.shape[-1] == 1 else x.mean(axis=-1)
    out = np.empty((len(x), 8, 8), np.float32)
    for i, image in enumerate(x):
        small = Image.fromarray(np.asarray(image, np.uint8)).resize((10, 10), Image.Resampling.BOX)
        out[i] = np.asarray(small, np.float32)[1:9, 1:9]
    return (out * (16.0 / 255.0)).reshape(len(x), 64)


@cache
def judge():
    """A classifier of the real 8x8 digits: RBF support-vector machines, their scores turned into probabilities
    by isotonic calibration, 5 folds averaged. Chosen by known answers (real digits, their affine variants,
    uniform noise, digits blurred to 4x4): Platt scaling gave noise 1.0 but judged slightly shifted real
    digits 5.0 (too sure of the training set); sigmoid calibration let noise score 2.7; this gives real
    8.5, shifted 7.9, noise 1.4, blurred 2.9 (tests/test_digit_judge.py)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.datasets import load_digits
    from sklearn.svm import SVC

    digits = load_digits()
    svm = SVC(gamma=0.001, C=10, random_state=0)
    return CalibratedClassifierCV(svm, method="isotonic", cv=5).fit(digits.data, digits.target)


def probabilities(images: np.ndarray) -> np.ndarray:
    return judge().predict_proba(to_digit_geometry(images))


def score(images: np.ndarray) -> dict:
    """The judge's verdict on generated digits: the score, and how often each digit was drawn."""
    p = np.clip(probabilities(images), 1e-12, 1.0)
    marginal = p.mean(axis=0)
    kl = (p * (np.log(p) - np.log(marginal))).sum(axis=1)
    shares = np.bincount(p.argmax(axis=1), minlength=CLASSES) / len(p)
    return {"digit_score": float(np.exp(kl.mean())), "class_shares": [round(float(s), 4) for s in shares],
            "smallest_class_share": float(shares.min()), "all_classes": bool(shares.min() >= MIN_SHARE),
            "confidence": float(p.max(axis=1).mean())}

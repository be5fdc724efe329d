"""Fidelity and coverage that noise cannot fool: precision, recall, density, coverage and KID.

Cross-checked against the `prdc` package (Naeem et al.'s) on the same feature vectors, and known answers
on every built-in dataset: pictures a viewer rejects at a glance (uniform noise, a blank picture, one flat
colour, pixel-shuffled and heavily blurred real images) score precision and density under 0.1; held-out
real images of the set score at least 0.8 on all four. The table in benchmarks/LOG.md comes from here.
"""

import numpy as np
import pytest
from helpers import cli
from scipy import ndimage

from gan_core.datasets.store import Dataset
from gan_core.metrics import Reference, epoch_scores
from gan_core.metrics.kid import kid
from gan_core.metrics.precision_recall import K_DC, K, density_coverage, precision_recall

SETS = ("cartoon-faces", "doodle-ducks", "digits", "photo-patches")
SIZES = (32, 64)  # px: the quick demo's size and the next (features shrink to 32 px; structure does not)
N = 256  # images a side


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("fidelity")
    stores = {}
    for size in SIZES:
        dirs = {"datasets": root / f"datasets{size}", "checkpoints": root / "checkpoints"}
        for name in SETS:
            cli(dirs, "gan_core.datasets", "build", name, "--count", str(2 * N), "--resolution", str(size))
        stores[size] = dirs
    return stores


def real_and_held_out(store, name, size=32):
    images = Dataset(store[size]["datasets"] / name).sample(2 * N, seed=0)
    return images[:N], images[N:]


def rejects(held: np.ndarray) -> dict[str, np.ndarray]:
    """Pictures nobody would take for the data, the same shape as the held-out real ones."""
    rng = np.random.default_rng(1)
    n, side, _, c = held.shape
    flat = rng.integers(0, 256, (n, 1, 1, c), dtype=np.uint8)
    shuffled = held.reshape(n, -1, c).copy()
    for image in shuffled:
        image[:] = image[rng.permutation(len(image))]
    sigma = side / 8  # 4 px at 32 px
    blurred = ndimage.gaussian_filter(held.astype(np.float32), (0, sigma, sigma, 0), mode="reflect")
    return {
        "uniform noise": rng.integers(0, 256, held.shape, dtype=np.uint8),
        "blank": np.zeros(held.shape, np.uint8),
        "flat colour": np.broadcast_to(flat, held.shape).copy(),
        "pixel-shuffled": shuffled.reshape(held.shape),
        "blurred": np.clip(np.rint(blurred), 0, 255).astype(np.uint8),
    }


@pytest.fixture(scope="module")
def scored(store):
    """Every known-answer case of every built-in set at every size: {(size, set, case): scores}."""
    out = {}
    for size in SIZES:
        for name in SETS:
            real, held = real_and_held_out(store, name, size)
            reference = Reference(real)
            out[(size, name, "held-out real")] = epoch_scores(held, reference)
            for case, images in rejects(held).items():
                out[(size, name, case)] = epoch_scores(images, reference)
    return out


# -- cross-check against prdc (Naeem et al.'s package) on the same vectors --------------------------------
def test_precision_recall_density_coverage_agree_with_prdc(store):
    from prdc import compute_prdc

    real_images, held = real_and_held_out(store, "photo-patches")
    reference = Reference(real_images)
    real = reference.space.reference
    mixed = np.concatenate([held[: N // 2], rejects(held)["blurred"][: N // 2]])  # scores away from 0 and 1
    for images in (held, mixed):
        fake = reference.space.embed(images)
        ours = {**precision_recall(real, fake, K), **density_coverage(real, fake, K_DC)}
        pr = compute_prdc(real, fake, nearest_k=K)
        dc = compute_prdc(real, fake, nearest_k=K_DC)
        theirs = {"precision": pr["precision"], "recall": pr["recall"], "density": dc["density"],
                  "coverage": dc["coverage"]}
        assert 0.05 < ours["precision"] < 1 and 0.05 < ours["coverage"] < 1, ours
        for key in theirs:
            assert ours[key] == pytest.approx(theirs[key], abs=1e-9), (key, ours, theirs)


def test_kid_is_the_unbiased_mmd_with_the_cubic_kernel():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, (40, 6)), rng.normal(0.5, 1, (30, 6))

    def k(a, b):
        return (a @ b / 6 + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(40) for j in range(40) if i != j) / (40 * 39)
    yy = sum(k(y[i], y[j]) for i in range(30) for j in range(30) if i != j) / (30 * 29)
    xy = sum(k(a, b) for a in x for b in y) / (40 * 30)
    assert kid(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-9)
    # same distribution: near 0 (either sign); a shift: clearly positive
    same = kid(rng.normal(0, 1, (300, 6)), rng.normal(0, 1, (300, 6)))
    assert abs(same) < 0.02 and kid(x, y + 2) > 10 * abs(same)


# -- known answers on every built-in set ----------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", SETS)
def test_held_out_real_images_score_high_on_all_four(scored, name, size):
    s = scored[(size, name, "held-out real")]
    assert min(s["precision"], s["recall"], s["density"], s["coverage"]) >= 0.8, s
    assert abs(s["kid"]) < 0.01, s
    assert 0.35 <= s["mistaken_for_real"] <= 0.65, s  # mingles with the data: about half the neighbours real
    assert s["nearer_samples"] < 0.05, s  # a real image comes before almost every other sample


CASES = [(size, name, case) for size in SIZES for name in SETS
         for case in ("uniform noise", "blank", "flat colour", "pixel-shuffled", "blurred")]


@pytest.mark.parametrize("size, name, case", CASES)
def test_pictures_nobody_would_take_for_the_data_score_low(scored, size, name, case):
    s, real = scored[(size, name, case)], scored[(size, name, "held-out real")]
    assert s["kid"] > 20 * max(abs(real["kid"]), 1e-3), (s, real)  # far further from the data than real images
    assert s["precision"] < 0.1 and s["density"] < 0.1, s
    assert s["mistaken_for_real"] < 0.1, s  # they keep to themselves
    assert s["nearer_samples"] > 0.4, s  # measured 0.43 (blurred photo-patches) to 1.0; held-out real ~0.004


@pytest.mark.parametrize("name", SETS)
def test_one_real_picture_repeated_is_never_mistaken_for_real_and_copies_always_are(store, name):
    """The two ends of the nearest-neighbour test: collapse onto one (real!) picture, and a memorised set."""
    real, held = real_and_held_out(store, name)
    reference = Reference(real)
    collapsed = epoch_scores(np.repeat(held[:1], len(held), axis=0), reference)
    copies = epoch_scores(real[::-1].copy(), reference)
    assert collapsed["mistaken_for_real"] == 0.0 and collapsed["nearer_samples"] == 1.0, collapsed
    assert copies["mistaken_for_real"] > 0.9 and copies["nearer_samples"] < 0.01, copies

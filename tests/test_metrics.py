"""The metrics with known answers: MS-SSIM, precision/recall, the collapse and divergence flags, and the trainer.

Fake "generators" are plain numpy functions of z (and one real DCGAN generator whose output ignores z);
real images come from the built-in cartoon faces, built with the command line into a temporary folder.
"""

import math
import shutil

import numpy as np
import pytest
from helpers import cli, read_json, read_jsonl

from gan_core.datasets.store import Dataset
from gan_core.metrics import FLAGS, Reference, collapse_reason, divergence_stretches, epoch_scores, flags_for
from gan_core.metrics.diversity import mean_ms_ssim, ms_ssim, scales_for
from gan_core.metrics.features import FeatureSpace, conform
from gan_core.metrics.health import WARMUP_STEPS
from gan_core.metrics.precision_recall import precision_recall

N = 128  # images a side: enough for stable scores, fast on 2 cores


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("metrics")
    d = {"datasets": root / "datasets", "checkpoints": root / "checkpoints"}
    cli(d, "gan_core.datasets", "build", "cartoon-faces", "--count", "256", "--resolution", "32")
    return d


@pytest.fixture(scope="module")
def faces(dirs):
    images = Dataset(dirs["datasets"] / "cartoon-faces").sample(256, seed=0)
    return images[:N], images[N:]  # two disjoint sets of real images


@pytest.fixture(scope="module")
def reference(faces):
    return Reference(faces[0])


def z_batch(n=N, dim=100, seed=3):
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


# -- the fake generators: functions of z ---------------------------------------------------------------
def one_image_generator(picture):
    return lambda z: np.repeat(picture[None], len(z), axis=0)


def handful_generator(pictures, jitter=0):
    """One of a few pictures, chosen by z, each time slightly brighter or darker (if jitter)."""

    def generate(z):
        which = np.argmax(z[:, : len(pictures)], axis=1)
        shift = np.rint(np.tanh(z[:, -1:, None, None]) * jitter)
        return np.clip(pictures[which].astype(np.int16) + shift, 0, 255).astype(np.uint8)

    return generate


# -- MS-SSIM and diversity -----------------------------------------------------------------------------
def test_ms_ssim_identical_is_one_and_scales_follow_the_size(faces):
    a = faces[0][:8]
    assert np.allclose(ms_ssim(a, a), 1.0)
    b = faces[1][:8]
    values = ms_ssim(a, b)
    assert np.all((values >= 0) & (values < 0.9))
    assert [scales_for(s) for s in (16, 32, 64, 128, 256)] == [2, 3, 4, 5, 5]


def test_ms_ssim_matches_tensorflow_at_full_size(monkeypatch):
    """At 192 px (five scales, where TF accepts the images) ours agrees with tf.image.ssim_multiscale.

    (Scoring shrinks images above 128 px first; that is switched off here to compare the arithmetic.)
    """
    import tensorflow as tf
    from scipy import ndimage

    from gan_core.metrics import diversity

    monkeypatch.setattr(diversity, "MAX_PX", 256)
    rng = np.random.default_rng(0)
    base = ndimage.gaussian_filter(rng.normal(0, 1, (4, 192, 192, 3)), (0, 3, 3, 0))
    a = np.clip(128 + base * 600, 0, 255).astype(np.uint8)
    b = np.clip(a + rng.normal(0, 25, a.shape), 0, 255).astype(np.uint8)
    ours = ms_ssim(a, b)
    theirs = tf.image.ssim_multiscale(tf.constant(a), tf.constant(b), 255).numpy()
    assert np.allclose(ours, theirs, atol=0.01), (ours, theirs)


def test_mean_ms_ssim_of_one_repeated_image_is_one(faces):
    assert mean_ms_ssim(np.repeat(faces[0][:1], 20, axis=0), pairs=50) == pytest.approx(1.0)


# -- precision and recall ------------------------------------------------------------------------------
def test_precision_recall_geometry():
    rng = np.random.default_rng(1)
    real = rng.normal(0, 1, (200, 5))
    same = precision_recall(real, real + 1e-9)
    assert same["precision"] == 1.0 and same["recall"] == 1.0
    far = precision_recall(real, real + 100.0)
    assert far["precision"] == 0.0 and far["recall"] == 0.0
    # samples from a tenth of the data's region: realistic (precision high) but covering little (recall low)
    narrow = precision_recall(real, rng.normal(0, 0.1, (200, 5)))
    assert narrow["precision"] > 0.9 and narrow["recall"] < 0.3


def test_feature_space_ignores_light_noise(faces, reference):
    rng = np.random.default_rng(2)
    noisy = np.clip(faces[1] + rng.normal(0, 8, faces[1].shape), 0, 255).astype(np.uint8)
    scores = epoch_scores(noisy, reference)
    assert scores["precision"] > 0.6 and scores["recall"] > 0.6, scores


def test_conform_changes_size_and_colour(faces):
    grey = conform(faces[0][:4], 64, 1)
    assert grey.shape == (4, 64, 64, 1) and grey.dtype == np.uint8
    assert conform(grey, 32, 3).shape == (4, 32, 32, 3)
    space = FeatureSpace(faces[0])  # any size: features are taken at 32 px
    doubled = faces[0][:4].repeat(2, axis=1).repeat(2, axis=2)  # 64 px, each pixel 2 x 2
    # the same picture at twice the size is measured alike, except the one-pixel detail above 32 px (the
    # last feature), which is there to tell 64 px noise from texture, and sees that doubled pixels are smooth
    assert np.allclose(space.embed(doubled)[:, :-1], space.reference[:4, :-1], atol=1e-5)
    assert np.all(space.embed(doubled)[:, -1] < space.reference[:4, -1])


# -- known answers: collapsed generators are flagged, real images are not -------------------------------
def test_real_images_are_not_collapsed(faces, reference):
    scores = epoch_scores(faces[1], reference)
    assert 0.8 < scores["diversity"] < 1.25, scores
    assert scores["precision"] > 0.6 and scores["recall"] > 0.6, scores
    assert scores["near_duplicates"] < 0.1
    assert collapse_reason(scores) is None
    assert flags_for(scores, epoch=100, step=10_000) == []


def test_one_image_for_every_z_is_collapsed(faces, reference):
    samples = one_image_generator(faces[1][0])(z_batch())
    scores = epoch_scores(samples, reference)
    assert scores["diversity"] < 0.05 and scores["recall"] == 0.0 and scores["near_duplicates"] == 1.0, scores
    assert "alike" in collapse_reason(scores)
    assert flags_for(scores, epoch=100, step=10_000) == ["mode_collapse"]


@pytest.mark.parametrize("count, jitter", [(3, 0), (5, 0), (5, 6), (12, 3)])
def test_a_handful_of_distinct_outputs_is_collapsed(faces, reference, count, jitter):
    samples = handful_generator(faces[1][:count], jitter)(z_batch())
    assert len({s.tobytes() for s in samples}) > (count if jitter else count - 1)
    scores = epoch_scores(samples, reference)
    # each output is a real face, so MS-SSIM diversity alone stays high; the near-twins give it away
    assert scores["recall"] < 0.05, scores
    assert collapse_reason(scores) is not None, scores
    assert flags_for(scores, epoch=100, step=10_000) == ["mode_collapse"]


def test_noise_is_not_collapse_but_not_realistic(faces, reference):
    noise = np.random.default_rng(4).integers(0, 256, faces[1].shape, dtype=np.uint8)
    scores = epoch_scores(noise, reference)
    assert scores["diversity"] > 1 and scores["precision"] < 0.05, scores
    assert collapse_reason(scores) is None


def test_a_dcgan_generator_that_ignores_z_is_collapsed(reference):
    """A real generator network whose first layer's weights on z are zero: the same picture for every z."""
    from gan_core import models
    from gan_core.models.saved import generate

    generator = models.get("dcgan").build_generator(32, 3, 100, 16)
    dense = next(layer for layer in generator.layers if layer.weights)  # z -> 4 x 4 features, no bias
    dense.set_weights([np.zeros_like(w) for w in dense.get_weights()])
    scores = epoch_scores(generate(generator, z_batch()), reference)
    assert scores["diversity"] < 0.05, scores
    assert flags_for(scores, epoch=50, step=5_000) == ["mode_collapse"]


def test_warmup_and_history():
    alike = {"diversity": 0.1, "near_duplicates": 0.0, "near_duplicates_real": 0.0}
    assert flags_for(alike, epoch=1, step=10) == []  # the first epochs are excused
    assert flags_for(alike, epoch=5, step=WARMUP_STEPS - 1) == []
    assert flags_for(alike, epoch=5, step=WARMUP_STEPS) == ["mode_collapse"]
    lost = {"diversity": 0.4, "near_duplicates": 0.0, "near_duplicates_real": 0.0}
    assert collapse_reason(lost) is None
    assert "fell from 0.90 to 0.40" in collapse_reason(lost, best_diversity=0.9)
    assert collapse_reason(lost, best_diversity=0.7) is None


def test_a_raised_collapse_flag_holds_until_diversity_recovers():
    """The diversities of a toy run (benchmarks/LOG.md) flickered across 0.25 at every other epoch."""
    diversities = [0.33, 0.24, 0.29, 0.39, 0.245, 0.27, 0.39, 0.245, 0.33, 0.28, 0.23, 0.28, 0.45]
    flagged, before = [], False
    for epoch, diversity in enumerate(diversities, start=31):
        scores = {"diversity": diversity, "near_duplicates": 0.0, "near_duplicates_real": 0.0}
        before = flags_for(scores, epoch=epoch, step=epoch * 8, best_diversity=0.5,
                           flagged_before=before) == ["mode_collapse"]
        flagged.append(before)
    assert flagged == [False, True, True, False, True, True, False, True, True, True, True, True, False]
    assert "still mostly alike" in collapse_reason({"diversity": 0.3}, flagged_before=True)
    assert collapse_reason({"diversity": 0.3}) is None


def test_scores_at_another_size_than_the_data(faces, reference):
    """A run may train at 64 px on 32 px data (or grey on colour): the reference is brought to match."""
    scores = epoch_scores(conform(faces[1], 64, 1), reference)
    assert 0.7 < scores["diversity"] < 1.3 and scores["precision"] > 0.5, scores


# -- divergence from the loss log -------------------------------------------------------------------------
def rows(pairs, spe=8):
    return [{"step": (i + 1) * spe // 2, "epoch": i // 2 + 1, "g_loss": g, "d_loss": d} for i, (g, d) in
            enumerate(pairs)]


def test_divergence_needs_a_sustained_stretch():
    healthy = rows([(2.0, 0.6)] * 40)
    assert divergence_stretches(healthy, 8) == []
    blip = rows([(2.0, 0.6)] * 10 + [(6.0, 0.01)] * 3 + [(2.0, 0.6)] * 10)
    assert divergence_stretches(blip, 8) == []
    climbing = rows([(2.0, 0.6)] * 4 + [(5.0 + k, 0.001) for k in range(20)])
    (stretch,) = divergence_stretches(climbing, 8)
    assert stretch["kind"] == "d_wins" and stretch["start_epoch"] == 3 and stretch["end_epoch"] == 12
    assert "discriminator" in stretch["message"]
    assert flags_for(None, climbing, epoch=12, steps_per_epoch=8) == ["diverging"]
    assert flags_for(None, climbing[:6], epoch=3, steps_per_epoch=8) == []
    recovered = rows([(2.0, 0.6)] * 4 + [(5.0 + k, 0.001) for k in range(20)] + [(2.0, 0.6)] * 10)
    (stretch,) = divergence_stretches(recovered, 8)
    assert stretch["end_epoch"] == 12
    assert flags_for(None, recovered, epoch=12, steps_per_epoch=8) == ["diverging"]
    assert flags_for(None, recovered, epoch=17, steps_per_epoch=8) == []


def test_a_generator_coming_back_is_excused_one_still_far_off_is_not():
    """D wins throughout; what decides is whether G's loss comes a quarter of the way back to the threshold (4)."""
    coming_back = rows([(2.0, 0.6)] * 2 + [(10.0 - 0.3 * k, 0.01) for k in range(20)])  # 10 -> 4.3
    assert divergence_stretches(coming_back, 8) == []
    # an absurd learning rate's run: D loss 0, G loss in the tens of thousands, falling 1.5 % a row
    far_off = rows([(2.0, 0.6)] * 2 + [(25_000.0 * 0.985**k, 0.0) for k in range(20)])  # 25,000 -> 18,800
    assert [s["kind"] for s in divergence_stretches(far_off, 8)] == ["d_wins"]


def test_stuck_saturated_losses_and_nan_are_divergence():
    stuck = rows([(2.0, 0.6)] * 2 + [(608.0, 0.0)] * 20)
    assert [s["kind"] for s in divergence_stretches(stuck, 8)] == ["d_wins"]
    nan = rows([(2.0, 0.6)] * 5 + [(math.nan, 0.3)])
    (stretch,) = divergence_stretches(nan, 8)
    assert stretch["kind"] == "nan" and "NaN" in stretch["message"]


def test_every_flag_says_what_it_means_and_what_to_try():
    for code, flag in FLAGS.items():
        assert flag.code == code and flag.title and len(flag.meaning) > 40
        assert "learning rate" in flag.what_to_try and "epoch" in flag.what_to_try


# -- the trainer writes the scores and flags ---------------------------------------------------------------
TRAIN = ["--resolution", "32", "--batch-size", "32", "--width", "16"]


def test_trainer_scores_saved_epochs_and_a_healthy_run_has_no_flags(dirs):
    """Past the warm-up (26 epochs of 8 steps): scores at every saved epoch, no flag anywhere."""
    cli(dirs, "gan_core.train", "--dataset", "cartoon-faces", "--run", "healthy", "--epochs", "26",
        "--save-every", "13", "--seed", "4", *TRAIN)
    run = dirs["checkpoints"] / "healthy"
    epochs = read_jsonl(run / "epochs.jsonl")
    assert [r["epoch"] for r in epochs] == list(range(1, 27))
    scored = [r["epoch"] for r in epochs if r["diversity"] is not None]
    assert scored == [13, 26]
    for r in epochs:
        assert r["flags"] == [], r
        assert {"diversity", "precision", "recall", "density", "coverage", "kid", "near_duplicates",
                "score_seconds"} <= set(r)
    last = epochs[-1]
    assert last["step"] >= WARMUP_STEPS
    assert 0 <= last["precision"] <= 1 and 0 <= last["recall"] <= 1 and last["diversity"] > 0.25
    assert 0 <= last["coverage"] <= 1 and last["density"] >= 0 and last["kid"] > 0.005  # toy samples: not real yet
    assert read_json(run / "status.json")["state"] == "finished"


def absurd_run(tmp_path_factory) -> dict:
    """Folders holding run `absurd`: 8 epochs of 8 steps at learning rates of 5. Trained once per session
    (the browser test of the curves page shows the same run)."""
    root = tmp_path_factory.getbasetemp() / "absurd-run"
    dirs = {"datasets": root / "datasets", "checkpoints": root / "checkpoints"}
    status = dirs["checkpoints"] / "absurd" / "status.json"
    if not (status.exists() and read_json(status).get("state") == "finished"):
        shutil.rmtree(root, ignore_errors=True)
        cli(dirs, "gan_core.datasets", "build", "cartoon-faces", "--count", "256", "--resolution", "32")
        cli(dirs, "gan_core.train", "--dataset", "cartoon-faces", "--run", "absurd", "--epochs", "8",
            "--lr-g", "5", "--lr-d", "5", "--save-every", "4", *TRAIN)
    return dirs


def test_a_run_with_absurd_learning_rates_is_flagged_diverging(tmp_path_factory):
    dirs = absurd_run(tmp_path_factory)
    epochs = read_jsonl(dirs["checkpoints"] / "absurd" / "epochs.jsonl")
    flagged = [r["epoch"] for r in epochs if "diverging" in r["flags"]]
    assert flagged and flagged[-1] == 8 and flagged == list(range(flagged[0], 9)), [
        (r["epoch"], r["d_loss"], r["g_loss"], r["flags"]) for r in epochs]
    assert epochs[-1]["d_loss"] < 0.05

"""The small-data family (sngan-da): real tiny runs through the command lines, its pieces one by one
(augmentation, spectral norm, EMA, R1), its settings, its divergence rule, and its runs on every page."""

import json
import math

import keras
import numpy as np
import pytest
from helpers import (
    EVERY_PAGE,
    ROOT,
    assert_one_line_error,
    cli,
    generate_here,
    open_page,
    pixels,
    read_json,
    read_jsonl,
)
from streamlit.testing.v1 import AppTest

from gan_core import models
from gan_core.metrics.health import divergence_stretches
from gan_core.training.config import AUGMENT_POLICIES, TrainConfig

TRAIN = "gan_core.train"
RUN = "small"
TINY = ["--arch", "sngan-da", "--resolution", "32", "--batch-size", "16", "--width", "8", "--latent-dim", "16"]


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("sngan_da")
    d = {"datasets": root / "datasets", "checkpoints": root / "checkpoints"}
    cli(d, "gan_core.datasets", "build", "cartoon-faces", "--count", "48", "--resolution", "32")
    return d


@pytest.fixture(scope="module")
def trained(dirs):
    """2 epochs with every piece on (skip-excitation blocks, lazy R1 too), then resumed to 3. No EMA ramp-up, so
    after a few steps the average is still far from G and a test can tell their pictures apart."""
    cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", RUN, "--epochs", "2", "--seed", "4", "--g-block", "skip",
        "--r1", "1", "--r1-every", "2", "--ema-rampup", "0", "--save-every", "1", "--spectral-norm", "on", *TINY)
    cli(dirs, TRAIN, "--run", RUN, "--resume", "--epochs", "3")
    return dirs["checkpoints"] / RUN


# -- training, resuming, generating -------------------------------------------------------------------
def test_trains_resumes_and_records_its_settings(trained):
    config = read_json(trained / "config.json")
    assert config["arch"] == "sngan-da"
    assert {k: config[k] for k in ("loss", "spectral_norm", "augment", "ema", "g_block", "r1", "r1_every")} == {
        "loss": "hinge", "spectral_norm": True, "augment": "color,translation,cutout", "ema": 0.999,
        "g_block": "skip", "r1": 1.0, "r1_every": 2}
    status = read_json(trained / "status.json")
    assert status["state"] == "finished" and status["epoch"] == 3
    assert [r["epoch"] for r in read_jsonl(trained / "epochs.jsonl")] == [1, 2, 3]
    rows = read_jsonl(trained / "metrics.jsonl")
    steps = [r["step"] for r in rows]
    assert steps == sorted(set(steps)) and steps[-1] == status["step"]
    assert all(math.isfinite(r["g_loss"]) and math.isfinite(r["d_loss"]) for r in rows)
    assert all(0 <= r["d_real"] <= 1 and 0 <= r["d_fake"] <= 1 for r in rows)
    assert all(r["d_loss"] >= 0 for r in rows), "a hinge loss is never negative"


def test_generates_deterministically_from_a_seed(dirs, trained, tmp_path, monkeypatch):
    """The same seed in another process (the command line) and in this one draws the same pictures."""
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    cli(dirs, "gan_core.generate", RUN, "--count", "3", "--seed", 7, "--out", a)
    for out, seed in ((b, 7), (c, 8)):
        generate_here(dirs, monkeypatch, RUN, "--count", "3", "--seed", seed, "--out", out)
    files = {d: sorted(d.glob("*.png")) for d in (a, b, c)}
    assert [pixels(f).shape for f in files[a]] == [(32, 32, 3)] * 3
    assert all(np.array_equal(pixels(x), pixels(y)) for x, y in zip(files[a], files[b], strict=True))
    assert not np.array_equal(pixels(files[a][0]), pixels(files[c][0]))


def test_the_ema_generator_is_saved_restored_and_drawn(dirs, trained, monkeypatch):
    """The state holds the average next to G; the grid and the per-epoch weights are the average's; resuming
    brings the average back (not a fresh copy of G)."""
    import keras

    from gan_core.core.media import grid, to_uint8
    from gan_core.training.state import state_variables
    from gan_core.training.trainer import Trainer, prepare

    monkeypatch.setenv("GAN_DATASETS_DIR", str(dirs["datasets"]))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(dirs["checkpoints"]))
    trainer = Trainer(prepare({"run": RUN, "epochs": 4}, resume=True), resume=True)
    trainer._build()
    order = [id(v) for v in state_variables(trainer.gan)]  # the state file lists the variables in this order
    latest = read_json(trained / "state" / "latest.json")
    with np.load(trained / "state" / latest["file"]) as state:
        saved = [state[f"v{i}"] for i in range(len(state.files))]
    ema = [saved[order.index(id(v))] for v in trainer.gan.ema_generator.weights]
    raw = [saved[order.index(id(v))] for v in trainer.gan.generator.weights]
    assert ema and [w.shape for w in ema] == [w.shape for w in raw]
    assert any(not np.array_equal(a, b) for a, b in zip(ema, raw, strict=True)), "the average is its own weights"

    config = read_json(trained / "config.json")
    family = models.of_run(config)
    per_epoch = family.generator_for(config)
    per_epoch.load_weights(trained / "weights" / "generator_epoch_0003.weights.h5")
    for kept, saved_ema in zip(per_epoch.get_weights(), ema, strict=True):  # epoch 3's file is the average
        np.testing.assert_array_equal(kept, saved_ema)

    trainer._restore()
    assert trainer.generator is trainer.gan.ema_generator
    for restored, kept in zip(trainer.generator.get_weights(), per_epoch.get_weights(), strict=True):
        np.testing.assert_array_equal(restored, kept)
    noise = trainer.run.fixed_noise()
    side = config["grid_side"]
    drawn = pixels(trained / "samples" / "epoch_0003.png")
    from_ema = grid(to_uint8(trainer.gan.ema_generator.predict_on_batch(noise)), side)
    from_g = grid(to_uint8(trainer.gan.generator.predict_on_batch(noise)), side)
    assert np.abs(drawn.astype(int) - from_ema.astype(int)).max() <= 1
    assert np.abs(drawn.astype(int) - from_g.astype(int)).mean() > 1, "the grid is the average's, not G's"
    keras.backend.clear_session()


@pytest.mark.parametrize("precision", ["mixed_float16", "mixed_bfloat16"])
def test_forced_mixed_precision_trains_a_step_and_generates(dirs, tmp_path, precision, monkeypatch):
    cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", precision, "--epochs", "1", "--precision",
        precision, "--max-images", "16", *TINY)
    run = dirs["checkpoints"] / precision
    assert precision in read_json(run / "config.json")["device"]
    assert all(math.isfinite(r["g_loss"]) for r in read_jsonl(run / "metrics.jsonl"))
    generate_here(dirs, monkeypatch, precision, "--count", "2", "--out", tmp_path)
    assert all(pixels(f).std() > 0 for f in tmp_path.glob("*.png"))


def test_two_logical_cpus_mirror_one_epoch(dirs, tmp_path, monkeypatch):
    cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "mirrored", "--epochs", "1", "--r1", "1", *TINY,
        GAN_LOGICAL_CPUS="2")
    run = dirs["checkpoints"] / "mirrored"
    assert read_json(run / "config.json")["replicas"] == 2
    assert read_json(run / "status.json")["state"] == "finished"
    assert all(math.isfinite(r["d_loss"]) for r in read_jsonl(run / "metrics.jsonl"))
    generate_here(dirs, monkeypatch, "mirrored", "--count", "2", "--out", tmp_path)
    assert len(list(tmp_path.glob("*.png"))) == 2


# -- settings -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, fragment", [
    (["--arch", "dcgan", "--augment", "cutout"], "--augment is not a setting of dcgan (it is one of sngan-da)"),
    (["--arch", "dcgan", "--ema", "0.99"], "--ema is not a setting of dcgan"),
    (["--arch", "sngan-da", "--augment", "color,zoom"], "--augment takes none or some of color,translation,cutout"),
    (["--arch", "sngan-da", "--g-block", "dense"], "--g-block must be one of plain, residual, skip"),
    (["--arch", "sngan-da", "--loss", "wasserstein"], "--loss must be one of hinge, nonsaturating"),
    (["--arch", "sngan-da", "--ema", "1"], "--ema must be 0 (off) or a decay below 1"),
    (["--arch", "sngan-da", "--r1-every", "0"], "--r1-every must be at least 1"),
    (["--arch", "sngan-da", "--spectral-norm", "maybe"], "--spectral-norm must be on or off, not 'maybe'"),
])
def test_bad_family_settings_get_one_clear_line(dirs, args, fragment):
    p = cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "x", "--epochs", "1", *args, check=False)
    assert_one_line_error(p, fragment)
    assert not (dirs["checkpoints"] / "x").exists()


def test_a_family_fills_its_own_defaults_and_dcgan_keeps_none():
    small = TrainConfig(dataset="d", run="r", arch="sngan-da", augment=" Cutout, color ")
    assert small.augment == "cutout,color" and small.loss == "hinge" and small.ema == 0.999
    # the measured defaults (benchmarks/LOG.md): no spectral norm, half the paper's augmentation
    assert small.spectral_norm is False and small.augment_strength == 0.5
    family = models.get("sngan-da")
    assert not any(isinstance(layer, keras.layers.SpectralNormalization)
                   for layer in family.build_discriminator(32, 3, 8).layers)
    assert TrainConfig(dataset="d", run="r", arch="sngan-da", augment="").augment == "none"
    assert TrainConfig(dataset="d", run="r", arch="sngan-da", spectral_norm="off").spectral_norm is False
    assert TrainConfig(dataset="d", run="r", arch="sngan-da", spectral_norm="True").spectral_norm is True
    dcgan = TrainConfig(dataset="d", run="r")
    assert all(getattr(dcgan, name) is None for name in models.get("sngan-da").settings)


# -- the pieces ---------------------------------------------------------------------------------------
def test_augmentation_keeps_shapes_and_range_and_is_random():
    import tensorflow as tf

    from gan_core.models.augment import OPS, augment

    assert tuple(OPS) == AUGMENT_POLICIES
    for channels in (1, 3):
        images = tf.random.uniform((6, 32, 32, channels), -1, 1)
        for policy in ("color", "translation", "cutout", "color,translation,cutout"):
            out = augment(images, policy, 1.0)
            assert out.shape == images.shape and out.dtype == images.dtype
            assert float(tf.reduce_min(out)) >= -1 and float(tf.reduce_max(out)) <= 1
            assert not np.array_equal(out.numpy(), augment(images, policy, 1.0).numpy()), policy
        assert augment(images, "color,translation,cutout", 0.0) is images
        assert augment(images, "none", 1.0) is images and augment(images, "", 1.0) is images
    # translation moves content, cutout blanks a square of half the side
    ones = tf.ones((8, 32, 32, 3))
    cut = augment(ones, "cutout", 1.0).numpy()
    assert all(0 < (c == 0).mean() <= 0.25 + 1e-6 for c in cut[..., 0])


def test_augmentation_lets_gradients_reach_the_generator():
    import tensorflow as tf

    family = models.get("sngan-da")
    from gan_core.models.augment import augment

    generator = family.build_generator(32, 3, 16, 8, g_block="residual")
    discriminator = family.build_discriminator(32, 3, 8)
    with tf.GradientTape() as tape:
        fake = generator(tf.random.normal((4, 16)), training=True)
        score = tf.reduce_mean(discriminator(augment(fake, "color,translation,cutout", 1.0)))
    grads = tape.gradient(score, generator.trainable_variables)
    assert all(g is not None for g in grads)
    assert all(float(tf.reduce_max(tf.abs(g))) > 0 for g in grads)


@pytest.mark.parametrize("g_block", ["plain", "residual", "skip"])
def test_every_block_design_builds_grey_and_rgb_from_32_to_256_px(g_block):
    family = models.get("sngan-da")
    for resolution, channels in ((32, 3), (64, 1), (256, 3)):
        generator = family.build_generator(resolution, channels, 16, 8, g_block=g_block)
        image = generator(np.random.default_rng(0).standard_normal((2, 16)).astype("float32"))
        assert image.shape == (2, resolution, resolution, channels) and image.dtype == "float32"
        assert float(np.abs(image).max()) <= 1
        score = family.build_discriminator(resolution, channels, 8)(image)
        assert score.shape == (2, 1)


def test_spectral_norm_wraps_every_layer_of_d_and_off_gives_dcgans():
    from keras import layers

    family = models.get("sngan-da")
    with_sn = family.build_discriminator(32, 3, 8, spectral_norm=True)
    kinds = [type(layer) for layer in with_sn.layers]
    assert kinds.count(layers.SpectralNormalization) == 4 and layers.BatchNormalization not in kinds
    assert all(isinstance(layer, layers.SpectralNormalization) for layer in with_sn.layers
               if getattr(layer, "kernel", None) is not None)
    without = family.build_discriminator(32, 3, 8, spectral_norm=False)
    assert layers.SpectralNormalization not in [type(x) for x in without.layers]
    assert layers.BatchNormalization in [type(x) for x in without.layers]


def test_the_ema_ramps_up_from_a_copy_to_its_target():
    from gan_core.models.sngan_da import ema_decay

    decays = [float(ema_decay(step, 0.999, 0.05)) for step in (0, 100, 1000, 100_000)]
    assert decays[0] < 1e-4, "the first step copies G"
    assert decays == sorted(decays) and decays[-1] == pytest.approx(0.999)
    assert float(ema_decay(0, 0.99, 0.0)) == pytest.approx(0.99), "no ramp-up: the target from the start"


# -- reading the run ----------------------------------------------------------------------------------
def test_the_hinge_divergence_rule_flags_a_d_win():
    rule = models.get("sngan-da").divergence
    won = [{"step": 2 * k, "epoch": 1 + k // 10, "g_loss": 1.6 + 0.05 * k, "d_loss": 0.02} for k in range(1, 61)]
    (stretch,) = divergence_stretches(won, 20, rule)
    assert stretch["kind"] == "d_wins"
    healthy = [{**r, "d_loss": 1.4, "g_loss": 0.3} for r in won]
    assert divergence_stretches(healthy, 20, rule) == []
    assert divergence_stretches(won, 20, models.get("dcgan").divergence) == [], "DCGAN's thresholds are not a hinge's"


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_a_run_opens_on_every_page(dirs, trained, monkeypatch, page):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(dirs["datasets"]))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(dirs["checkpoints"]))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    at = open_page(page)
    if page == "pages/curves.py":
        names = {t.get("name") for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]}
        assert "D hinge loss" in names, names


def test_the_train_page_shows_the_familys_own_settings_only_for_it(dirs, monkeypatch):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(dirs["datasets"]))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(dirs["checkpoints"]))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/train.py")
    at.query_params["dataset"] = "cartoon-faces"
    at.run()
    assert "Augmentation" not in [m.label for m in at.multiselect]
    at.radio(key="train_arch").set_value("sngan-da").run()
    assert not at.exception, [e.value for e in at.exception]
    (policy,) = [m for m in at.multiselect if m.label == "Augmentation"]
    assert policy.value == ["color", "translation", "cutout"]
    assert [s.value for s in at.selectbox if s.label == "Generator blocks"] == ["plain"]
    assert [n.value for n in at.number_input if n.label.startswith("Generator average")] == [0.999]


@pytest.mark.parametrize("precision", ["float32", "mixed_float16", "mixed_bfloat16"])
def test_xla_compiles_the_step_with_every_piece_on(precision):
    """What a GPU runs: the XLA-compiled step, lazy R1 (both branches), skip blocks, augmentation, EMA."""
    import keras
    import tensorflow as tf

    family = models.get("sngan-da")
    config = TrainConfig(dataset="d", run="r", arch="sngan-da", resolution=32, width=8, latent_dim=16, batch_size=8,
                         r1=1.0, r1_every=2, g_block="skip", precision=precision)
    keras.mixed_precision.set_global_policy(precision)
    try:
        keras.utils.set_random_seed(0)
        gan = family.build_gan(config)
        g_opt, d_opt = family.optimizers(config)
        if precision == "mixed_float16":
            g_opt, d_opt = keras.optimizers.LossScaleOptimizer(g_opt), keras.optimizers.LossScaleOptimizer(d_opt)
        gan.compile(g_opt, d_opt, jit_compile=True, steps_per_execution=2)
        gan(np.zeros((1, 16), np.float32))
        gan.build_optimizers()
        images = np.random.default_rng(0).uniform(-1, 1, (16, 32, 32, 3)).astype("float32")
        data = tf.data.Dataset.from_tensor_slices(images).batch(8, drop_remainder=True).repeat()
        history = gan.fit(data, epochs=1, steps_per_epoch=4, verbose=0).history
        assert all(math.isfinite(v[-1]) for v in history.values())
        assert int(d_opt.iterations) == 4
        assert gan.ema_generator(np.zeros((1, 16), np.float32)).dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")

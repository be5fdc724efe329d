"""The registry of GAN families: DCGAN unchanged, a run from before the registry still works everywhere, and
a family from outside gan_core (tests/toy_family.py) trains, generates and shows on the pages."""

import json
import math
import os
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from helpers import EVERY_PAGE, assert_one_line_error, cli, open_page, pixels, read_jsonl
from streamlit.testing.v1 import AppTest

from gan_core import models
from gan_core.core.errors import UsageError
from gan_core.metrics.health import divergence_stretches
from gan_core.models.flops import train_step_flops

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "pre-registry"  # made by the code before the registry (its README)
OLD = "old-dcgan"
FIXTURE_TRAIN = ("--dataset", "cartoon-faces", "--epochs", "2", "--resolution", "32", "--batch-size", "32",
                 "--width", "8", "--latent-dim", "16", "--seed", "3")
TOY_ENV = {"GAN_FAMILY_MODULES": "toy_family", "PYTHONPATH": str(ROOT / "tests")}


@pytest.fixture
def old_run(tmp_path, monkeypatch) -> dict:
    """A copy of the pre-registry run and its dataset, the env pointed there."""
    dirs = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints"}
    shutil.copytree(FIXTURE / "datasets", dirs["datasets"])
    shutil.copytree(FIXTURE / "checkpoints", dirs["checkpoints"])
    monkeypatch.setenv("GAN_DATASETS_DIR", str(dirs["datasets"]))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(dirs["checkpoints"]))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    return dirs


@pytest.fixture
def toy(monkeypatch):
    """The toy family registered in this process for one test only (the registry is copied before the module
    is imported, since importing it registers the family)."""
    monkeypatch.setattr(models, "_FAMILIES", dict(models._FAMILIES))
    import toy_family

    return models.register(toy_family.FAMILY)


def weights(path) -> dict[str, np.ndarray]:
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return found


# -- the registry -------------------------------------------------------------------------------------
def test_registry_describes_dcgan_and_refuses_unknown_families():
    dcgan = models.get("dcgan")
    assert models.DEFAULT == "dcgan" and models.get(None) is dcgan and models.of_run({}) is dcgan
    assert dcgan.keys() == ("g_loss", "d_loss", "d_real", "d_fake") and dcgan.keys("loss") == ("g_loss", "d_loss")
    assert all(s.label and len(s.meaning) > 20 for s in dcgan.series) and len(dcgan.summary) == 2
    with pytest.raises(UsageError, match="unknown GAN family 'nope'; choose one of dcgan"):
        models.get("nope")
    with pytest.raises(UsageError, match="unknown GAN family"):
        models.of_run({"arch": "nope"})


def test_an_unknown_family_on_the_command_line_is_one_line(tmp_path):
    dirs = {"datasets": tmp_path / "d", "checkpoints": tmp_path / "c"}
    shutil.copytree(FIXTURE / "datasets", dirs["datasets"])
    p = cli(dirs, "gan_core.train", "--run", "x", "--arch", "nope", *FIXTURE_TRAIN, check=False)
    assert_one_line_error(p, "unknown GAN family 'nope'")
    assert not (dirs["checkpoints"] / "x").exists()


def test_flops_counted_from_layers_match_the_dcgan_arithmetic():
    """Cross-check: the counter over the built layers against the DCGAN's layer sizes worked out by hand."""
    for resolution, channels, width, latent in ((32, 3, 64, 100), (64, 1, 32, 16), (128, 3, 64, 100)):
        stages = int(math.log2(resolution // 4))
        f = [min(width * 2**s, 512) for s in range(stages)]
        g, d = 2 * latent * 16 * f[-1], 2 * 16 * f[-1]  # the dense layers
        for s in range(stages):
            side, c_in = resolution >> (s + 1), channels if s == 0 else f[s - 1]
            d += 2 * side * side * 16 * c_in * f[s]
            g += 2 * side * side * 16 * c_in * f[s]
        counted = train_step_flops("dcgan", resolution, channels, width, latent)
        assert (counted["generator_forward"], counted["discriminator_forward"]) == (g, d)
        assert counted["train_step_per_image"] == 3 * (g + 2 * d)


def test_the_divergence_rule_belongs_to_the_family(toy):
    """The same loss log is a sustained D win under the toy's least-squares rule, not under DCGAN's."""
    rows = [{"step": 2 * k, "epoch": 1 + k // 4, "g_loss": 0.5 + 0.01 * k, "d_loss": 0.005} for k in range(1, 17)]
    assert divergence_stretches(rows, 4, models.get("dcgan").divergence) == []
    (stretch,) = divergence_stretches(rows, 4, toy.divergence)
    assert stretch["kind"] == "d_wins" and "below 0.01" in stretch["message"]


# -- DCGAN is still the seeds' recipe -----------------------------------------------------------------
def test_dcgan_makes_the_same_weights_and_grids_as_before_the_registry(tmp_path):
    dirs = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints"}
    shutil.copytree(FIXTURE / "datasets", dirs["datasets"])
    cli(dirs, "gan_core.train", "--run", OLD, *FIXTURE_TRAIN)
    new, old = dirs["checkpoints"] / OLD, FIXTURE / "checkpoints" / OLD
    assert json.loads((new / "config.json").read_text())["arch"] == "dcgan"
    before, after = weights(old / "weights/generator_epoch_0000.weights.h5"), weights(
        new / "weights/generator_epoch_0000.weights.h5")
    assert before.keys() == after.keys() and all(np.array_equal(before[k], after[k]) for k in before)
    for epoch in (0, 1, 2):  # training itself may differ in the last bits on another CPU's kernels
        a = pixels(old / f"samples/epoch_{epoch:04d}.png").astype(int)
        b = pixels(new / f"samples/epoch_{epoch:04d}.png").astype(int)
        assert np.abs(a - b).mean() < 1.0, f"epoch {epoch}'s grid differs from the pre-registry DCGAN's"
    old_state = weights(old / "state/state_step_000000004.weights.h5")
    used = [k for k in old_state if not k.startswith("optimizer/")]  # Keras' own optimizer: never trained with
    with np.load(new / "state/state_step_000000004.npz") as state:  # the same variables, in the project's format
        assert len(state.files) == len(used)


# -- a run directory from before the registry ---------------------------------------------------------
def test_an_old_run_reads_as_dcgan_and_every_command_line_works(old_run, tmp_path, capsys):
    """generate, evaluate and timelapse through their main() in this process (their command lines run in
    test_cli_errors, test_evaluate, test_damaged_files: one TensorFlow start here instead of three); training
    resumes in its own process, as a user resumes it."""
    from gan_core import evaluate, generate, timelapse

    config = json.loads((old_run["checkpoints"] / OLD / "config.json").read_text())
    assert "arch" not in config and models.of_run(config).name == "dcgan"
    assert generate.main([OLD, "--count", "3", "--out", str(tmp_path / "gen")]) == 0
    assert len(list((tmp_path / "gen").glob("*.png"))) == 3
    capsys.readouterr()
    assert evaluate.main([OLD, "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["run"] == OLD and 0 <= scores["diversity"] <= 2
    assert timelapse.main([OLD, "--out", str(tmp_path / "t.gif")]) == 0
    assert (tmp_path / "t.gif").stat().st_size > 0
    cli(old_run, "gan_core.train", "--run", OLD, "--resume", "--epochs", "3")
    rows = read_jsonl(old_run["checkpoints"] / OLD / "epochs.jsonl")
    assert [r["epoch"] for r in rows] == [1, 2, 3]


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_an_old_run_opens_on_every_page(old_run, page):
    open_page(page)


# -- a family from outside gan_core -------------------------------------------------------------------
def test_a_toy_family_trains_generates_and_shows_on_the_pages(tmp_path, monkeypatch, toy):
    dirs = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints"}
    shutil.copytree(FIXTURE / "datasets", dirs["datasets"])
    env = {**TOY_ENV, "PYTHONPATH": os.pathsep.join([TOY_ENV["PYTHONPATH"], os.environ.get("PYTHONPATH", "")])}
    cli(dirs, "gan_core.train", "--dataset", "cartoon-faces", "--run", "toy-run", "--arch", "toy", "--epochs", "1",
        **env)
    run_dir = dirs["checkpoints"] / "toy-run"
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arch"] == "toy" and config["width"] == 4 and config["batch_size"] == 16  # the toy's defaults
    rows = read_jsonl(run_dir / "metrics.jsonl")
    assert rows and all({"g_loss", "d_loss", "d_real", "d_fake", "d_gap"} <= r.keys() for r in rows)
    cli(dirs, "gan_core.generate", "toy-run", "--count", "2", "--seed", "5", "--out", tmp_path / "gen", **env)
    assert [pixels(p).shape for p in sorted((tmp_path / "gen").glob("*.png"))] == [(32, 32, 3)] * 2

    monkeypatch.setenv("GAN_DATASETS_DIR", str(dirs["datasets"]))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(dirs["checkpoints"]))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    for page in ("pages/epochs.py", "pages/latent.py", "pages/curves.py"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.get("image") or at.get("plotly_chart"), page
    traces = {t["name"] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] if t.get("name")}
    assert {"G squares", "D squares", "score gap", "D(x) squashed"} <= traces, traces


def test_the_train_page_offers_every_family_with_its_defaults(tiny_dirs, monkeypatch, toy):
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/train.py")
    at.query_params["dataset"] = "cartoon-faces"  # a link naming a dataset opens the new-run form
    at.run()
    picker = at.radio(key="train_arch")
    assert picker.options == ["DCGAN (Radford et al. 2015)", "DiffAugment + hinge loss (for small datasets)",
                              "Toy least-squares GAN"] and picker.value == "dcgan"
    assert any("strided convolutions" in c.value for c in at.caption)
    def value(label):
        (found,) = [n.value for n in at.number_input if n.label == label]
        return found

    assert (value("Generator learning rate"), value("Latent size (z)")) == (2e-4, 100)
    picker.set_value("toy").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("tiny networks" in c.value for c in at.caption)
    assert (value("Generator learning rate"), value("Latent size (z)")) == (1e-3, 8)  # the toy's own defaults
    assert value("Network width") == 64  # what the Quick demo preset says wins over a family's default

"""`python -m gan_core.evaluate`, as a user runs it: a run's epoch, folders of images, and bad input."""

import json

import numpy as np
import pytest
from helpers import assert_one_line_error, cli
from PIL import Image

from gan_core.datasets.store import Dataset

EVALUATE = "gan_core.evaluate"


@pytest.fixture(scope="module")
def dirs(tiny_run):
    return {"datasets": tiny_run["datasets_dir"], "checkpoints": tiny_run["checkpoints_dir"]}


@pytest.fixture(scope="module")
def real_images(tiny_run):
    return Dataset(tiny_run["datasets_dir"] / tiny_run["dataset"]).sample(64, seed=1)


def write_folder(folder, images, fmt="png"):
    folder.mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        Image.fromarray(image).save(folder / f"img_{i:04d}.{fmt}")
    return folder


def evaluate_json(dirs, *args) -> dict:
    p = cli(dirs, EVALUATE, *args, "--json")
    return json.loads(p.stdout)


def test_a_run_epoch_as_json(dirs, tiny_run):
    result = evaluate_json(dirs, tiny_run["run"], "--epoch", "1", "--count", "64")
    assert result["run"] == tiny_run["run"] and result["epoch"] == 1 and result["dataset"] == tiny_run["dataset"]
    for key in ("diversity", "precision", "recall", "density", "coverage", "kid", "ms_ssim", "ms_ssim_real",
                "near_duplicates"):
        assert isinstance(result[key], float), key
    assert 0 <= result["precision"] <= 1 and 0 <= result["recall"] <= 1
    assert 0 <= result["coverage"] <= 1 and result["density"] >= 0 and result["kid"] > 0.01  # epoch 1: blobs
    assert result["samples"] == 64 and result["reference"] == 64
    assert result["mode_collapse"] is False and result["diverging"] is False and result["flags"] == []
    assert result["warmup"] is True  # one epoch: near-identical blobs are expected, not called a collapse


def test_a_folder_of_real_images_is_not_collapsed(dirs, tiny_run, real_images, tmp_path):
    folder = write_folder(tmp_path / "real", real_images)
    result = evaluate_json(dirs, "--images", folder, "--dataset", tiny_run["dataset"])
    assert result["mode_collapse"] is False and result["flags"] == []
    assert result["samples"] == 64 and result["skipped"] == 0
    assert result["diversity"] > 0.7 and result["precision"] > 0.5, result


def test_a_folder_of_one_repeated_image_is_collapsed(dirs, tiny_run, real_images, tmp_path):
    folder = write_folder(tmp_path / "same", [real_images[0]] * 40, fmt="jpg")
    result = evaluate_json(dirs, "--images", folder, "--dataset", tiny_run["dataset"])
    assert result["mode_collapse"] is True and result["flags"] == ["mode_collapse"]
    assert "alike" in result["collapse_reason"]


def test_a_folder_with_a_handful_of_pictures_is_collapsed_in_plain_words(dirs, tiny_run, real_images, tmp_path):
    """Bigger, greyscale copies of four faces: brought to the dataset's size and colour, and still flagged."""
    rng = np.random.default_rng(0)
    four = [np.asarray(Image.fromarray(real_images[i]).convert("L").resize((64, 64))) for i in range(4)]
    folder = write_folder(tmp_path / "four", [four[k] for k in rng.integers(0, 4, 48)])
    (folder / "notes.txt").write_text("not an image")
    (folder / "broken.png").write_bytes(b"not a png")
    p = cli(dirs, EVALUATE, "--images", folder, "--dataset", tiny_run["dataset"])
    assert "mode collapse   YES" in p.stdout and "What to try:" in p.stdout, p.stdout
    assert "1 files could not be read" in p.stdout


@pytest.mark.parametrize("args, fragments", [
    ([], ["name a run"]),
    (["no-such-run"], ["no run named 'no-such-run'"]),
    (["tiny", "--epoch", "7"], ["no generator saved at epoch 7"]),
    (["tiny", "--count", "3"], ["--count must be between 8"]),
    (["tiny", "--dataset", "cartoon-faces"], ["drop --dataset"]),
    (["--images", "/no/such/folder", "--dataset", "cartoon-faces"], ["is not a folder"]),
    (["--images", "."], ["--images needs --dataset"]),
    (["--images", ".", "--dataset", "no-such-set"], ["no dataset named 'no-such-set'"]),
    (["tiny", "--images", "."], ["not both"]),
    (["--images", ".", "--dataset", "cartoon-faces", "--epoch", "1"], ["--epoch is for a run"]),
    (["--bogus"], ["unrecognized arguments"]),
])
def test_bad_input_gets_one_clear_line(dirs, args, fragments):
    assert_one_line_error(cli(dirs, EVALUATE, *args, check=False), *fragments)


def test_a_folder_without_enough_images(dirs, tiny_run, real_images, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(cli(dirs, EVALUATE, "--images", empty, "--dataset", tiny_run["dataset"], check=False),
                          "no images")
    few = write_folder(tmp_path / "few", real_images[:3])
    assert_one_line_error(cli(dirs, EVALUATE, "--images", few, "--dataset", tiny_run["dataset"], check=False),
                          "needs at least 8")

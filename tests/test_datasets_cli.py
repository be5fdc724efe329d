"""`python -m gan_core.datasets`: build every built-in set, list, info, delete, and bad input."""

import json

import numpy as np
import pytest
from helpers import assert_one_line_error, cli

DATA = "gan_core.datasets"


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("datasets-cli")
    return {"datasets": root / "datasets", "checkpoints": root / "checkpoints"}


@pytest.mark.parametrize("kind, channels", [("cartoon-faces", 3), ("doodle-ducks", 3), ("digits", 1),
                                            ("photo-patches", 3)])
def test_each_builtin_set_builds_and_loads(dirs, kind, channels, monkeypatch):
    cli(dirs, DATA, "build", kind, "--count", "40", "--resolution", "32")
    info = json.loads(cli(dirs, DATA, "info", kind, "--json").stdout)
    assert info["count"] == 40 and info["resolution"] == 32 and info["channels"] == channels
    assert info["sources"] and info["skipped"] == [] and info["seconds"] is not None
    monkeypatch.setenv("GAN_DATASETS_DIR", str(dirs["datasets"]))
    from gan_core.datasets.store import open_dataset

    images = open_dataset(kind).sample(40)
    assert images.shape == (40, 32, 32, channels) and images.std() > 10
    assert len({im.tobytes() for im in images}) == 40


def test_list_info_delete(dirs):
    cli(dirs, DATA, "build", "digits", "--name", "few-digits", "--count", "12", "--resolution", "64")
    listed = {d["name"]: d for d in json.loads(cli(dirs, DATA, "list", "--json").stdout)}
    assert listed["few-digits"]["count"] == 12 and listed["few-digits"]["resolution"] == 64
    assert "12 images" in cli(dirs, DATA, "info", "few-digits").stdout
    cli(dirs, DATA, "delete", "few-digits")
    assert "few-digits" not in cli(dirs, DATA, "list").stdout


def test_build_is_deterministic(dirs, monkeypatch):
    cli(dirs, DATA, "build", "doodle-ducks", "--name", "d1", "--count", "8", "--resolution", "32", "--seed", "4")
    cli(dirs, DATA, "build", "doodle-ducks", "--name", "d2", "--count", "8", "--resolution", "32", "--seed", "4")
    monkeypatch.setenv("GAN_DATASETS_DIR", str(dirs["datasets"]))
    from gan_core.datasets.store import open_dataset

    assert open_dataset("d1").fingerprint == open_dataset("d2").fingerprint
    assert np.array_equal(open_dataset("d1").sample(8), open_dataset("d2").sample(8))


@pytest.mark.parametrize("args, fragments", [
    (["build", "unicorns"], ["no built-in dataset 'unicorns'"]),
    (["build", "digits", "--resolution", "50"], ["resolution 50 is not supported"]),
    (["build", "digits", "--count", "0"], ["--count must be at least 1"]),
    (["build", "digits", "--name", "../escape", "--count", "3"], ["not allowed"]),
    (["info", "missing"], ["no dataset named 'missing'"]),
    (["delete", "missing"], ["no dataset named 'missing'"]),
])
def test_bad_input(dirs, args, fragments):
    assert_one_line_error(cli(dirs, DATA, *args, check=False), *fragments)
    assert not (dirs["datasets"].parent / "escape").exists()


def test_existing_dataset_needs_replace(dirs):
    cli(dirs, DATA, "build", "digits", "--name", "twice", "--count", "3", "--resolution", "32")
    p = cli(dirs, DATA, "build", "digits", "--name", "twice", "--count", "5", "--resolution", "32", check=False)
    assert_one_line_error(p, "already exists", "--replace")
    cli(dirs, DATA, "build", "digits", "--name", "twice", "--count", "5", "--resolution", "32", "--replace")
    assert json.loads(cli(dirs, DATA, "info", "twice", "--json").stdout)["count"] == 5
    assert "kept" in cli(dirs, DATA, "build", "digits", "--name", "twice", "--skip-existing").stdout

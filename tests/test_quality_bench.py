"""`python -m gan_core.bench.families`: tiny real runs of two variants under one time budget, judged and drawn."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from gan_core.bench.families import parse_variant

ROOT = Path(__file__).resolve().parents[1]


def bench(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "gan_core.bench.families", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_a_setting_may_hold_commas():
    assert parse_variant("sngan-da:augment=translation,cutout,ema=0") == (
        "sngan-da", {"augment": "translation,cutout", "ema": "0"})
    assert parse_variant("dcgan") == ("dcgan", {})


@pytest.mark.parametrize("args, words", [
    (["--variant", "nope"], "unknown GAN family 'nope'"),
    (["--variant", "sngan-da:oops"], "settings are key=value"),
    (["--dataset", "films"], "unknown built-in set 'films'"),
    (["--minutes", "1"], "give --grids DIR too"),
])
def test_bad_input_is_one_line(args, words):
    done = bench(*args, timeout=120)
    assert done.returncode == 2 and words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_two_variants_in_one_budget_are_judged_recorded_and_drawn(tmp_path, monkeypatch, capsys):
    """In this process (the command line itself is checked above): it trains in child processes anyway, and a
    child of its own would start Python and TensorFlow once more (~5 s)."""
    from gan_core.bench.families import main

    out, grids, keep = tmp_path / "q.json", tmp_path / "grids", tmp_path / "keep"
    for name in ("GAN_DATASETS_DIR", "GAN_CHECKPOINTS_DIR"):  # main() points them at --keep, then puts them back
        monkeypatch.setenv(name, str(tmp_path / "unused"))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    assert main(["--count", "64", "--budget", "2", "--seeds", "3", "--variant", "dcgan:width=8",
                 "--variant", "sngan-da:width=8,augment=translation,cutout", "--out", str(out),
                 "--grids", str(grids), "--minutes", "0.01", "10", "--keep", str(keep)]) == 0
    done = capsys.readouterr()
    assert os.environ["GAN_CHECKPOINTS_DIR"] == str(tmp_path / "unused"), "the caller's store, as it was"
    assert os.environ["GAN_DATASETS_DIR"] == str(tmp_path / "unused")
    data = json.loads(out.read_text())
    assert data["dataset"] == "digits" and data["count"] == 64 and data["seeds"] == [3]
    assert list(data["variants"]) == ["dcgan:width=8", "sngan-da:width=8,augment=translation,cutout"]
    for variant in data["variants"].values():
        (run,) = variant["runs"]
        assert 1 <= run["score"] <= 10 and run["best"] >= run["score"] and run["epochs"] >= 1
        assert isinstance(run["flags"], list)
        curve = run["curve"]
        assert [p["epoch"] for p in curve] == sorted(p["epoch"] for p in curve)
        assert all(0 <= p["d_real"] <= 1 and 0 <= p["diversity"] for p in curve)  # the run's own record
        assert variant["median"]["score"] == pytest.approx(run["score"], abs=0.005)  # a median of one, rounded
    # the comma-holding setting reached the trainer whole
    config = json.loads((keep / "checkpoints" / "q3-1" / "config.json").read_text())
    assert config["arch"] == "sngan-da" and config["augment"] == "translation,cutout"
    with Image.open(grids / "quality-digits-seed3.png") as side_by_side:
        assert side_by_side.width > 2 * 256
    with Image.open(grids / "minutes-digits-seed3.png") as sheet:  # two rows (variants) of two minute marks
        assert sheet.width > 2 * 256 and sheet.height > 2 * 256
    assert "dcgan:width=8" in done.out and "precision" in done.out

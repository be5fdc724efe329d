"""The pages' archive controls (ui/transfer.py) with AppTest: a run's download on the Epochs page, a download per
dataset, and one uploader on the Datasets page for either kind of archive, behind the facilitator lock."""

import json
import os

import pytest
from helpers import cli
from streamlit.testing.v1 import AppTest

T = "gan_core.transfer"


def page(path: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def downloads(at) -> dict[str, object]:
    return {b.proto.label: b.proto for b in at.get("download_button")}


@pytest.fixture
def archives(tiny_run, tmp_path) -> dict:
    src = {"datasets": tiny_run["datasets_dir"], "checkpoints": tiny_run["checkpoints_dir"]}
    cli(src, T, "export-run", "tiny", "--out", tmp_path / "tiny.run.zip")
    cli(src, T, "export-dataset", "cartoon-faces", "--out", tmp_path / "faces.dataset.zip")
    return {"run": (tmp_path / "tiny.run.zip").read_bytes(), "dataset": (tmp_path / "faces.dataset.zip").read_bytes()}


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> dict:
    d = {"datasets": tmp_path / "there" / "datasets", "checkpoints": tmp_path / "there" / "checkpoints"}
    monkeypatch.setenv("GAN_DATASETS_DIR", str(d["datasets"]))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(d["checkpoints"]))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    return d


def test_the_epochs_page_offers_the_run_but_not_while_it_trains(tiny_dirs, monkeypatch):
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    offered = downloads(page("pages/epochs.py"))
    label = next(k for k in offered if k.startswith("Download this run"))
    assert label.endswith(" MB)") and offered[label].deferred_file_id  # made when clicked, not on every rerun
    status = tiny_dirs["checkpoints"] / "tiny" / "status.json"
    status.write_text(json.dumps({**json.loads(status.read_text()), "state": "running", "pid": os.getpid()}))
    at = page("pages/epochs.py")
    assert not any(k.startswith("Download this run") for k in downloads(at))
    assert next(b for b in at.button if b.label == "Download this run").disabled


def test_the_datasets_page_offers_each_dataset(tiny_dirs, monkeypatch):
    monkeypatch.setenv("GAN_FACILITATOR_PASSCODE", "owl")  # downloading changes nothing: for everyone
    at = page("pages/datasets.py")
    assert [b.proto.label for b in at.get("download_button")] == ["Download"]
    assert "cartoon-faces" in at.get("download_button")[0].proto.help
    assert "Only the facilitator can import runs or datasets" in " ".join(i.value for i in at.info)
    assert not at.file_uploader


def test_one_uploader_imports_either_kind(archives, elsewhere):
    at = page("pages/datasets.py")
    archive_uploader = at.file_uploader[-1]
    archive_uploader.set_value([("faces.dataset.zip", archives["dataset"], "application/zip")]).run()
    text = " ".join(m.value for m in at.markdown)
    assert "A **dataset**, *cartoon\\-faces*: 2 files" in text
    at.button(key="archive-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert (elsewhere["datasets"] / "cartoon-faces" / "manifest.json").is_file()
    assert "Imported the dataset cartoon-faces from faces.dataset.zip" in " ".join(s.value for s in at.success)

    at.file_uploader[-1].set_value([("tiny.run.zip", archives["run"], "application/zip")]).run()
    at.text_input(key="archive-name-1").set_value("moved").run()
    at.button(key="archive-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert json.loads((elsewhere["checkpoints"] / "moved" / "config.json").read_text())["run"] == "moved"

    at.file_uploader[-1].set_value([("tiny.run.zip", archives["run"], "application/zip")]).run()
    at.text_input(key="archive-name-2").set_value("moved").run()
    assert "A run called **moved** already exists." in " ".join(w.value for w in at.warning)
    assert "archive-go" not in [b.key for b in at.button]  # only once Replace is ticked
    at.text_input(key="archive-name-2").set_value("../up").run()
    assert "not allowed" in " ".join(e.value for e in at.error)


def test_a_bad_archive_is_one_message_and_nothing_stored(archives, elsewhere):
    at = page("pages/datasets.py")
    broken = archives["dataset"][: len(archives["dataset"]) // 2]
    at.file_uploader[-1].set_value([("half.zip", broken, "application/zip")]).run()
    assert "half.zip is not a readable zip archive." in [e.value for e in at.error]
    assert not elsewhere["datasets"].exists() and not elsewhere["checkpoints"].exists()

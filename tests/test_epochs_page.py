"""The Epochs page under AppTest: no runs, the real tiny run (slider, grid, real images, stepping), following
one sample, new samples from a saved generator, and a timelapse export with download buttons."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def epochs_page() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page("pages/epochs.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def nodes(node, kind: str) -> list:
    """Every element of one type anywhere under `node` (inside tabs, columns and fragments too)."""
    found = [node] if node.type == kind else []
    for child in getattr(node, "children", {}).values():
        found += nodes(child, kind)
    return found


def image_captions(at) -> list[list[str]]:
    """The captions of each st.image call (one list per call: a strip is one call with many images)."""
    return [[i.caption for i in el.proto.imgs] for el in nodes(at.main, "image")]


def all_text(at) -> str:
    parts = [*at.markdown, *at.info, *at.warning, *at.caption, *at.code]
    return "\n".join(str(p.value) for p in parts).replace("\\", "")


def test_no_runs_says_what_to_do(empty_dirs):
    at = epochs_page()
    assert "No training runs yet" in all_text(at)
    assert "python -m gan_core.train" in all_text(at)
    assert any("Train" in el.proto.label for el in nodes(at.main, "page_link"))


def test_tiny_run_slider_grid_and_steps(tiny_run_env):
    at = epochs_page()
    slider = at.select_slider(key="epochs_epoch__tiny")
    assert slider.options == ["0", "1"] and slider.value == 1
    text = all_text(at)
    assert "Generated · epoch 1" in text and "Real · 64 training images" in text
    captions = sum(image_captions(at), [])
    assert any(c.startswith("Epoch 1 · after") for c in captions), captions
    assert "cartoon-faces: real images" in captions
    at.button(key="epochs_prev").click().run()
    assert at.select_slider(key="epochs_epoch__tiny").value == 0
    assert "Generated · epoch 0" in all_text(at)
    at.select_slider(key="epochs_epoch__tiny").set_value(1).run()
    assert "Generated · epoch 1" in all_text(at)
    assert not at.exception


def test_follow_a_sample_shows_a_strip(tiny_run_env):
    at = epochs_page()
    at.number_input(key="epochs_sample").set_value(9).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Cell **9**: row 2, column 2" in "\n".join(m.value for m in at.markdown)
    assert ["epoch 0", "epoch 1"] in image_captions(at)


def test_export_makes_gif_and_mp4(tiny_run_env):
    at = epochs_page()
    at.button(key="epochs_export_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label.startswith("Download GIF") for label in labels)
    assert any(label.startswith("Download MP4") for label in labels)


@pytest.fixture
def flagged_and_copy(tiny_run, tmp_path, monkeypatch):
    """The tiny run and a copy whose epoch 1 is flagged as a mode collapse, in a folder of their own."""
    import json
    import shutil

    checkpoints = tmp_path / "checkpoints"
    shutil.copytree(tiny_run["checkpoints_dir"] / tiny_run["run"], checkpoints / "tiny")
    shutil.copytree(tiny_run["checkpoints_dir"] / tiny_run["run"], checkpoints / "flagged")
    rows = [json.loads(line) for line in (checkpoints / "flagged" / "epochs.jsonl").read_text().splitlines() if line]
    rows[-1]["flags"] = ["mode_collapse"]
    (checkpoints / "flagged" / "epochs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(checkpoints))
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tiny_run["datasets_dir"]))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)


def test_flags_marked_and_two_runs_on_one_slider(flagged_and_copy):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["run"] = "flagged"
    at.switch_page("pages/epochs.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.select_slider(key="epochs_epoch__flagged").options == ["0", "1 ⚠"]
    assert any("Mode collapse" in w.value for w in at.warning)
    at.selectbox(key="epochs_other").set_value("tiny").run()
    shared = at.select_slider(key="epochs_shared")
    assert shared.value == 1
    shared.set_value(0).run()
    captions = sum(image_captions(at), [])
    assert captions.count("Epoch 0 · before training") == 2, captions  # both runs at epoch 0


def test_new_samples_from_a_saved_generator(tiny_run_env):
    at = epochs_page()
    at.number_input(key="epochs_new_seed").set_value(7).run()
    at.button(key="epochs_new_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Epoch 1 · seed 7 · fresh noise, not the fixed grid" in sum(image_captions(at), [])

"""The home page (`app.py`) under Streamlit's AppTest: the empty state, and a real tiny run and dataset."""

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from ui.common import BUILD_DEMO_DATA, TRAIN_DEMO, WIDEST_PX, upscale

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def _run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "info", "warning", "error", "code")
             for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def _unescape(text: str) -> str:
    return text.replace("\\", "")


def test_empty_state_shows_the_commands_to_get_started(empty_dirs):
    at = _run_app()
    assert [t.value for t in at.title] == ["GAN Explorer"]
    assert [h.value for h in at.header] == ["Runs", "Datasets"]
    assert any("No training runs yet" in i.value for i in at.info)
    assert any("No datasets yet" in i.value for i in at.info)
    codes = [c.value for c in at.code]
    assert f"{BUILD_DEMO_DATA}\n{TRAIN_DEMO}" in codes  # the quick demo, step by step
    assert BUILD_DEMO_DATA in codes  # and the dataset section's own hint
    assert not at.get("image"), "nothing to show yet, so no picture"
    text = _texts(at)
    assert "CPU:" in text or "GPU:" in text


def test_tiny_run_and_dataset_are_shown(tiny_run_env):
    at = _run_app()
    text = _unescape(_texts(at))
    subheaders = [_unescape(s.value) for s in at.subheader]
    assert tiny_run_env["run"] in subheaders
    assert tiny_run_env["dataset"] in subheaders
    assert "finished" in text
    assert "epoch **1** of **1**" in text
    assert "No training runs yet" not in text
    assert "64** images · 32 px · RGB" in text

    alts = [img.alt for element in at.get("image") for img in element.proto.imgs]
    assert f"Sample grid of {tiny_run_env['run']}, epoch 1" in alts  # the run card
    assert f"Latest samples of {tiny_run_env['run']}" in alts  # the header picture
    assert f"Images from {tiny_run_env['dataset']}" in alts  # the dataset card
    assert all(url for element in at.get("image") for url in element.value)


def test_faces_montage_in_the_header_when_there_is_no_run(tiny_run_env, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(tmp_path / "no-runs"))
    at = _run_app()
    alts = [img.alt for element in at.get("image") for img in element.proto.imgs]
    assert "Real images from cartoon-faces" in alts
    codes = [c.value for c in at.code]
    assert codes == [TRAIN_DEMO], "cartoon-faces is already built, so only the train command is suggested"


def test_upscale_is_whole_factor_nearest_neighbour():
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, (274, 274, 3), dtype=np.uint8)
    big = upscale(small, 560)
    assert big.shape == (274 * 3, 274 * 3, 3)
    assert np.array_equal(big[::3, ::3], small)
    assert np.array_equal(big[1::3, 2::3], small)
    grey = rng.integers(0, 256, (10, 10, 1), dtype=np.uint8)
    assert upscale(grey, 20).shape == (20, 20)
    large = rng.integers(0, 256, (1034, 1034, 3), dtype=np.uint8)
    assert upscale(large, 560) is large or np.array_equal(upscale(large, 560), large)
    # a wide strip is enlarged by the largest whole factor that stays within WIDEST_PX, never past it (which
    # `png` would then shrink smoothly, blurring it)
    strip = rng.integers(0, 256, (36, 410, 3), dtype=np.uint8)
    assert upscale(strip, 1400).shape == (36 * 3, 410 * 3, 3) and 410 * 4 > WIDEST_PX

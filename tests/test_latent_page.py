"""The Latent space page with AppTest on a real tiny run, and favourites on disk."""

import shutil

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gan_core.core.errors import UsageError
from gan_core.core.runs import Run
from gan_core.explore import favourites


def latent_page() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page("pages/latent.py")
    return at.run()


def test_no_generator_yet_points_to_train(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(tmp_path / "c"))
    at = latent_page()
    assert not at.exception and "No run has a saved generator yet" in " ".join(i.value for i in at.info)


def test_morph_pick_and_favourite(tiny_dirs):
    at = latent_page()
    assert not at.exception
    images = at.get("image")
    assert len(images) >= 8 + 1 + 2, "fresh samples, the strip and the per-epoch rows"
    next(b for b in at.button if b.key == "pick_b_5").click().run()
    assert at.number_input(key="lat_b").value == 5
    assert any("seed 1 → seed 5" in img.proto.imgs[0].caption for img in at.get("image") if img.proto.imgs)
    at.text_input[0].set_value("my face")
    next(b for b in at.button if b.label == "Save favourite").click().run()
    assert not at.exception
    saved = favourites.load(Run("tiny"))
    assert list(saved) == ["my face"] and saved["my face"].shape == (100,)


def test_favourites_round_trip_and_bad_names(tiny_dirs):
    run = Run("tiny")
    z = np.arange(100, dtype=np.float32) / 100
    favourites.save(run, "smile", z)
    assert np.allclose(favourites.load(run)["smile"], z, atol=1e-6)
    with pytest.raises(UsageError):
        favourites.save(run, "../evil", z)
    favourites.remove(run, "smile")
    assert favourites.load(run) == {}


def test_morph_on_to_a_third_sample(tiny_dirs):
    at = latent_page()
    at.toggle(key="lat_use_c").set_value(True).run()
    assert not at.exception
    captions = [img.proto.imgs[0].caption for img in at.get("image") if img.proto.imgs]
    assert any("seed 1 → seed 2 → seed 3" in c for c in captions)


def test_generator_cache_is_bounded(tiny_dirs):
    from gan_core.models import saved

    run = Run("tiny")
    for e in range(2, 12):  # ten more saved epochs (copies of a real generator's weights)
        shutil.copy(run.generator_file(1), run.generator_file(e))
    saved._load.cache_clear()
    for e in run.weight_epochs():
        saved.load_generator(run, e)
    info = saved._load.cache_info()
    assert info.misses == 12 and info.currsize == info.maxsize == 8


def test_a_training_run_opens_on_a_generator_it_keeps_and_survives_its_replacement(tiny_dirs):
    """While a run trains, its newest generator lives one epoch (a room of thirty found every visit failing on
    it): the page starts on the newest kept one, and a picked generator that vanishes falls back, no error."""
    import json
    import os

    run = Run("tiny")
    config = json.loads(run.config_file.read_text())
    run.config_file.write_text(json.dumps({**config, "save_every": 2}))
    for epoch in (2, 3):  # as a trainer at epoch 3 leaves them: 0, 2 kept; 3 the newest, gone at epoch 4
        shutil.copy(run.generator_file(1), run.generator_file(epoch))
    run.generator_file(1).unlink()
    status = json.loads(run.status_file.read_text())
    run.status_file.write_text(json.dumps({**status, "state": "running", "pid": os.getpid(), "epoch": 3}))
    at = latent_page()
    slider = at.select_slider(key="lat_epoch_tiny")
    assert not at.exception and slider.value == 2 and list(slider.options) == ["0", "2", "3"]
    slider.set_value(3).run()
    assert at.select_slider(key="lat_epoch_tiny").value == 3
    run.generator_file(3).unlink()  # the trainer finished epoch 4 (kept) and dropped epoch 3's
    shutil.copy(run.generator_file(2), run.generator_file(4))
    at.run()
    assert not at.exception and not at.error
    assert at.select_slider(key="lat_epoch_tiny").value == 4

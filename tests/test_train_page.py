"""The Train page with AppTest: watching runs, starting one for real, and the facilitator lock."""

import time

import pytest
from helpers import read_json, wait_for
from streamlit.testing.v1 import AppTest

from gan_core.core.runs import Run
from gan_core.datasets.build import build
from gan_core.training.time_box import seconds_from_iso


@pytest.fixture
def dirs(tiny_dirs, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    return tiny_dirs


def train_page() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/train.py")
    return at.run()


def filled_form(run: str, *, epochs: int, width: int) -> AppTest:
    """The new-run form with a small run's settings (batch 32), ready for a start button."""
    at = train_page()
    at.segmented_control(key="train_mode").set_value("Start a new run").run()
    at.text_input[0].set_value(run)
    form = {n.label: n for n in at.number_input}
    form["Epochs"].set_value(epochs)
    form["Batch size"].set_value(32)
    form["Network width"].set_value(width)
    return at


def labels(at) -> list[str]:
    return [b.label for b in at.button]


def text(at) -> str:
    return " ".join(str(m.value) for m in [*at.markdown, *at.caption, *at.info, *at.error, *at.warning])


def test_watches_the_finished_run_with_its_controls(dirs):
    at = train_page()
    assert not at.exception
    assert at.selectbox(key="train_run").value == "tiny"
    assert "finished" in text(at) and "epoch 1 of 1" in " ".join(p.proto.text for p in at.get("progress"))
    assert {"Resume", "Train again with changes", "Yes, delete it"} <= set(labels(at))
    assert at.get("image"), "the newest sample grid is shown"
    assert "per epoch on CPU" in text(at) and "one replica" in text(at)


def test_no_dataset_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(tmp_path / "none-runs"))
    at = train_page()
    assert not at.exception
    assert "no dataset yet" in text(at) and "Start training" not in labels(at)
    assert any("gan_core.datasets build cartoon-faces" in c.value for c in at.code)


def test_start_training_launches_a_real_trainer(dirs):
    at = filled_form("from-page", epochs=2, width=16)
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="train_run").value == "from-page"
    run = Run("from-page")
    wait_for(lambda: run.status().get("state") == "finished", 180, "the run started from the page to finish")
    config = read_json(run.config_file)
    assert (config["epochs"], config["batch_size"], config["width"], config["resolution"]) == (2, 32, 16, 32)


def test_train_both_families_queues_the_pair_and_the_epochs_page_compares_them(dirs, monkeypatch):
    """One click: the same data, size, epochs and seed with each family (its own learning rates), one after
    the other; the Train page links the pair and the Epochs page opens its compare view on it."""
    from gan_core import models

    monkeypatch.setenv("GAN_MAX_RUNNING", "1")
    at = filled_form("pair", epochs=1, width=8)
    next(b for b in at.button if b.label == "Train both families").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    names = [f"pair-{family}" for family in models.names()]
    assert at.selectbox(key="train_run").value == names[0]
    for name in names:
        wait_for(lambda name=name: Run(name).status().get("state") == "finished", 300, f"{name} to finish")
    configs = [read_json(Run(name).config_file) for name in names]
    assert [c["arch"] for c in configs] == models.names()
    for c in configs:
        assert (c["epochs"], c["batch_size"], c["width"], c["seed"]) == (1, 32, 8, 0)
        assert c["latent_dim"] == models.get(c["arch"]).defaults["latent_dim"]  # each family's own recipe
    first, second = (Run(name).status() for name in names[:2])
    assert second["started"] >= first["finished"]  # queued one after the other

    at = train_page()  # the Train page links the pair ...
    at.selectbox(key="train_run").set_value(names[0]).run()
    links = [link for link in at.get("page_link") if "Compare with" in link.proto.label]
    assert links and names[1] in links[0].proto.label
    epochs = AppTest.from_file("../app.py", default_timeout=60)  # ... and the Epochs page opens on it
    epochs.switch_page("pages/epochs.py")
    epochs.query_params["run"] = names[0]
    epochs.query_params["compare"] = names[1]
    epochs.run()
    assert not epochs.exception
    assert epochs.selectbox(key="epochs_other").value == names[1]
    captions = " ".join(c.value for c in epochs.caption)
    assert all(models.get(c["arch"]).title in captions for c in configs)


def test_train_again_with_changes_prefills_the_form(dirs):
    at = train_page()
    next(b for b in at.button if b.label == "Train again with changes").click().run()
    assert at.segmented_control(key="train_mode").value == "Start a new run"
    assert at.text_input[0].value == "tiny-2"
    assert {n.label: n.value for n in at.number_input}["Batch size"] == 32


def test_a_link_naming_a_dataset_opens_the_form_on_it(dirs):
    build("doodle-ducks", count=16, resolution=32)
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/train.py")
    at.query_params["dataset"] = "doodle-ducks"
    at.run()
    assert at.segmented_control(key="train_mode").value == "Start a new run"
    assert at.selectbox[0].label == "Dataset" and at.selectbox[0].value == "doodle-ducks"


def test_locked_page_is_read_only_until_the_passcode(dirs, monkeypatch):
    monkeypatch.setenv("GAN_FACILITATOR_PASSCODE", "ducks")
    at = train_page()
    assert not at.exception
    assert "Read-only" in text(at)
    assert not {"Resume", "Stop", "Yes, delete it", "Train again with changes"} & set(labels(at))
    at.segmented_control(key="train_mode").set_value("Start a new run").run()
    assert "Only the facilitator can start training" in text(at) and "Start training" not in labels(at)

    at.sidebar.text_input[0].set_value("geese")
    next(b for b in at.sidebar.button if b.label == "Unlock").click().run()
    assert "not right" in text(at) + " ".join(e.value for e in at.sidebar.error)
    at.sidebar.text_input[0].set_value("ducks")
    next(b for b in at.sidebar.button if b.label == "Unlock").click().run()
    assert "Start training" in labels(at)


def test_locked_home_page_has_the_unlock_form(dirs, monkeypatch):
    monkeypatch.setenv("GAN_FACILITATOR_PASSCODE", "ducks")
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not at.exception
    assert any(t.label == "Facilitator passcode" for t in at.sidebar.text_input)


def test_home_quick_demo_builds_the_faces_and_starts_training(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "datasets"))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(tmp_path / "checkpoints"))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    next(b for b in at.button if b.label == "Start the quick demo").click().run()
    assert not at.exception
    run = Run("faces-demo")
    try:
        assert run.status()["state"] in ("queued", "running")
        from gan_core.datasets.store import open_dataset

        assert open_dataset("cartoon-faces").count == 2000
    finally:
        run.request_stop()
        wait_for(lambda: run.status().get("state") in ("stopped", "finished", "failed"), 120, "the demo to stop")
    config = read_json(run.config_file) if run.config_file.exists() else {}
    assert not config or (config["resolution"], config["max_images"]) == (32, 2000)


def test_locked_home_has_no_quick_demo_button(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "datasets"))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("GAN_FACILITATOR_PASSCODE", "ducks")
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not at.exception and "Start the quick demo" not in labels(at)


def test_the_family_starts_on_the_one_measured_best_for_the_data_and_preset(dirs):
    """DCGAN at 32 px; the small-data family for a few hundred images at 64 px (benchmarks/LOG.md)."""
    from gan_core import models

    at = train_page()
    at.segmented_control(key="train_mode").set_value("Start a new run").run()
    assert at.radio(key="train_arch").value == "dcgan"  # 64 faces, the Quick demo's 32 px
    assert "Measured best here: **DCGAN" in text(at)
    next(r for r in at.radio if r.label == "Preset").set_value("Workshop").run()
    assert at.radio(key="train_arch").value == "sngan-da"  # 64 images at the Workshop's 64 px
    assert "2,000 cartoon faces" in text(at)
    at.radio(key="train_arch").set_value("dcgan").run()  # the person's own choice stays
    assert at.radio(key="train_arch").value == "dcgan" and not at.exception
    assert models.recommended(2000, 64)[0] == "sngan-da" and models.recommended(500, 128)[0] == "sngan-da"
    assert models.recommended(2000, 32)[0] == "dcgan" and models.recommended(200, 32)[0] == "dcgan"


def test_a_time_limit_from_the_page_stops_the_run_by_itself(dirs):
    at = filled_form("boxed-page", epochs=100_000, width=8)  # more than any CPU trains in the minutes below
    at.radio(key="train_stop_after").set_value("a time limit (minutes)").run()
    at.number_input(key="train_minutes").set_value(0.1).run()  # the page's smallest time limit
    assert at.number_input(key="train_minutes").min == 0.1 and not at.exception
    assert "Stops after **0.1 minutes**" in text(at)
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    run = Run("boxed-page")
    wait_for(lambda: run.status().get("deadline"), 60, "the trainer to write its deadline")
    wait_for(lambda: run.status().get("state") == "stopped", 240, "the time-boxed run to stop by itself")
    status = run.status()
    assert status["stopped_by"] == "time" and 1 <= status["epoch"] < 100_000
    at = train_page()
    assert "Its time was up: stopped at the end of epoch" in text(at)

    at.number_input(key="box-boxed-page").set_value(0.1)  # resumed with a new time limit
    next(b for b in at.button if b.label == "Resume").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    wait_for(lambda: run.status().get("state") == "running", 60, "the resumed run to start")
    wait_for(lambda: run.status().get("state") == "stopped", 240, "the resumed run to stop by itself again")
    assert run.status()["stopped_by"] == "time" and status["epoch"] < run.status()["epoch"] < 100_000


def test_a_clock_time_from_the_page_is_passed_to_the_trainer(dirs):
    import datetime as dt

    at = filled_form("clock-page", epochs=1, width=8)
    at.radio(key="train_stop_after").set_value("at a clock time").run()
    at.time_input(key="train_until").set_value(dt.time(23, 59)).run()
    assert "Stops after **the epoch in progress at 23:59**" in text(at)
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    run = Run("clock-page")
    wait_for(lambda: run.status().get("state") == "finished", 180, "the one-epoch run to finish")
    deadline = seconds_from_iso(run.status()["deadline"])  # set only when the trainer was given a time box
    assert time.strftime("%H:%M", time.localtime(deadline)) == "23:59"


def test_the_cloud_offer_bundles_the_notebook_filled_in_with_the_chosen_run(dirs):
    import io
    import json
    import zipfile

    import nbformat

    from gan_core.cloud.notebook import parameters_cell

    at = filled_form("cloudy", epochs=400, width=16)
    at.radio(key="train_stop_after").set_value("a time limit (minutes)").run()
    at.number_input(key="train_minutes").set_value(45.0).run()
    gpu_minutes = next(n for n in at.number_input if n.label == "Time limit on the GPU (minutes)")
    assert gpu_minutes.value == 45.0  # the page's time limit, for the GPU too
    assert "Colab" in text(at) and "Run all" in text(at)
    next(b for b in at.button if b.label == "Make the bundle").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.get("download_button"), "the bundle is offered for download"
    with zipfile.ZipFile(io.BytesIO(at.session_state["train_cloud_bundle"][1])) as z:
        names = z.namelist()
        notebook = nbformat.reads(z.read("train_on_gpu.ipynb").decode(), as_version=4)
        assert "gan-explorer.json" in zipfile.ZipFile(io.BytesIO(z.read("cartoon-faces.dataset.zip"))).namelist()
        wheels = [n for n in names if n.startswith("gan_explorer-") and n.endswith(".whl")]
        assert len(wheels) == 1 and "gan_core/cloud/train_on_gpu.ipynb" in zipfile.ZipFile(
            io.BytesIO(z.read(wheels[0]))).namelist()
    assert {"train_on_gpu.ipynb", "cartoon-faces.dataset.zip", "HOW-TO.txt"} <= set(names)
    values = {}
    exec(parameters_cell(notebook).source, values)
    assert (values["DATA"], values["DATASET"], values["RUN"], values["MINUTES"]) == (
        "cartoon-faces.dataset.zip", "cartoon-faces", "cloudy", 45.0)
    settings = values["SETTINGS"]
    assert (settings["epochs"], settings["width"], settings["batch_size"], settings["resolution"]) == (400, 16, 32, 32)
    assert "dataset" not in settings and "run" not in settings
    json.dumps(settings)  # plain values the notebook turns into trainer flags

"""The Training Curves page under AppTest: no runs, the real tiny run, a flagged run, overlay, and scoring.

The flagged run is the tiny run's directory with its logs rewritten to tell a known story: six healthy
epochs, then the discriminator wins (D loss ~0, G loss climbing) for four, epochs 9-10 flagged diverging
and epochs 8-9 collapsed, as the trainer writes them.
"""

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.common import TRAIN_DEMO

ROOT = Path(__file__).resolve().parents[1]
STEPS_PER_EPOCH = 8


def make_flagged_run(tiny_run: dict, checkpoints: Path, name: str = "flagged") -> Path:
    """A copy of the tiny run whose logs say: diverging from epoch 7, collapsed at epochs 8 and 9."""
    dst = checkpoints / name
    shutil.copytree(tiny_run["checkpoints_dir"] / tiny_run["run"], dst)
    config = json.loads((dst / "config.json").read_text())
    config.update(run=name, epochs=10, steps_per_epoch=STEPS_PER_EPOCH, save_every=1)
    (dst / "config.json").write_text(json.dumps(config))
    status = json.loads((dst / "status.json").read_text())
    status.update(state="finished", epoch=10, epochs=10, step=10 * STEPS_PER_EPOCH, steps_per_epoch=STEPS_PER_EPOCH)
    (dst / "status.json").write_text(json.dumps(status))
    metrics, epochs = [], []
    for k in range(1, 41):  # a row every 2 steps
        step, epoch = 2 * k, (2 * k - 1) // STEPS_PER_EPOCH + 1
        bad = epoch >= 7
        g, d = (5.0 + 0.3 * k, 0.002) if bad else (1.2 + 0.02 * k, 0.9)
        metrics.append({"step": step, "epoch": epoch, "g_loss": g, "d_loss": d, "d_real": 0.99 if bad else 0.7,
                        "d_fake": 0.01 if bad else 0.3, "images_per_sec": 100.0})
    for e in range(1, 11):
        rows = [m for m in metrics if m["epoch"] == e]
        flags = (["mode_collapse"] if e in (8, 9) else []) + (["diverging"] if e >= 9 else [])
        diversity = 0.1 if e in (8, 9) else 0.6
        epochs.append({"epoch": e, "step": e * STEPS_PER_EPOCH, "g_loss": rows[-1]["g_loss"],
                       "d_loss": rows[-1]["d_loss"], "d_real": 0.8, "d_fake": 0.2, "diversity": diversity,
                       "precision": 0.5, "recall": 0.1, "ms_ssim": 0.5, "near_duplicates": 0.0, "flags": flags,
                       "seconds": 1.0, "images_per_sec": 100.0, "score_seconds": 0.1})
    (dst / "metrics.jsonl").write_text("".join(json.dumps(m) + "\n" for m in metrics))
    (dst / "epochs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in epochs))
    grid = dst / "samples" / "epoch_0001.png"
    for e in range(2, 11):
        shutil.copy(grid, dst / "samples" / f"epoch_{e:04d}.png")
    weights = dst / "weights" / "generator_epoch_0001.weights.h5"
    for e in (5, 6):
        shutil.copy(weights, dst / "weights" / f"generator_epoch_{e:04d}.weights.h5")
    return dst


def curves_page(**query) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/curves.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at) -> str:
    parts = [*at.markdown, *at.info, *at.warning, *at.error, *at.success, *at.caption, *at.code]
    return "\n".join(str(p.value) for p in parts).replace("\\", "")


def figure(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def values(array) -> list:
    """A trace's x or y as a list: plotly sends numpy arrays as base64 typed arrays."""
    if isinstance(array, dict) and "bdata" in array:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def trace_names(at) -> list[str]:
    return [t.get("name") for t in figure(at)["data"] if t.get("name")]


@pytest.fixture
def two_runs(tiny_run, tmp_path, monkeypatch):
    """The tiny run and the flagged copy, in a checkpoints folder of their own."""
    checkpoints = tmp_path / "checkpoints"
    shutil.copytree(tiny_run["checkpoints_dir"] / tiny_run["run"], checkpoints / tiny_run["run"])
    make_flagged_run(tiny_run, checkpoints)
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(checkpoints))
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tiny_run["datasets_dir"]))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    return checkpoints


def test_no_runs_says_what_to_do(empty_dirs):
    at = curves_page()
    assert [t.value for t in at.title] == ["Training curves"]
    assert any("No training runs yet" in i.value for i in at.info)
    assert any(TRAIN_DEMO in c.value for c in at.code)
    links = {link.proto.label: link.proto.page for link in at.get("page_link")}
    assert links.get("Go to the Train page") == "train", links
    assert not at.get("plotly_chart")


def test_the_tiny_run(tiny_run_env):
    at = curves_page()
    assert at.multiselect(key="curves_runs").value == [tiny_run_env["run"]]
    names = trace_names(at)
    for label in ("G loss", "D loss", "D(x) on real", "D(G(z)) on generated", "diversity", "precision", "recall",
                  "density", "coverage", "KID, distance to the real pictures"):
        assert label in names, names
    titles = [a["text"] for a in figure(at)["layout"]["annotations"]]
    assert "Distance to the real pictures (KID; lower = closer to them)" in titles, titles
    kid = next(t for t in figure(at)["data"] if t.get("name") == "KID, distance to the real pictures")
    assert figure(at)["layout"]["yaxis4"]["type"] == "log" and min(values(kid["y"])) >= 1e-3
    assert "No warning signs in **tiny**" in texts(at)
    alts = [img.alt for element in at.get("image") for img in element.proto.imgs]
    assert f"Samples of {tiny_run_env['run']} at epoch 1" in alts, alts
    assert [b.proto.label for b in at.get("download_button")] == ["Download steps (CSV)", "Download epochs (CSV)"]
    fig = figure(at)
    assert fig["layout"]["font"]["size"] >= 18  # readable on a projector


def test_controls_redraw_the_chart(tiny_run_env):
    at = curves_page()
    at.toggle(key="curves_log").set_value(True).run()
    assert figure(at)["layout"]["yaxis"]["type"] == "log"
    at.radio(key="curves_x").set_value("images").run()
    layout = figure(at)["layout"]
    bottom = max((k for k in layout if k.startswith("xaxis")), key=lambda k: int(k[5:] or 1))
    assert bottom == "xaxis4" and layout[bottom]["title"]["text"] == "images seen"  # losses, D, scores, KID
    last_step = json.loads((tiny_run_env["checkpoints_dir"] / "tiny" / "status.json").read_text())["step"]
    assert values(figure(at)["data"][0]["x"])[-1] == last_step * 32  # images seen = step x batch size
    at.slider(key="curves_smoothing").set_value(1).run()
    at.toggle(key="curves_scores").set_value(False).run()
    assert not at.exception
    assert "diversity" not in trace_names(at)


def test_flags_show_as_banners_markers_and_on_the_slider(two_runs):
    at = curves_page(run="flagged")
    assert at.multiselect(key="curves_runs").value == ["flagged"]
    text = texts(at)
    assert "Training diverged** in **flagged**" in text and "What to try:" in text, text
    assert "Mode collapse** in **flagged** at epochs 8–9" in text, text
    assert "nearly all alike" in text
    assert "last generator saved before the trouble is from **epoch 6**" in text
    assert sum("--run flagged-calmer" in c.value for c in at.code) == 1  # one command for both flags
    assert any("--lr-d 0.0001" in c.value and "--run flagged-calmer" in c.value for c in at.code)
    names = trace_names(at)
    assert "Training diverged" in names and "Mode collapse" in names, names
    # its epoch rows predate density, coverage and KID: the scores it has are drawn, no empty KID panel
    assert "precision" in names and "density" not in names and "KID, distance to the real pictures" not in names
    assert not any(k == "xaxis4" for k in figure(at)["layout"]), "an old run got a KID panel"
    diverged = next(t for t in figure(at)["data"] if t.get("name") == "Training diverged")
    assert diverged["customdata"][0][0] >= 8  # flagged once the stretch has lasted two epochs
    slider = at.select_slider(key="curves_epoch")
    assert slider.format_func(8).startswith("8 ⚠")
    slider.set_value(8).run()
    captions = [img.caption for element in at.get("image") for img in element.proto.imgs]
    assert any("flagged · epoch 8" in c and "Mode collapse" in c for c in captions), captions


def test_two_runs_overlaid_and_the_csv(two_runs):
    at = curves_page()
    at.multiselect(key="curves_runs").set_value(["tiny", "flagged"]).run()
    names = trace_names(at)
    assert "tiny · G loss" in names and "flagged · G loss" in names, names
    assert len([img for element in at.get("image") for img in element.proto.imgs]) == 2
    from ui.curves import epochs_csv, load_curves, steps_csv

    runs = [load_curves("tiny"), load_curves("flagged")]
    steps = steps_csv(runs, 5).decode().splitlines()
    assert steps[0].startswith("run,step,epoch,images_seen,g_loss,d_loss,d_real,d_fake")
    assert sum(line.startswith("flagged,") for line in steps) == 40
    epochs = epochs_csv(runs).decode().splitlines()
    assert any(line.startswith("flagged,9,") and line.endswith("mode_collapse;diverging") for line in epochs)


def test_score_an_epoch_now(tiny_run_env):
    at = curves_page()
    at.selectbox(key="curves_score_epoch").set_value(1)
    at.button(key="curves_score_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert labels == ["Diversity", "Precision", "Recall", "Near-twins", "KID", "Density", "Coverage"], labels
    assert any("warm-up" in i.value or "No sign" in str(i.value) for i in [*at.info, *at.success])


def test_sparkline_and_smoothing_for_other_pages(two_runs):
    """The Train page's live panel uses these: small G/D losses with the flags on them."""
    import numpy as np

    from ui.curves import load_curves, smooth, sparkline

    fig = sparkline(load_curves("flagged"))
    names = [t.name for t in fig.data if t.name]
    assert names == ["G loss", "D loss", "Mode collapse", "Training diverged"], names
    assert fig.layout.height <= 240
    assert np.allclose(smooth(np.array([1.0, 3.0, 5.0, 7.0]), 2), [1.0, 2.0, 4.0, 6.0])
    assert np.allclose(smooth(np.array([1.0, np.nan, 3.0]), 2), [1.0, 1.0, 3.0])  # NaN skipped, not spread


def test_the_curves_figure_is_built_once_for_everyone_until_the_logs_change(tiny_dirs):
    """A room of thirty watching one run shares one figure; a new log row gives a new one."""
    from ui.curves import curves_figure, load_curves, shared_curves_figure

    options = dict(x_mode="epoch", smoothing=5, log_y=False, show_scores=True, selected_epoch=1)
    first = shared_curves_figure([load_curves("tiny")], **options)
    assert shared_curves_figure([load_curves("tiny")], **options) is first
    assert first.to_json() == curves_figure([load_curves("tiny")], **options).to_json()
    assert shared_curves_figure([load_curves("tiny")], **{**options, "selected_epoch": 0}) is not first
    metrics = tiny_dirs["checkpoints"] / "tiny" / "metrics.jsonl"
    last = json.loads(metrics.read_text().splitlines()[-1])
    with metrics.open("a") as f:
        f.write(json.dumps({**last, "step": last["step"] + 1, "g_loss": 9.0}) + "\n")
    again = shared_curves_figure([load_curves("tiny")], **options)
    assert again is not first
    assert any(9.0 in list(trace.y) for trace in again.data if trace.y is not None), "the new row is drawn"

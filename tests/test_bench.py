"""`python -m gan_core.bench --quick`: runs end to end and reports every figure for every GAN family (values are
not checked)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from gan_core import models

ROOT = Path(__file__).resolve().parents[1]


def test_quick_bench_json(tmp_path):
    out = tmp_path / "bench.json"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-m", "gan_core.bench", "--quick", "--json", "--resolutions", "32", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout)
    assert json.loads(out.read_text()) == data
    assert data["machine"]["tensorflow"] and data["machine"]["device"]
    assert data["machine"]["numpy_sgemm_gflops"] > 1  # the yardstick for achieved GFLOP/s
    assert "G + 2 x D" in data["flops_formula"]
    assert data["settings"]["quick"] and data["settings"]["width"] == 16  # every figure, on narrow networks
    assert [r["arch"] for r in data["results"]] == models.names()  # one row per family, engine vs its own step
    for result in data["results"]:
        assert result["resolution"] == 32 and result["width"] == 16 and result["engine"]["epochs"] == 2
        for name in ("bare_xla", "bare_no_xla", "bare_loop", "engine"):
            assert result[name]["images_per_sec"] > 0, name
        assert result["engine"]["fit_only_images_per_sec"] > 0
        flops = result["flops"]
        assert flops["generator_forward"] > 0 and flops["discriminator_forward"] > 0
        assert flops["train_step_per_image"] == 3 * (flops["generator_forward"] + 2 * flops["discriminator_forward"])
        assert result["achieved_gflops"]["bare_xla"] > 0
        assert result["ratios"]["engine_over_bare_same_mode"] > 0 and result["ratios"]["xla_over_no_xla"] > 0
        engine, loop = result["engine"]["images_per_sec"], result["bare_loop"]["images_per_sec"]
        assert result["ratios"]["engine_over_fastest_bare"] <= engine / loop + 1e-9  # the looped step counts too


def test_sweep_measures_each_setting_in_its_own_process():
    """Each setting really reaches its child TensorFlow (threads read back), the rounds run forwards then
    backwards, and a setting that cannot run is reported in one line while the others are still measured.
    (Two settings in the sweep, and one more child on its own: every child starts TensorFlow, ~5 s each.)"""
    from gan_core.bench.step_sweep import Setting, run_child, sweep

    settings = (Setting("defaults"), Setting("no such policy", policy="no_such_policy"))
    said = []
    result = sweep("dcgan", 32, said.append, settings=settings, rounds=2, windows=1, width=8, window_images=128)
    order = [line.split(", ", 1)[1].split(" (round")[0].split(": failed")[0] for line in said]
    assert order == ["defaults", "no such policy", "no such policy", "defaults"]
    defaults, broken = result["rows"]
    assert defaults["xla"] > 0 and defaults["plain"] > 0 and len(defaults["xla_windows"]) == 2
    assert defaults["fastest_over_defaults"] == 1.0
    assert broken["xla"] is None and broken["plain"] is None and broken["fastest_over_defaults"] is None
    assert len(broken["errors"]) == 2 and all("\n" not in e and e for e in broken["errors"])
    assert any("failed" in line and "no such policy" in line for line in said)

    one_thread = run_child(Setting("one intra-op thread", intra_op=1), "dcgan", 32, 1, width=8, window_images=128)
    assert one_thread["threads"][0] == 1 and defaults["threads"][0] != 1
    assert one_thread["xla"][0] > 0 and one_thread["plain"][0] > 0

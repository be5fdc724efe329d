"""The training engine, end to end through its command line: real tiny DCGANs on a real built-in dataset."""

import json
import os
import signal
import time

import numpy as np
import pytest
from helpers import assert_one_line_error, cli, generate_here, pixels, popen, read_json, read_jsonl, wait_for

TRAIN = "gan_core.train"
SMALL = ["--resolution", "32", "--batch-size", "32", "--save-every", "2", "--width", "16"]


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine")
    d = {"datasets": root / "datasets", "checkpoints": root / "checkpoints"}
    cli(d, "gan_core.datasets", "build", "cartoon-faces", "--count", "160", "--resolution", "32")
    return d


@pytest.fixture(scope="module")
def trained(dirs):
    """One run: 3 epochs, then resumed to 5."""
    cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "base", "--epochs", "3", "--seed", "5", *SMALL)
    run = dirs["checkpoints"] / "base"
    first = {"metrics": read_jsonl(run / "metrics.jsonl"), "status": read_json(run / "status.json")}
    cli(dirs, TRAIN, "--run", "base", "--resume", "--epochs", "5")
    return run, first


def test_run_directory_contract(trained):
    run, first = trained
    assert first["status"]["state"] == "finished" and first["status"]["epoch"] == 3
    config = read_json(run / "config.json")
    for key in ("dataset", "dataset_fingerprint", "versions", "device", "lr_g", "lr_d", "latent_dim", "seed"):
        assert key in config, key
    assert config["dataset"] == "cartoon-faces" and config["resolution"] == 32

    status = read_json(run / "status.json")
    assert status["state"] == "finished" and status["epoch"] == 5 and status["epochs"] == 5
    assert status["step"] == 5 * config["steps_per_epoch"]

    metrics = read_jsonl(run / "metrics.jsonl")
    assert {"step", "epoch", "g_loss", "d_loss", "d_real", "d_fake", "images_per_sec"} <= set(metrics[0])
    steps = [r["step"] for r in metrics]
    assert steps == sorted(set(steps)) and steps[-1] == status["step"]
    assert all(0 <= r["d_real"] <= 1 and 0 <= r["d_fake"] <= 1 for r in metrics)

    epochs = read_jsonl(run / "epochs.jsonl")
    assert [r["epoch"] for r in epochs] == [1, 2, 3, 4, 5]
    assert all(np.isfinite(r["g_loss"]) and "diversity" in r and r["flags"] == [] for r in epochs)

    grids = [pixels(run / "samples" / f"epoch_{e:04d}.png") for e in range(6)]
    side = config["grid_side"]
    assert grids[0].shape == (side * 32 + (side + 1) * 2,) * 2 + (3,)
    assert not np.array_equal(grids[0], grids[5]), "the generator did not change"
    # every --save-every epoch, epoch 0 and the last keep generator weights
    kept = sorted(p.name for p in (run / "weights").glob("*.weights.h5"))
    assert kept == [f"generator_epoch_{e:04d}.weights.h5" for e in (0, 2, 3, 4, 5)], kept


def test_resume_continues_the_step_count(trained):
    run, first = trained
    before = first["metrics"][-1]["step"]
    after = [r["step"] for r in read_jsonl(run / "metrics.jsonl") if r["epoch"] > 3]
    assert after and min(after) > before


def test_generate_is_deterministic(dirs, trained, tmp_path, monkeypatch):
    """The same seed drawn by the command line (its own process) and in this process makes the same pictures."""
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    cli(dirs, "gan_core.generate", "base", "--epoch", "4", "--count", "5", "--seed", "7", "--out", a)
    generate_here(dirs, monkeypatch, "base", "--epoch", "4", "--count", "5", "--seed", "7", "--out", b)
    generate_here(dirs, monkeypatch, "base", "--count", "5", "--seed", "8", "--out", c)
    files_a, files_b = sorted(a.glob("*.png")), sorted(b.glob("*.png"))
    assert len(files_a) == 5 and all(pixels(f).shape == (32, 32, 3) for f in files_a)
    assert all(np.array_equal(pixels(x), pixels(y)) for x, y in zip(files_a, files_b, strict=True))
    assert len(set(pixels(f).tobytes() for f in files_a)) == 5, "five seeds' samples should differ"
    assert "e0005" in sorted(c.glob("*.png"))[0].name, "default epoch is the latest"
    assert not np.array_equal(pixels(files_a[0]), pixels(sorted(c.glob("*.png"))[0]))


def test_same_seed_same_epoch0_grid(dirs):
    for name, seed in (("seed-a", 11), ("seed-b", 11), ("seed-c", 12)):
        cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", name, "--epochs", "1", "--seed", seed, *SMALL)
    grid = {n: pixels(dirs["checkpoints"] / n / "samples" / "epoch_0000.png") for n in ("seed-a", "seed-b", "seed-c")}
    assert np.array_equal(grid["seed-a"], grid["seed-b"])
    assert not np.array_equal(grid["seed-a"], grid["seed-c"])


@pytest.mark.parametrize("how", ["request-file", "sigterm"])
def test_stop_request_ends_cleanly_and_resumes(dirs, how):
    name = f"stop-{how}"
    run = dirs["checkpoints"] / name
    p = popen(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", name, "--epochs", "200", *SMALL)
    try:
        wait_for(lambda: (run / "samples" / "epoch_0001.png").exists(), 180, "epoch 1")
        if how == "sigterm":
            os.kill(p.pid, signal.SIGTERM)
        else:
            (run / "stop.request").write_text("please")
        assert p.wait(timeout=120) == 0, p.stderr.read()
    finally:
        if p.poll() is None:
            p.kill()
    status = read_json(run / "status.json")
    assert status["state"] == "stopped" and status["error"] is None
    assert not (run / "stop.request").exists()
    latest = read_json(run / "state" / "latest.json")
    assert latest["step"] == status["step"] and (run / "state" / latest["file"]).exists()
    cli(dirs, TRAIN, "--run", name, "--resume", "--epochs", status["epoch"] + 1)
    resumed = read_json(run / "status.json")
    assert resumed["state"] == "finished" and resumed["step"] > status["step"]


def test_kill_9_then_resume_loses_at_most_the_unfinished_epoch(dirs):
    run = dirs["checkpoints"] / "killed"
    p = popen(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "killed", "--epochs", "200", *SMALL)
    try:
        wait_for(lambda: (run / "samples" / "epoch_0002.png").exists(), 180, "epoch 2")
        time.sleep(0.7)  # somewhere in a later epoch, maybe mid-checkpoint
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    saved = read_json(run / "state" / "latest.json")["epoch"]
    assert read_json(run / "status.json")["state"] == "running"
    cli(dirs, "gan_core.datasets", "list")  # any reader works on the killed run's folder
    cli(dirs, TRAIN, "--run", "killed", "--resume", "--epochs", saved + 1)
    epochs = [r["epoch"] for r in read_jsonl(run / "epochs.jsonl")]
    assert epochs == list(range(1, saved + 2)), epochs
    steps = [r["step"] for r in read_jsonl(run / "metrics.jsonl")]
    assert steps == sorted(set(steps))
    assert all((run / "samples" / f"epoch_{e:04d}.png").exists() for e in range(saved + 2))


def test_nan_losses_fail_the_run_and_keep_the_last_good_checkpoint(dirs):
    # A real run whose input turns to NaN after its first epoch, as corrupt data would.
    script = """
import math, tensorflow as tf
from gan_core.training.trainer import Trainer, prepare
class Poisoned(Trainer):
    def _build(self):
        data = super()._build()
        spe = self.steps_per_epoch
        return data.enumerate().map(lambda i, x: x * tf.where(i >= spe, math.nan, 1.0))
cfg = prepare({"dataset": "cartoon-faces", "run": "nan", "epochs": 4, "resolution": 32, "batch_size": 32,
               "width": 16, "save_every": 1}, resume=False)
print(Poisoned(cfg).train()["state"])
"""
    import subprocess
    import sys

    from helpers import ROOT, cli_env

    p = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=cli_env(dirs), capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    run = dirs["checkpoints"] / "nan"
    status = read_json(run / "status.json")
    assert status["state"] == "failed" and "NaN" in status["error"] and "learning rate" in status["error"]
    assert status["epoch"] == 1
    assert [r["epoch"] for r in read_jsonl(run / "epochs.jsonl")] == [1]
    assert read_json(run / "state" / "latest.json")["epoch"] == 1
    assert not (run / "samples" / "epoch_0002.png").exists()


def test_mirrored_strategy_over_two_logical_cpus(dirs, tmp_path, monkeypatch):
    cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "mirrored", "--epochs", "2", *SMALL,
        GAN_LOGICAL_CPUS="2")
    run = dirs["checkpoints"] / "mirrored"
    config = read_json(run / "config.json")
    assert config["replicas"] == 2 and config["device"].startswith("2 x CPU")
    assert read_json(run / "status.json")["state"] == "finished"
    losses = [r["d_loss"] for r in read_jsonl(run / "metrics.jsonl")]
    assert all(np.isfinite(losses)) and len(set(losses)) > 1
    # the mirrored generator loads and generates on a single device
    generate_here(dirs, monkeypatch, "mirrored", "--count", "2", "--out", tmp_path)
    assert len(list(tmp_path.glob("*.png"))) == 2


def test_auto_precision_on_a_cpu_is_bfloat16_only_with_amx_and_onednn(monkeypatch):
    from gan_core.core.errors import UsageError
    from gan_core.training import device

    monkeypatch.setenv("GAN_CPU_BF16", "auto")
    for flags, onednn, expected in [({"avx2", "avx512f", "avx512_bf16", "amx_bf16"}, True, "mixed_bfloat16"),
                                    ({"avx2", "avx512f", "avx512_bf16"}, True, "float32"),  # emulated: no gain
                                    ({"avx2"}, False, "float32"),
                                    ({"amx_bf16"}, False, "float32")]:
        monkeypatch.setattr(device, "cpu_flags", lambda flags=flags: flags)
        monkeypatch.setattr(device.xla_probe, "onednn_on", lambda onednn=onednn: onednn)
        assert device.cpu_precision() == expected, (flags, onednn)
    monkeypatch.setattr(device, "cpu_flags", lambda: {"amx_bf16"})
    monkeypatch.setattr(device.xla_probe, "onednn_on", lambda: True)
    monkeypatch.setenv("GAN_CPU_BF16", "off")
    assert device.cpu_precision() == "float32"
    monkeypatch.setenv("GAN_CPU_BF16", "yes")
    with pytest.raises(UsageError, match="GAN_CPU_BF16 must be auto or off"):
        device.cpu_precision()


def test_a_bad_bf16_switch_is_one_line_and_writes_nothing(dirs):
    p = cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "bf", "--epochs", "1", *SMALL, check=False,
            GAN_CPU_BF16="yes")
    assert_one_line_error(p, "GAN_CPU_BF16 must be auto or off")
    assert not (dirs["checkpoints"] / "bf").exists()


@pytest.mark.parametrize("precision", ["mixed_float16", "mixed_bfloat16"])
def test_forced_mixed_precision_trains_and_generates(dirs, tmp_path, precision, monkeypatch):
    cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", precision, "--epochs", "1", "--precision",
        precision, *SMALL)
    run = dirs["checkpoints"] / precision
    assert precision in read_json(run / "config.json")["device"]
    assert read_json(run / "config.json")["precision_used"] == precision
    rows = read_jsonl(run / "metrics.jsonl")
    assert all(np.isfinite(r["g_loss"]) for r in rows)
    generate_here(dirs, monkeypatch, precision, "--count", "3", "--out", tmp_path)
    assert all(pixels(f).std() > 0 for f in tmp_path.glob("*.png"))


@pytest.mark.parametrize("args, fragments", [
    (["--dataset", "no-such-set", "--run", "x", "--epochs", "1"], ["no dataset named 'no-such-set'"]),
    (["--dataset", "cartoon-faces", "--run", "../evil", "--epochs", "1"], ["run name '../evil' is not allowed"]),
    (["--dataset", "cartoon-faces", "--run", "a/b", "--epochs", "1"], ["not allowed"]),
    (["--dataset", "cartoon-faces", "--run", "x", "--resolution", "48"], ["resolution 48 is not supported"]),
    (["--run", "never-made", "--resume"], ["no run named 'never-made'"]),
    (["--dataset", "cartoon-faces", "--run", "x", "--batch-size", "500"], ["fewer than one batch"]),
    (["--dataset", "cartoon-faces", "--run", "x", "--lr-g", "-1"], ["--lr-g"]),
    (["--run", "base", "--resume", "--lr-g", "0.1"], ["--resume continues a run with its own settings"]),
    (["--run", "x"], ["--dataset is required"]),
])
def test_bad_training_input_gets_one_clear_line(dirs, args, fragments):
    assert_one_line_error(cli(dirs, TRAIN, *args, check=False), *fragments)
    assert not (dirs["checkpoints"] / "x").exists()
    assert not (dirs["checkpoints"].parent / "evil").exists()


def test_bad_input_to_an_existing_run(dirs, trained):
    p = cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "base", "--epochs", "1", check=False)
    assert_one_line_error(p, "already exists")
    p = cli(dirs, TRAIN, "--run", "base", "--resume", "--epochs", "5", check=False)
    assert_one_line_error(p, "already trained 5 epochs")
    p = cli(dirs, "gan_core.generate", "base", "--epoch", "1", "--count", "2", "--out", dirs["checkpoints"] / "g",
            check=False)
    assert_one_line_error(p, "no generator saved at epoch 1")
    p = cli(dirs, "gan_core.generate", "nope", "--count", "2", "--out", dirs["checkpoints"] / "g", check=False)
    assert_one_line_error(p, "no run named 'nope'")
    assert json.loads((dirs["checkpoints"] / "base" / "status.json").read_text())["state"] == "finished"

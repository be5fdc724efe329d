"""Two real workers on 127.0.0.1 under MultiWorkerMirroredStrategy: train, resume, stop together.

Each worker is `python -m gan_core.train` with a `TF_CONFIG` naming both loopback ports, as on two hosts.
Only the chief writes the run directory (one row per epoch and per logged step, the chief's pid in the
status); the other worker works in a scratch copy that is gone when it ends; a stop request to the run
stops both at the same step.
"""

import json
import shutil
import subprocess
import sys
import time

import pytest
from conftest import ROOT
from helpers import cli_env, read_json, read_jsonl, wait_for

from gan_core.core.atomic import read_json as read_status_file
from scripts.served_app import free_port

TINY = ("--resolution", "32", "--batch-size", "16", "--width", "8", "--latent-dim", "16", "--save-every", "1")


@pytest.fixture
def cluster_dirs(tiny_run, tmp_path):
    d = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints", "scratch": tmp_path / "scratch"}
    shutil.copytree(tiny_run["datasets_dir"], d["datasets"])
    d["scratch"].mkdir()
    return d


def read_status(run) -> dict:
    return read_status_file(run / "status.json", {})


def start_workers(dirs, *args: str) -> list[subprocess.Popen]:
    ports = [free_port(), free_port()]
    procs = []
    for index in range(2):
        tf_config = {"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]}, "task": {"type": "worker",
                                                                                     "index": index}}
        env = cli_env(dirs, TF_CONFIG=json.dumps(tf_config), GAN_SCRATCH_DIR=str(dirs["scratch"]))
        procs.append(subprocess.Popen([sys.executable, "-m", "gan_core.train", "--run", "duo", *args], cwd=ROOT,
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return procs


def finish(procs, timeout: float = 300) -> list[str]:
    outs = []
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            pytest.fail("a worker did not end: the two workers did not stop together")
        assert proc.returncode == 0, err[-3000:]
        outs.append(out)
    return outs


def test_two_workers_train_resume_and_stop_together(cluster_dirs):
    dirs, run = cluster_dirs, cluster_dirs["checkpoints"] / "duo"
    procs = start_workers(dirs, "--dataset", "cartoon-faces", "--epochs", "2", *TINY)
    chief_out, worker_out = finish(procs)
    assert "worker 1 of 2: the chief writes run 'duo'" in worker_out
    status, config = read_json(run / "status.json"), read_json(run / "config.json")
    assert (status["state"], status["epoch"]) == ("finished", 2)
    assert status["pid"] == procs[0].pid and config["replicas"] == 2
    assert [r["epoch"] for r in read_jsonl(run / "epochs.jsonl")] == [1, 2]  # one writer: no doubled rows
    steps = [r["step"] for r in read_jsonl(run / "metrics.jsonl")]
    assert steps == sorted(set(steps))
    assert list(dirs["scratch"].iterdir()) == []  # the worker's scratch copy is gone

    finish(start_workers(dirs, "--resume", "--epochs", "3"))
    assert (read_json(run / "status.json")["state"], read_json(run / "status.json")["epoch"]) == ("finished", 3)
    assert [r["epoch"] for r in read_jsonl(run / "epochs.jsonl")] == [1, 2, 3]

    procs = start_workers(dirs, "--resume", "--epochs", "1000")
    wait_for(lambda: (read_status(run).get("epoch") or 0) >= 4, 300, "the resumed pair to train")
    (run / "stop.request").write_text("stop")  # asked of the chief's run only
    finish(procs, timeout=120)
    status = read_json(run / "status.json")
    assert status["state"] == "stopped" and status["epoch"] < 1000
    assert list(dirs["scratch"].iterdir()) == []

"""Training jobs: detached trainer processes, the on-disk queue, stop, delete, and dead trainers."""

import os
import signal
import subprocess
import sys

import pytest
from helpers import ROOT, cli_env, read_json, wait_for

from gan_core.core.errors import UsageError
from gan_core.core.runs import Run, hostname, now
from gan_core.training import jobs

TINY = ["--dataset", "cartoon-faces", "--resolution", "32", "--batch-size", "32", "--width", "16"]


def test_queue_runs_one_at_a_time_in_order(queue_dirs):
    # The slot is held by a run this test says is training (its pid: this live process) until every trainer is
    # queued, so the order of events never depends on how fast anything runs.
    slot = Run("slot")
    slot.path.mkdir(parents=True)
    slot.write_status(state="running", pid=os.getpid(), host=hostname(), epochs=1, error=None, started=now())
    first = jobs.start([*TINY, "--run", "first", "--epochs", "1"], "first")
    second = jobs.start([*TINY, "--run", "second", "--epochs", "1"], "second")
    third = jobs.start([*TINY, "--run", "third", "--epochs", "1"], "third")
    wait_for(lambda: all(Run(n).status().get("state") == "queued" for n in ("first", "second", "third")), 60,
             "queueing")
    assert [r.name for r in jobs.runs_in("queued")] == ["first", "second", "third"]
    # the app's trainers yield the CPU to the pages (a room of thirty on two cores)
    assert os.getpriority(os.PRIO_PROCESS, first.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + jobs.APP_NICENESS)
    slot.write_status(state="finished", finished=now(), pid=None)
    wait_for(lambda: Run("first").status().get("state") in ("running", "finished"), 60, "first to start")
    for p in (first, second, third):
        assert p.wait(timeout=300) == 0
    st = {n: read_json(queue_dirs["checkpoints"] / n / "status.json") for n in ("slot", "first", "second", "third")}
    assert all(st[n]["state"] == "finished" for n in ("first", "second", "third"))
    assert st["slot"]["finished"] <= st["first"]["started"]
    assert st["first"]["finished"] <= st["second"]["started"] <= st["second"]["finished"] <= st["third"]["started"]
    assert "epoch 1/1" in jobs.log_tail(Run("second"))


def test_stop_a_queued_run_leaves_the_queue_without_training(queue_dirs):
    blocker = jobs.start([*TINY, "--run", "blocker", "--epochs", "300"], "blocker")
    wait_for(lambda: Run("blocker").status().get("state") == "running", 60, "blocker to start")
    waiting = jobs.start([*TINY, "--run", "waiting", "--epochs", "1"], "waiting")
    wait_for(lambda: Run("waiting").status().get("state") == "queued", 30, "queued")
    jobs.stop(Run("waiting"))
    assert waiting.wait(timeout=30) == 0
    assert Run("waiting").status()["state"] == "stopped"
    assert not Run("waiting").config_file.exists(), "a cancelled queued run never trains"
    with pytest.raises(UsageError, match="stop it before deleting"):
        jobs.delete(Run("blocker"))
    jobs.stop(Run("blocker"))
    try:
        blocker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"blocker did not stop: {jobs.log_tail(Run('blocker'))} {Run('blocker').status()}")
    assert blocker.returncode == 0
    assert Run("blocker").status()["state"] == "stopped"
    jobs.delete(Run("blocker"))
    jobs.delete(Run("waiting"))
    assert sorted(p.name for p in queue_dirs["checkpoints"].iterdir() if not p.name.startswith(".")) == []


def test_a_trainer_that_died_is_reported_failed(queue_dirs):
    p = subprocess.Popen([sys.executable, "-m", "gan_core.train", *TINY, "--run", "dies", "--epochs", "300"],
                         cwd=ROOT, env=cli_env(queue_dirs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    wait_for(lambda: Run("dies").status().get("state") == "running", 60, "training")
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    assert read_json(queue_dirs["checkpoints"] / "dies" / "status.json")["state"] == "running"  # what the file says
    status = Run("dies").status()  # what readers are told
    assert status["state"] == "failed" and "died" in status["error"]

"""One run, one trainer: real concurrent trainer processes on the session's tiny dataset."""

import os
import signal
import subprocess

import pytest
from helpers import assert_one_line_error, cli, popen, read_json, read_jsonl, wait_for

from gan_core.core import runlock
from gan_core.core.runs import Run
from gan_core.training import jobs

TRAIN = "gan_core.train"
TINY = ["--dataset", "cartoon-faces", "--resolution", "32", "--batch-size", "32", "--width", "16"]


def finish(p, timeout=300) -> subprocess.CompletedProcess:
    try:
        out, err = p.communicate(timeout=timeout)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def test_two_trainers_started_together_train_one_history(queue_dirs):
    procs = [popen(queue_dirs, TRAIN, *TINY, "--run", "dup", "--epochs", "2") for _ in range(2)]
    results = [finish(p) for p in procs]
    ok = [r for r in results if r.returncode == 0]
    refused = [r for r in results if r.returncode != 0]
    assert len(ok) == 1 and len(refused) == 1, [(r.returncode, r.stderr[-500:]) for r in results]
    # the second one either met the lock or, if it started after the first finished, the finished run
    assert_one_line_error(refused[0])
    assert "already training" in refused[0].stderr or "already exists" in refused[0].stderr
    assert [r["epoch"] for r in read_jsonl(queue_dirs["checkpoints"] / "dup" / "epochs.jsonl")] == [1, 2]

    procs = [popen(queue_dirs, TRAIN, "--run", "dup", "--resume", "--epochs", "4") for _ in range(2)]
    results = [finish(p) for p in procs]
    assert sorted(r.returncode for r in results) == [0, 2], [r.stderr[-500:] for r in results]
    assert [r["epoch"] for r in read_jsonl(queue_dirs["checkpoints"] / "dup" / "epochs.jsonl")] == [1, 2, 3, 4]
    steps = [r["step"] for r in read_jsonl(queue_dirs["checkpoints"] / "dup" / "metrics.jsonl")]
    assert steps == sorted(set(steps))


def test_a_second_trainer_is_refused_before_it_writes_anything(queue_dirs):
    first = popen(queue_dirs, TRAIN, *TINY, "--run", "busy", "--epochs", "300")
    run = Run("busy")
    try:
        wait_for(lambda: runlock.holder("busy") == first.pid, 60, "the first trainer to hold the lock")
        # its dataset is known from the lock file at once, before the run has a file of its own
        wait_for(lambda: runlock.held_datasets() == {"busy": "cartoon-faces"}, 60, "the trainer to note its dataset")
        refused = cli(queue_dirs, "gan_core.datasets", "delete", "cartoon-faces", check=False)
        assert_one_line_error(refused, "in use by busy")
        p = cli(queue_dirs, TRAIN, *TINY, "--run", "busy", "--epochs", "2", check=False)
        assert_one_line_error(p, "run 'busy' is already training", f"pid {first.pid}")
        wait_for(lambda: run.status().get("state") == "running", 120, "training")
        config_written = run.config_file.stat().st_mtime_ns
        p = cli(queue_dirs, TRAIN, "--run", "busy", "--resume", "--epochs", "400", check=False)
        assert_one_line_error(p, "run 'busy' is already training", f"pid {first.pid}")
        assert read_json(run.config_file)["epochs"] == 300
        assert read_json(run.status_file)["pid"] == first.pid
        assert run.config_file.stat().st_mtime_ns == config_written
        with pytest.raises(Exception, match="stop it before deleting"):
            jobs.delete(run)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # kill -9 frees the lock with the process
        first.wait()
    assert runlock.holder("busy") is None
    assert run.status()["state"] == "failed"


def test_resume_of_a_queued_run_is_refused_and_the_queue_goes_on(queue_dirs):
    blocker = jobs.start([*TINY, "--run", "blocker", "--epochs", "300"], "blocker")
    try:
        wait_for(lambda: Run("blocker").status().get("state") == "running", 60, "blocker to start")
        waiting = jobs.start([*TINY, "--run", "waiting", "--epochs", "1"], "waiting")
        wait_for(lambda: Run("waiting").status().get("state") == "queued", 30, "queued")
        p = cli(queue_dirs, TRAIN, "--run", "waiting", "--resume", "--epochs", "3", check=False)
        assert_one_line_error(p, "run 'waiting' is queued", f"pid {waiting.pid}")
        # the dataset both use cannot be deleted while they are queued or training
        p = cli(queue_dirs, "gan_core.datasets", "delete", "cartoon-faces", check=False)
        assert_one_line_error(p, "in use by blocker, waiting")
        assert (queue_dirs["datasets"] / "cartoon-faces" / "manifest.json").is_file()
        jobs.stop(Run("blocker"))
        assert blocker.wait(timeout=120) == 0
        assert waiting.wait(timeout=300) == 0
        assert Run("waiting").status()["state"] == "finished"
        assert [r["epoch"] for r in Run("waiting").epochs()] == [1]
    finally:
        for p in (blocker,):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
    cli(queue_dirs, "gan_core.datasets", "delete", "cartoon-faces")


def test_a_dead_queued_trainer_shows_its_last_error(queue_dirs):
    run = Run("gone")
    run.path.mkdir(parents=True)
    (run.path / "train.log").write_text("queued: 0 run(s) ahead\nTraceback (most recent call last):\n  File x\n"
                                        "FileNotFoundError: [Errno 2] No such file: 'shard-00000.u8'\n")
    run.write_status(state="queued", pid=2**22 + 7, host=__import__("socket").gethostname())
    status = run.status()
    assert status["state"] == "failed"
    assert status["error"] == ("the queued trainer process died: FileNotFoundError: [Errno 2] No such file: "
                               "'shard-00000.u8'")


def snapshot(folder) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("damage, fragment", [
    (lambda run: (run / "state" / "latest.json").write_text('{"epoch": 1, "st'), "state/latest.json is damaged"),
    (lambda run: (run / "state" / "latest.json").write_text('{"epoch": 1, "step": 2, "file": "gone.h5"}'),
     "names a missing state file"),
    (lambda run: (run / "config.json").unlink(), "config.json is missing or damaged"),
    (lambda run: (run / "config.json").write_text("null"), "is damaged: config.json holds NoneType"),
    (lambda run: (run / "config.json").write_bytes(b"\xff\xfe{"), "is damaged: config.json is not UTF-8"),
    (lambda run: (run / "status.json").write_text("[]"), "is damaged: status.json holds list"),
    (lambda run: (run / "config.json").write_text('{"run": "tiny"}'),
     "is damaged: config.json: dataset: field required"),
])
def test_resume_of_a_damaged_run_is_one_line_and_writes_nothing(tiny_dirs, damage, fragment):
    run = tiny_dirs["checkpoints"] / "tiny"
    damage(run)
    before = snapshot(run)
    p = cli(tiny_dirs, TRAIN, "--run", "tiny", "--resume", "--epochs", "3", check=False)
    assert_one_line_error(p, "run 'tiny' ", fragment)
    assert snapshot(run) == before

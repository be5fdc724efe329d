"""Time-boxed training (`--minutes`, `--until`): a real tiny run stops by itself on an epoch boundary, with a
checkpoint, and resumes. No assertion depends on how fast this machine is: only on the order of events."""

import datetime as dt

import pytest
from helpers import assert_one_line_error, cli, read_json, read_jsonl

from gan_core.training.time_box import TimeBox, next_clock_time

TRAIN = "gan_core.train"
SMALL = ["--resolution", "32", "--batch-size", "32", "--width", "16"]
MANY = 500  # far more epochs than fit in the time box on any machine (an epoch is at least milliseconds)


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("time_box")
    d = {"datasets": root / "datasets", "checkpoints": root / "checkpoints"}
    cli(d, "gan_core.datasets", "build", "cartoon-faces", "--count", "64", "--resolution", "32")
    return d


def finished_after(rows: list[dict], deadline: str) -> list[dict]:
    """Epoch rows stamped after the deadline (both to the second, UTC ISO: they compare as text)."""
    return [r for r in rows if r["time"] > deadline]


def test_minutes_stop_on_an_epoch_boundary_then_resume(dirs):
    run = dirs["checkpoints"] / "boxed"
    p = cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "boxed", "--epochs", MANY, "--minutes", "0.01", *SMALL)
    status = read_json(run / "status.json")
    assert status["state"] == "stopped" and status["stopped_by"] == "time" and status["error"] is None
    done = status["epoch"]
    assert 1 <= done < MANY
    assert status["step"] == done * read_json(run / "config.json")["steps_per_epoch"]  # on an epoch boundary
    assert read_json(run / "state" / "latest.json")["epoch"] == done  # a resumable checkpoint of that epoch
    assert (run / "samples" / f"epoch_{done:04d}.png").exists()
    assert f"time is up after {done} epoch" in p.stdout and "--resume" in p.stdout
    rows = read_jsonl(run / "epochs.jsonl")
    assert [r["epoch"] for r in rows] == list(range(1, done + 1))
    assert len(finished_after(rows, status["deadline"])) <= 1  # within one epoch of the time asked

    p = cli(dirs, TRAIN, "--run", "boxed", "--resume", "--minutes", "0.01")  # a new time box for the rest
    again = read_json(run / "status.json")
    assert again["state"] == "stopped" and again["stopped_by"] == "time"
    assert done < again["epoch"] < MANY and again["deadline"] > status["deadline"]
    rows = read_jsonl(run / "epochs.jsonl")
    assert [r["epoch"] for r in rows] == list(range(1, again["epoch"] + 1))
    assert len(finished_after(rows, again["deadline"])) <= 1

    cli(dirs, TRAIN, "--run", "boxed", "--resume", "--epochs", again["epoch"] + 1)  # no box: runs to the end
    last = read_json(run / "status.json")
    assert last["state"] == "finished" and last["epoch"] == again["epoch"] + 1
    assert last["deadline"] is None and last["stopped_by"] is None


def test_a_box_longer_than_the_run_finishes_it(dirs):
    cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "roomy", "--epochs", "1", "--until", "23:59", *SMALL)
    status = read_json(dirs["checkpoints"] / "roomy" / "status.json")
    # the one epoch ends before 23:59 unless this test starts within a minute of it (then: the last epoch
    # finishes the run anyway, a time limit never turns a run's last epoch into a stop)
    assert status["state"] == "finished" and status["stopped_by"] is None and status["deadline"]


@pytest.mark.parametrize("args, fragments", [
    (["--minutes", "0"], ["--minutes must be a positive number"]),
    (["--minutes", "-5"], ["--minutes must be a positive number"]),
    (["--minutes", "nan"], ["--minutes must be a positive number"]),
    (["--minutes", "inf"], ["--minutes must be a positive number"]),
    (["--minutes", "soon"], ["invalid number of minutes 'soon'"]),
    (["--until", "25:00"], ["invalid clock time '25:00'"]),
    (["--until", "1430"], ["invalid clock time '1430'"]),
    (["--until", "14:3"], ["invalid clock time '14:3'"]),
    (["--until", "ab:cd"], ["invalid clock time"]),
    (["--minutes", "5", "--until", "14:30"], ["not allowed with argument"]),
])
def test_bad_time_limits_get_one_clear_line(dirs, args, fragments):
    p = cli(dirs, TRAIN, "--dataset", "cartoon-faces", "--run", "bad", "--epochs", "3", *args, check=False)
    assert_one_line_error(p, *fragments)
    assert not (dirs["checkpoints"] / "bad").exists()


def test_clock_times_are_the_next_one():
    now = dt.datetime(2026, 12, 4, 16, 20, tzinfo=dt.UTC)
    assert next_clock_time("17:05", now) == dt.datetime(2026, 12, 4, 17, 5, tzinfo=dt.UTC)
    assert next_clock_time("9:00", now) == dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    assert next_clock_time("16:20", now) == dt.datetime(2026, 12, 5, 16, 20, tzinfo=dt.UTC)
    assert TimeBox.from_args(1.5, None).deadline(start=100.0) == 190.0
    assert not TimeBox() and TimeBox.from_args(None, None).deadline() is None


def test_two_workers_agree_on_the_time(tiny_run, tmp_path):
    """The chief's box is 0.6 s, the other worker's 10 hours: they stop together at the chief's (a worker
    that stopped alone would leave the other waiting in its next all-reduce for ever)."""
    import json
    import shutil
    import subprocess
    import sys

    from conftest import ROOT
    from helpers import cli_env

    from scripts.served_app import free_port

    d = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints", "scratch": tmp_path / "scratch"}
    shutil.copytree(tiny_run["datasets_dir"], d["datasets"])
    d["scratch"].mkdir()
    ports = [free_port(), free_port()]
    procs = []
    for index, minutes in enumerate(("0.01", "600")):
        tf_config = {"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                     "task": {"type": "worker", "index": index}}
        env = cli_env(d, TF_CONFIG=json.dumps(tf_config), GAN_SCRATCH_DIR=str(d["scratch"]))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", TRAIN, "--run", "duo", "--dataset", "cartoon-faces", "--epochs", str(MANY),
             "--minutes", minutes, "--resolution", "32", "--batch-size", "16", "--width", "8", "--latent-dim", "16"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    try:
        outs = [p.communicate(timeout=300) for p in procs]
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        pytest.fail("a worker did not end: the two workers did not agree on the time")
    assert [p.returncode for p in procs] == [0, 0], outs[1][1][-2000:]
    status = read_json(d["checkpoints"] / "duo" / "status.json")
    assert status["state"] == "stopped" and status["stopped_by"] == "time" and 1 <= status["epoch"] < MANY
    assert f"time is up after {status['epoch']} epoch" in outs[1][0]  # the other worker stopped at that epoch too

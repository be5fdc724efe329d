"""The Train page's time estimate: past runs of this machine, the same precision first."""

import json
import shutil

from gan_core.core.runs import Run
from gan_core.training.estimate import images_per_sec

SIZE = ("dcgan", 32, 3, 64, 100)  # the tiny run's family, resolution, channels, width, latent size


def with_speed(checkpoints, name: str, speed: float, precision: str) -> None:
    """A copy of the tiny run that trained at `speed` images/s in `precision`."""
    shutil.copytree(checkpoints.parent / "tiny-original", checkpoints / name)
    config = json.loads((checkpoints / name / "config.json").read_text())
    (checkpoints / name / "config.json").write_text(json.dumps({**config, "run": name, "precision_used": precision}))
    rows = [{"epoch": e, "step": 2 * e, "images_per_sec": speed, "seconds": 1.0} for e in (1, 2, 3)]
    (checkpoints / name / "epochs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_the_estimate_prefers_runs_in_the_precision_asked(tiny_dirs):
    checkpoints = tiny_dirs["checkpoints"]
    assert Run("tiny").config()["width"] == SIZE[3]
    shutil.rmtree(checkpoints / "tiny" / "weights")  # the copies need no weights
    shutil.move(checkpoints / "tiny", checkpoints.parent / "tiny-original")  # only the runs written here count
    with_speed(checkpoints, "in-float32", 100.0, "float32")
    speed, source = images_per_sec(*SIZE, "CPU", "mixed_bfloat16")
    assert speed == 100.0 and "another precision than mixed_bfloat16" in source  # the only measure there is
    with_speed(checkpoints, "in-bf16", 150.0, "mixed_bfloat16")
    assert images_per_sec(*SIZE, "CPU", "mixed_bfloat16") == (150.0, "measured on this machine (run in-bf16)")
    assert images_per_sec(*SIZE, "CPU", "float32") == (100.0, "measured on this machine (run in-float32)")


def test_durations_read_as_people_say_them():
    from gan_core.core.progress import duration

    assert [duration(s) for s in (None, 0, 0.03, 0.06, 4.24, 45.9, 720, 3900)] == [
        "?", "0.0 s", "under 0.1 s", "0.1 s", "4.2 s", "45 s", "12 min", "1 h 05 min"]

"""What raises the bare train step on this CPU? One change at a time against the defaults, side by side.

    python -m gan_core.bench --sweep                    # dcgan at 32 px; --arch / --resolutions as usual

Thread pools and oneDNN are fixed when TensorFlow starts, so every setting is measured in its own child
process (`python -m gan_core.bench.step_sweep SPEC`), and the settings run twice, forwards then
backwards, so that a machine getting busier or calmer during the sweep does not favour the ones that
came first. Each child times the family's bare train step (as `gan_core.bench` does: one constant
in-memory batch, no input pipeline) with and without XLA, and reports images/s; a setting's figure is
the median over its windows in both rounds. The changes are the ones people reach for on a CPU:
TensorFlow's intra- and inter-op threads, the batch size, oneDNN's kernels, and bfloat16 (fast only
on CPUs with AVX-512 BF16 or AMX, which the report says the CPU has or lacks).
"""

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field

from gan_core.core.hardware import cpu_vector_units

BATCH = 64
WINDOWS = 3  # timed windows per path in each child
WINDOW_IMAGES = 768  # images per timed window at 32 px (fewer at larger sizes)


@dataclass(frozen=True)
class Setting:
    name: str
    env: dict = field(default_factory=dict)  # read by TensorFlow when it starts
    intra_op: int = 0  # 0: TensorFlow's default (one per core)
    inter_op: int = 0
    batch_size: int = BATCH
    policy: str = "float32"  # Keras dtype policy


SETTINGS = (
    Setting("defaults (batch 64, float32, TensorFlow's threads)"),
    Setting("intra-op threads 1", intra_op=1),
    Setting("inter-op threads 1", inter_op=1),
    Setting("batch 32", batch_size=32),
    Setting("batch 128", batch_size=128),
    Setting("oneDNN kernels forced on", env={"TF_ENABLE_ONEDNN_OPTS": "1"}),
    Setting("oneDNN kernels forced off", env={"TF_ENABLE_ONEDNN_OPTS": "0"}),
    Setting("mixed bfloat16", policy="mixed_bfloat16"),
)


# -- the child: one setting, in a fresh TensorFlow --------------------------------------------------
def measure_one(spec: dict) -> dict:
    """Images/s of the bare step with and without XLA, for one setting (runs in its own process)."""
    import tensorflow as tf

    if spec["intra_op"]:
        tf.config.threading.set_intra_op_parallelism_threads(spec["intra_op"])
    if spec["inter_op"]:
        tf.config.threading.set_inter_op_parallelism_threads(spec["inter_op"])
    import keras

    from gan_core.training.config import TrainConfig
    from gan_core.training.xla_probe import build_compiled, images_per_second, onednn_on

    keras.mixed_precision.set_global_policy(spec["policy"])
    resolution, batch_size = spec["resolution"], spec["batch_size"]
    config = TrainConfig(dataset="sweep", run="sweep", arch=spec["arch"], resolution=resolution, channels=3,
                         batch_size=batch_size, precision="float32", width=spec.get("width"))
    batch = tf.random.uniform((batch_size, resolution, resolution, 3), -1, 1, seed=1)
    steps = {name: tf.function(build_compiled(config).train_step, jit_compile=jit)
             for name, jit in (("xla", True), ("plain", False))}
    for step in steps.values():
        for _ in range(3):  # trace, compile, warm
            step(batch)
    n = max(2, spec.get("window_images", WINDOW_IMAGES) * 32 * 32 // (batch_size * resolution**2))
    rates = {name: [] for name in steps}
    for _ in range(spec["windows"]):
        for name, step in steps.items():
            rates[name].append(images_per_second(step, batch, n))
    return {"onednn": onednn_on(), "threads": [tf.config.threading.get_intra_op_parallelism_threads(),
                                               tf.config.threading.get_inter_op_parallelism_threads()],
            **{name: [round(r, 1) for r in windows] for name, windows in rates.items()}}


# -- the parent: every setting, twice ---------------------------------------------------------------
def run_child(setting: Setting, arch: str, resolution: int, windows: int, width: int | None = None,
              window_images: int = WINDOW_IMAGES) -> dict:
    spec = {"arch": arch, "resolution": resolution, "windows": windows, "width": width,
            "window_images": window_images, "intra_op": setting.intra_op,
            "inter_op": setting.inter_op, "batch_size": setting.batch_size, "policy": setting.policy}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **setting.env}
    done = subprocess.run([sys.executable, "-m", "gan_core.bench.step_sweep", json.dumps(spec)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": last[:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def sweep(arch: str, resolution: int, progress, settings=SETTINGS, rounds: int = 2, windows: int = WINDOWS,
          width: int | None = None, window_images: int = WINDOW_IMAGES) -> dict:
    """Every setting `rounds` times (forwards, backwards, ...); medians per setting and path.

    `width` (default: the family's) and fewer `window_images` only make tests cheap."""
    measured = {s.name: {"xla": [], "plain": [], "errors": []} for s in settings}
    for r in range(rounds):
        for setting in settings if r % 2 == 0 else reversed(settings):
            out = run_child(setting, arch, resolution, windows, width, window_images)
            row = measured[setting.name]
            if "error" in out:
                row["errors"].append(out["error"])
                progress(f"sweep {arch} {resolution} px, {setting.name}: failed: {out['error']}")
                continue
            row["xla"] += out["xla"]
            row["plain"] += out["plain"]
            row["onednn"], row["threads"] = out["onednn"], out["threads"]
            progress(f"sweep {arch} {resolution} px, {setting.name} (round {r + 1}/{rounds}): "
                     f"XLA {statistics.median(out['xla']):.0f}, plain {statistics.median(out['plain']):.0f} img/s")
    rows = []
    for s in settings:
        m = measured[s.name]
        row = {"setting": s.name, "errors": m["errors"], "onednn": m.get("onednn"), "threads": m.get("threads")}
        for path in ("xla", "plain"):
            row[path] = round(statistics.median(m[path]), 1) if m[path] else None
            row[f"{path}_windows"] = m[path]
        rows.append(row)
    base = rows[0]
    fastest_base = max(base["xla"] or 0, base["plain"] or 0) or None
    for row in rows:
        best = max(row["xla"] or 0, row["plain"] or 0)
        row["fastest_over_defaults"] = round(best / fastest_base, 3) if best and fastest_base else None
    return {"arch": arch, "resolution": resolution, "rounds": rounds, "windows_per_child": windows,
            "vector_units": cpu_vector_units(), "rows": rows}


def report(result: dict) -> list[str]:
    lines = ["", f"sweep: {result['arch']} {result['resolution']} px, bare step images/s (medians of "
                  f"{result['rounds']} rounds x {result['windows_per_child']} windows, each setting in its own "
                  f"process); CPU: {result['vector_units']}"]
    for row in result["rows"]:
        if row["xla"] is None and row["plain"] is None:
            lines.append(f"  {row['setting']:<52} failed: {row['errors'][0] if row['errors'] else '?'}")
            continue
        lines.append(f"  {row['setting']:<52} XLA {row['xla'] or 0:>5.0f}  plain {row['plain'] or 0:>5.0f}  "
                     f"fastest / defaults' fastest {row['fastest_over_defaults']:.2f}x  "
                     f"(oneDNN {'on' if row['onednn'] else 'off'}, threads intra/inter "
                     f"{'/'.join(str(t) if t else 'auto' for t in row['threads'])})")
    return lines


if __name__ == "__main__":
    print(json.dumps(measure_one(json.loads(sys.argv[1]))))

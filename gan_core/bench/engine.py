"""`python -m gan_core.bench`: how fast the training engine is, next to the bare train step it wraps.

    python -m gan_core.bench                          # every family at 32 and 64 px
    python -m gan_core.bench --arch dcgan --resolutions 32 --json --out benchmarks/DATE-CPU/engine.json

For each GAN family and resolution, on that family's default networks (batch 64), it measures images/s of
1. the bare train step, the family's `train_step` under `tf.function(jit_compile=True)`, called from a
   Python loop on one constant in-memory batch (no tf.data, no callbacks, no files);
2. the same bare step without XLA;
2b. the bare step without XLA, 8 steps per call in one graph loop (fewer if a window is shorter), as the
   engine runs it (`steps_per_execution`): on 2 cores a small model's steps may then overlap a little (`fit` on one
   constant batch once measured 1.07x the per-call step), so the engine is held to this one too;
3. the whole engine: a real `Trainer` run on a freshly built `cartoon-faces` set in a temporary
   folder, timed wall-clock from the end of one epoch to the end of the next, so it includes the
   tf.data input, every callback, the per-epoch sample grid and the checkpoints.
Why: the trainer should stay within ~10% of its bare step (engine >= 0.9x bare XLA), and whether XLA
pays for itself. Each figure is the median of several timed windows (bare: N steps; engine: one epoch,
the first epoch, which compiles, excluded). FLOPs per image are printed so that someone on a GPU can
set the achieved FLOP/s against the GPU's peak. Progress goes to stderr; the report (or JSON) to stdout.
"""

import io
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gan_core.bench.scratch import bench_home
from gan_core.core.errors import CliParser
from gan_core.training.xla_probe import build_compiled, images_per_second, onednn_on

BATCH = 64


@dataclass(frozen=True)
class Plan:
    warmup: int  # untimed bare steps after compilation
    steps: int  # bare steps per timed window at 32 px
    min_steps: int  # ... and at least this many at higher resolutions
    windows: int  # timed windows per measurement; the engine times one epoch per window
    images: int  # dataset size for the engine: 2048 = 32 steps of 64, 4 executions of 8
    width: int | None = None  # the networks' width; None: the family's default (what the figures are about)

    def steps_for(self, resolution: int) -> int:
        """Fewer bare steps per window as resolution grows: a step costs ~4x more per doubling."""
        return max(self.min_steps, self.steps * 32 * 32 // resolution**2)


FULL = Plan(warmup=5, steps=24, min_steps=6, windows=5, images=2048)
QUICK = Plan(warmup=1, steps=2, min_steps=2, windows=1, images=512, width=16)  # every figure, cheaply (tests)


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def machine(device, sgemm: float) -> dict:
    import keras
    import tensorflow as tf

    from gan_core.core.hardware import cpu_vector_units, kernel_settings
    from gan_core.training.device import cpu_name

    return {"cpu": cpu_name(), "vector_units": cpu_vector_units(), "cores": os.cpu_count(),
            "device": device.describe(), "onednn": onednn_on(), "kernel_settings": kernel_settings(),
            "numpy_sgemm_gflops": round(sgemm, 1),
            "tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()}


def sgemm_gflops(n: int = 2048, repeats: int = 5) -> float:
    """This machine's float32 matrix-multiply speed through numpy's BLAS: the yardstick for achieved GFLOP/s."""
    import numpy as np

    a, b = np.random.default_rng(0).standard_normal((2, n, n), dtype=np.float32)
    a @ b  # warm the BLAS threads
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t0)
    return 2 * n**3 / statistics.median(times) / 1e9


# -- bare step --------------------------------------------------------------------------------------
def bench_config(arch: str, resolution: int, channels: int, precision: str, **extra):
    """The family's default settings at this size: what the bare step and the engine both train."""
    from gan_core.training.config import TrainConfig

    return TrainConfig(dataset=f"cartoon-faces-{resolution}", run=f"bench-{arch}-{resolution}", arch=arch,
                       resolution=resolution, channels=channels, batch_size=BATCH, precision=precision, **extra)


def steps_per_call(train_step, n: int):
    """`n` train steps in one graph loop: what Keras' fit runs per call with steps_per_execution=n."""
    import tensorflow as tf

    @tf.function
    def run(batch):
        out = train_step(batch)
        for _ in tf.range(n - 1):
            out = train_step(batch)
        return out

    return run


def bare_steps(config, batch, plan: Plan) -> dict[str, list[float]]:
    """Per-window images/s of the XLA, the plain and the plain looped step; windows alternate so load drift hits
    all three."""
    import tensorflow as tf

    resolution, steps = config.resolution, {}
    n = plan.steps_for(resolution)
    per_call = min(config.steps_per_execution, n)  # as the engine runs them, within one window
    for name, xla in (("bare_xla", True), ("bare_no_xla", False), ("bare_loop", False)):
        gan = build_compiled(config)
        if name == "bare_loop":
            step = steps_per_call(gan.train_step, per_call)
        else:
            step = tf.function(gan.train_step, jit_compile=xla)
        t0 = time.perf_counter()
        float(next(iter(step(batch).values())))
        progress(f"{config.arch} {resolution} px {name}: compiled in {time.perf_counter() - t0:.1f}s")
        for _ in range(plan.warmup):
            step(batch)
        steps[name] = step
    rates = {name: [] for name in steps}
    for w in range(plan.windows):
        for name, step in steps.items():
            k = per_call if name == "bare_loop" else 1
            rates[name].append(images_per_second(step, batch, n // k) * k)
        progress(f"{config.arch} {resolution} px bare window {w + 1}/{plan.windows} ({n} steps): "
                 + ", ".join(f"{k} {v[-1]:.0f} img/s" for k, v in rates.items()))
    return rates


# -- engine -----------------------------------------------------------------------------------------
def build_dataset(resolution: int, plan: Plan):
    from gan_core.core.progress import Progress
    from gan_core.datasets.build import build

    t0 = time.perf_counter()
    ds = build("cartoon-faces", count=plan.images, resolution=resolution, name=f"cartoon-faces-{resolution}",
               progress=Progress(plan.images, stream=io.StringIO()))
    progress(f"{resolution} px: built {ds.count} cartoon-faces images in {time.perf_counter() - t0:.1f}s")
    return ds


def constant_batch(dataset, resolution: int):
    """The dataset's first batch, in the model's range, as one in-memory tensor."""
    import tensorflow as tf

    from gan_core.datasets.pipeline import to_model_range

    images = dataset.images(range(BATCH))
    return tf.constant(to_model_range(tf.constant(images), resolution, dataset.channels))


def engine(dataset, base, plan: Plan) -> dict:
    """A real Trainer run; each epoch's wall time runs from one end-of-epoch log line to the next."""
    from gan_core.core.runs import Run
    from gan_core.training.trainer import Trainer

    config = bench_config(base.arch, base.resolution, dataset.channels, base.precision, width=base.width,
                          epochs=plan.windows + 1)
    resolution = config.resolution
    ends = []

    def log(message: str) -> None:
        if message.startswith("epoch "):
            ends.append(time.perf_counter())
        progress(f"{config.arch} {resolution} px engine: {message}")

    trainer = Trainer(config, log=log)
    trainer.train()
    steps = trainer.done_step // config.epochs  # steps actually run per epoch
    wall = [b - a for a, b in zip(ends, ends[1:], strict=False)]
    fit = [row["seconds"] for row in Run(config.run).epochs()[1:]]
    return {"images_per_sec": statistics.median(steps * BATCH / s for s in wall),
            "windows": [round(steps * BATCH / s, 1) for s in wall],
            "fit_only_images_per_sec": statistics.median(steps * BATCH / s for s in fit),
            "end_of_epoch_seconds": statistics.median(w - f for w, f in zip(wall, fit, strict=True)),
            "steps_per_epoch": steps, "steps_per_execution": trainer.gan.steps_per_execution,
            "xla": bool(trainer.gan.jit_compile), "epochs": config.epochs}


# -- one resolution ---------------------------------------------------------------------------------
def measure(arch: str, dataset, batch, precision: str, plan: Plan) -> dict:
    from gan_core.models.flops import train_step_flops

    resolution = dataset.resolution
    config = bench_config(arch, resolution, dataset.channels, precision,
                          **({"width": plan.width} if plan.width else {}))
    rates = bare_steps(config, batch, plan)
    result = {"arch": arch, "resolution": resolution, "width": config.width, "latent_dim": config.latent_dim,
              "flops": train_step_flops(arch, resolution, dataset.channels, config.width, config.latent_dim),
              "bare_steps_per_window": plan.steps_for(resolution)}
    for name, windows in rates.items():
        result[name] = {"images_per_sec": statistics.median(windows), "windows": [round(x, 1) for x in windows]}
    result["engine"] = engine(dataset, config, plan)
    xla, plain, loop, full = (result[k]["images_per_sec"] for k in ("bare_xla", "bare_no_xla", "bare_loop", "engine"))
    step_flops = result["flops"]["train_step_per_image"]
    same_mode = xla if result["engine"]["xla"] else max(plain, loop)  # the bare step the engine actually wraps
    result["ratios"] = {"engine_over_bare_xla": full / xla, "engine_over_bare_same_mode": full / same_mode,
                        "engine_over_fastest_bare": full / max(xla, plain, loop), "xla_over_no_xla": xla / plain,
                        "loop_over_no_xla": loop / plain}
    result["achieved_gflops"] = {"bare_xla": xla * step_flops / 1e9, "engine": full * step_flops / 1e9}
    return result


# -- output -----------------------------------------------------------------------------------------
def machine_line(m: dict) -> str:
    return (f"machine: {m['cpu']} ({m.get('vector_units', '?')}); TensorFlow {m['tensorflow']}, "
            f"Keras {m['keras']}, Python {m['python']}")


def report(data: dict) -> str:
    m, s = data["machine"], data["settings"]
    onednn_state = {True: "on", False: "off"}.get(m["onednn"], "unknown")
    lines = [machine_line(m),
             f"device:  {m['device']}; oneDNN kernels {onednn_state}"
             + "".join(f"; {k}={v}" for k, v in m.get("kernel_settings", {}).items()),
             f"setup:   each family's default networks, batch {s['batch_size']}, {s['precision']}; "
             f"medians of {s['windows']} windows",
             f"FLOPs:   {data['flops_formula']}"]
    for r in data["results"]:
        e, f, ratio, gflops = r["engine"], r["flops"], r["ratios"], r["achieved_gflops"]
        lines += [
            "",
            f"{r['arch']} {r['resolution']} px (width {r['width']}, z {r['latent_dim']})  images/s: bare XLA "
            f"{r['bare_xla']['images_per_sec']:.0f} | bare no-XLA {r['bare_no_xla']['images_per_sec']:.0f} "
            f"({r['bare_loop']['images_per_sec']:.0f} looped in one call) | "
            f"engine {e['images_per_sec']:.0f} (fit only {e['fit_only_images_per_sec']:.0f})",
            f"        engine (XLA {'on' if e['xla'] else 'off'}) / its own bare step "
            f"{ratio['engine_over_bare_same_mode']:.2f}x (target >= 0.95), / fastest bare step "
            f"{ratio['engine_over_fastest_bare']:.2f}x   XLA / no-XLA {ratio['xla_over_no_xla']:.2f}x",
            f"        FLOPs per image: G forward {f['generator_forward'] / 1e6:.1f} M, D forward "
            f"{f['discriminator_forward'] / 1e6:.1f} M, train step {f['train_step_per_image'] / 1e6:.1f} M"
            f" -> bare XLA {gflops['bare_xla']:.1f} GFLOP/s, engine {gflops['engine']:.1f} GFLOP/s "
            f"({gflops['engine'] / m['numpy_sgemm_gflops']:.0%} of numpy SGEMM {m['numpy_sgemm_gflops']:.0f})",
            f"        engine: {e['steps_per_epoch']} steps per epoch, {e['steps_per_execution']} per execution, "
            f"{e['end_of_epoch_seconds']:.2f}s end-of-epoch work per epoch; per-epoch img/s {e['windows']}",
        ]
    lines += ["", "engine = wall time from one epoch's end to the next: input pipeline, callbacks, sample grid, "
              "checkpoints; fit only = epochs.jsonl (the steps and per-step callbacks, no end-of-epoch work)"]
    return "\n".join(lines)


def sweep_report(data: dict) -> str:
    from gan_core.bench.step_sweep import report as one

    m = data["machine"]
    lines = [machine_line(m),
             f"numpy SGEMM {m['numpy_sgemm_gflops']:.0f} GFLOP/s"]
    for result in data["sweeps"]:
        lines += one(result)
    return "\n".join(lines)


def parse(argv):
    from gan_core import models

    p = CliParser(prog="python -m gan_core.bench", description=__doc__.split("\n")[0])
    p.add_argument("--arch", nargs="+", default=None,
                   help=f"GAN families to measure (default: all, {' '.join(models.names())})")
    p.add_argument("--resolutions", type=int, nargs="+", default=[32, 64], choices=(32, 64, 128, 256))
    p.add_argument("--sweep", action="store_true",
                   help="instead: the bare step under one change at a time (threads, batch, oneDNN, bfloat16), "
                        "each in its own process (gan_core/bench/step_sweep.py)")
    p.add_argument("--quick", action="store_true", help="a few steps only (for tests): the numbers mean little")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    p.add_argument("--out", type=Path, help="also write the JSON results to this file")
    args = p.parse_args(argv)
    args.arch = [models.get(name).name for name in (args.arch or models.names())]
    return args


def main(argv=None) -> int:
    from gan_core.models.flops import TRAIN_STEP_FORMULA

    args = parse(argv)
    plan = QUICK if args.quick else FULL
    sgemm = sgemm_gflops()  # before TensorFlow starts its thread pools
    from gan_core.training import device as devices

    device = devices.setup()  # once; the Trainer's own call repeats it with the same settings (idempotent)
    if device.count > 1:
        progress(f"warning: the engine trains on {device.count} replicas, the bare step on one")
    data = {"machine": machine(device, sgemm), "flops_formula": TRAIN_STEP_FORMULA,
            "settings": {"batch_size": BATCH, "precision": device.precision, "families": args.arch,
                         "quick": args.quick, "windows": plan.windows, "engine_images_per_epoch": plan.images,
                         "width": plan.width or "the family's default"},
            "results": []}
    progress(f"on {data['machine']['device']}")
    t0 = time.perf_counter()
    if args.sweep:
        from gan_core.bench import step_sweep

        data["sweeps"] = [step_sweep.sweep(arch, resolution, progress, rounds=1 if args.quick else 2,
                                           windows=1 if args.quick else step_sweep.WINDOWS, width=plan.width)
                          for arch in args.arch for resolution in args.resolutions]
        data["seconds"] = round(time.perf_counter() - t0, 1)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(data, indent=2) + "\n")
        print(json.dumps(data, indent=2) if args.json else sweep_report(data))
        return 0
    with bench_home():
        for resolution in args.resolutions:
            dataset = build_dataset(resolution, plan)
            batch = constant_batch(dataset, resolution)
            for arch in args.arch:
                data["results"].append(measure(arch, dataset, batch, device.precision, plan))
    data["seconds"] = round(time.perf_counter() - t0, 1)
    progress(f"done in {data['seconds']:.0f}s")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(data, indent=2) if args.json else report(data))
    return 0

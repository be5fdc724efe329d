"""Is XLA faster for this model on this CPU? Measured once, then remembered on disk (like cuDNN's autotuning).

Why measure: whether XLA pays off on a CPU depends on TensorFlow's oneDNN kernels, which TensorFlow turns
on by default only on some CPUs (on an AVX-512 Xeon, off on an AVX2 AMD EPYC), on TensorFlow's version
and on the network's shape. Measured here (benchmarks/LOG.md): with oneDNN on, XLA/no-XLA was 0.93x at
32 px and 0.78x at 64 px; without it, 1.5-1.6x. A rule guessed from the state was wrong on the EPYC.

So the first run of a model shape on a machine times a few train steps both ways on a throwaway copy of
the model (its own weights and optimizers; the run's model is built after, from the run's seed, so the
probe changes nothing it trains), and keeps the answer in `~/.cache/gan-explorer/xla-probe.json`
(`GAN_CACHE_DIR` moves it), keyed by the CPU, TensorFlow's version, the oneDNN state, the kernel variables
that are set (`XLA_FLAGS`, `ONEDNN_MAX_CPU_ISA`...) and every setting that shapes the step. It costs one XLA
compile and a few seconds, once. `GAN_XLA_AUTO=state` skips measuring (XLA exactly when oneDNN is off);
`GAN_XLA_AUTO=off` keeps XLA off on CPUs (the test suite: compiling would outweigh its tiny runs).
"""

import json
import os
import statistics
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from gan_core.core.atomic import read_json, write_json
from gan_core.core.errors import UsageError
from gan_core.core.hardware import cpu_name, kernel_settings
from gan_core.core.schemas import XlaVerdict, check

MODES = ("measure", "state", "off")  # GAN_XLA_AUTO: what --xla auto does on a CPU
VERSION = 1
FASTER_BY = 1.05  # XLA must beat the plain step by this much: below it, not worth its compile wait
ROUNDS = 3  # timed windows per path, alternating so that load drift hits both
WINDOW_IMAGES = 256  # images per timed window at 32 px (fewer steps at larger sizes)
# settings that do not change what one train step computes, so they do not split the cache
NOT_SHAPING = {"dataset", "run", "epochs", "max_images", "save_every", "seed", "lr_g", "lr_d", "beta1", "grid_side",
               "xla", "steps_per_execution"}


def xla_auto_mode() -> str:
    mode = os.environ.get("GAN_XLA_AUTO", "measure")
    if mode not in MODES:
        raise UsageError(f"GAN_XLA_AUTO must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def cache_file() -> Path:
    """Per user and machine, not per checkpoints folder: benchmarks and tests train in temporary ones."""
    base = os.environ.get("GAN_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / \
        "gan-explorer"
    return Path(base) / "xla-probe.json"


def onednn_on() -> bool:
    """Whether TensorFlow's oneDNN CPU kernels are on in this process (the env var, or TensorFlow's CPU rule)."""
    try:
        from tensorflow.python.util import _pywrap_util_port

        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1") != "0"


def key(config) -> str:
    import keras
    import tensorflow as tf

    shape = {k: v for k, v in sorted(asdict(config).items()) if k not in NOT_SHAPING and v is not None}
    # the precision in force (auto may mean float32 or bfloat16 on a CPU): XLA and oneDNN differ on each
    policy = keras.mixed_precision.global_policy().name
    return json.dumps({"cpu": cpu_name(), "tensorflow": tf.__version__, "onednn": onednn_on(), **shape,
                       "policy": policy, **kernel_settings()}, sort_keys=True)


def _entries() -> dict:
    stored = read_json(cache_file(), default=None, expect=dict)  # missing or damaged: None, measured again
    ok = isinstance(stored, dict) and stored.get("version") == VERSION and isinstance(stored.get("entries"), dict)
    return stored["entries"] if ok else {}


def remembered(config) -> dict | None:
    found = _entries().get(key(config))
    return found if check(found, XlaVerdict) is None else None


def remember(config, verdict: dict) -> None:
    entries = {**_entries(), key(config): verdict}
    try:
        cache_file().parent.mkdir(parents=True, exist_ok=True)
        write_json(cache_file(), {"version": VERSION, "entries": entries})
    except OSError:
        pass  # a read-only folder only means measuring again next time


def build_compiled(config):
    """A fresh GAN with its optimizers built, as the Trainer makes it (compiled by the caller's tf.function)."""
    import keras
    import numpy as np

    from gan_core import models

    family = models.get(config.arch)
    gan = family.build_gan(config)
    g_opt, d_opt = family.optimizers(config)
    if config.precision == "mixed_float16":
        g_opt, d_opt = keras.optimizers.LossScaleOptimizer(g_opt), keras.optimizers.LossScaleOptimizer(d_opt)
    gan.compile(g_opt, d_opt)
    gan(np.zeros((1, config.latent_dim), np.float32))
    gan.build_optimizers()
    return gan


def images_per_second(step, batch, steps: int) -> float:
    """Images/s over `steps` calls; reading a loss back at the end waits for all of them."""
    t0 = time.perf_counter()
    for _ in range(steps):
        out = step(batch)
    float(next(iter(out.values())))
    return steps * int(batch.shape[0]) / (time.perf_counter() - t0)


def measure(config, log=print) -> dict:
    """Time the train step with and without XLA on a throwaway model; the verdict, as stored."""
    import tensorflow as tf

    batch = tf.random.uniform((config.batch_size, config.resolution, config.resolution, config.channels), -1, 1,
                              seed=1)
    steps, rates = {}, {}
    for name, jit in (("xla", True), ("plain", False)):
        step = tf.function(build_compiled(config).train_step, jit_compile=jit)
        t0 = time.perf_counter()
        step(batch)  # trace (and compile)
        step(batch)
        log(f"XLA probe: {name} step ready in {time.perf_counter() - t0:.1f}s")
        steps[name], rates[name] = step, []
    n = max(2, WINDOW_IMAGES * 32 * 32 // (config.batch_size * config.resolution**2))
    for _ in range(ROUNDS):
        for name, step in steps.items():
            rates[name].append(images_per_second(step, batch, n))
    xla, plain = statistics.median(rates["xla"]), statistics.median(rates["plain"])
    return {"xla": xla > FASTER_BY * plain, "ratio": round(xla / plain, 3),
            "xla_images_per_sec": round(xla, 1), "plain_images_per_sec": round(plain, 1),
            "measured": datetime.now(UTC).isoformat(timespec="seconds")}


def decide(config, log=print) -> dict:
    """The remembered verdict for this model shape on this machine, or a new measurement (then remembered)."""
    verdict = remembered(config)
    if verdict is None:
        log("measuring whether XLA is faster for this model on this CPU (once per machine and model shape)")
        verdict = measure(config, log)
        remember(config, verdict)
        log(f"XLA probe: XLA {'on' if verdict['xla'] else 'off'} (XLA / plain {verdict['ratio']:.2f}x)")
    return verdict

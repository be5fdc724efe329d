"""Which device trains, under which `tf.distribute` strategy, precision and compiler.

Automatic, as TensorFlow documents it: several hosts (`TF_CONFIG` set) -> MultiWorkerMirroredStrategy;
several GPUs -> MirroredStrategy; otherwise the default strategy on the one device. A visible GPU
turns on mixed float16 (with loss scaling); a CPU with AMX, mixed bfloat16 (`cpu_precision`). XLA is
on where it is faster: on GPUs always; on a CPU where it measured faster for the run's model
(`decide_xla`, `xla_probe`: measured once per machine and model shape, then remembered).

`GAN_LOGICAL_CPUS=N` splits the CPU into N logical devices and mirrors over them, so the multi-device
path can be exercised on a machine without GPUs (tests do this).
"""

import os
from dataclasses import dataclass, field

import keras
import tensorflow as tf

from gan_core.core.hardware import cpu_bf16_mode, cpu_flags, cpu_name
from gan_core.training import xla_probe
from gan_core.training.xla_probe import xla_auto_mode


@dataclass
class Device:
    kind: str  # "GPU" or "CPU"
    name: str  # human name, e.g. "NVIDIA A100-SXM4-40GB" or the CPU model
    count: int  # devices training in sync on this host
    strategy: tf.distribute.Strategy
    precision: str
    xla: bool
    xla_measurable: bool = False  # --xla auto on one CPU device: decided by `decide_xla`
    xla_note: str = field(default="")  # why XLA is on or off, for people (e.g. "1.58x measured")

    def steps_per_execution(self, requested: int) -> int:
        """Several steps per call only on one replica: with a multi-replica strategy, Keras 3.15's
        multi-step loop fails on distributed iterators ("You must feed a value for placeholder")."""
        return requested if self.count == 1 else 1

    def describe(self) -> str:
        many = f"{self.count} x " if self.count > 1 else ""
        note = f": {self.xla_note}" if self.xla_note else ""
        return f"{many}{self.kind} {self.name} ({self.precision}, XLA {'on' if self.xla else 'off'}{note})"


def gpu_names() -> list[str]:
    names = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name", gpu.name))
    return names


def xla_is_faster(gpu: bool) -> bool:
    """Before measuring: XLA on GPUs; on CPUs (GAN_XLA_AUTO=state) exactly when oneDNN's kernels are off.

    Measured here (benchmarks/LOG.md): with oneDNN on (TensorFlow's default on AVX-512 Xeons), the plain
    CPU step beats XLA (0.93x at 32 px, 0.78x at 64 px); without it (AVX2 EPYCs), XLA is 1.5-3x faster.
    """
    if gpu:
        return True
    return xla_auto_mode() == "state" and not xla_probe.onednn_on()


def cpu_precision() -> str:
    """--precision auto on a CPU: mixed bfloat16 where the CPU has AMX and oneDNN's kernels are on, else float32.

    Measured on a 2-core Xeon with AMX (benchmarks/LOG.md, "What raises the bare step"): DCGAN's bare step
    1.5x faster in bfloat16, and the same digit-judge score at equal time. Without AMX (AVX2 EPYCs, older
    Xeons) bfloat16 is emulated and nothing is gained, so float32 stays. `GAN_CPU_BF16=off` keeps float32
    everywhere (the test suite: its reference grids were drawn in float32).
    """
    if cpu_bf16_mode() == "off":
        return "float32"
    return "mixed_bfloat16" if "amx_bf16" in cpu_flags() and xla_probe.onednn_on() else "float32"


def precision_in_force(precision: str, device_kind: str) -> str:
    """What --precision means on this machine: auto is mixed float16 on a GPU, `cpu_precision()` on a CPU."""
    if precision != "auto":
        return precision
    return "mixed_float16" if device_kind == "GPU" else cpu_precision()


def decide_xla(device: Device, config, log=print) -> None:
    """With --xla auto on one CPU device, XLA where it measured faster for this model (once, then remembered)."""
    if not device.xla_measurable or xla_auto_mode() != "measure":
        return
    verdict = xla_probe.decide(config, log)
    device.xla, device.xla_note = verdict["xla"], f"{verdict['ratio']:.2f}x measured"


def _split_cpu(n: int) -> None:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * n)


def setup(precision: str = "auto", xla: str = "auto") -> Device:
    """Configure TensorFlow for this process; call once, before any model is built."""
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, True)  # share the GPU with the app's previews
    logical_cpus = int(os.environ.get("GAN_LOGICAL_CPUS", "1"))
    if not gpus and logical_cpus > 1:
        _split_cpu(logical_cpus)

    if "TF_CONFIG" in os.environ:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    elif len(gpus) > 1:
        strategy = tf.distribute.MirroredStrategy()
    elif not gpus and logical_cpus > 1:
        strategy = tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    else:
        strategy = tf.distribute.get_strategy()

    precision = precision_in_force(precision, "GPU" if gpus else "CPU")
    keras.mixed_precision.set_global_policy(precision)

    kind, names = ("GPU", gpu_names()) if gpus else ("CPU", [cpu_name()])
    one_cpu = not gpus and strategy.num_replicas_in_sync == 1 and "TF_CONFIG" not in os.environ
    return Device(
        kind=kind,
        name=names[0],
        count=strategy.num_replicas_in_sync,
        strategy=strategy,
        precision=precision,
        # XLA cannot reach mirrored variables on other *logical CPU* devices (a known XLA limit);
        # on GPUs each replica compiles on its own device.
        xla=(xla == "on" or (xla == "auto" and xla_is_faster(bool(gpus))))
        and not (not gpus and strategy.num_replicas_in_sync > 1),
        xla_measurable=xla == "auto" and one_cpu,  # workers of one run must not each decide for themselves
    )

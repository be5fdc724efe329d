"""Which device trains, under which `tf.distribute` strategy, precision and compiler.

Automatic, as TensorFlow documents it: several hosts (`TF_CONFIG` set) -> MultiWorkerMirroredStrategy;
several GPUs -> MirroredStrategy; otherwise the default strategy on the one device. A visible GPU
turns on mixed float16 (with loss scaling). XLA is on by default: it is 1.5-1.8x faster for these
networks on the CPU too (see docs/benchmarks.md).

`GAN_LOGICAL_CPUS=N` splits the CPU into N logical devices and mirrors over them, so the multi-device
path can be exercised on a machine without GPUs (tests do this).
"""

import os
from dataclasses import dataclass

import keras
import tensorflow as tf

from gan_core.hardware import cpu_name


@dataclass
class Device:
    kind: str  # "GPU" or "CPU"
    name: str  # human name, e.g. "NVIDIA A100-SXM4-40GB" or the CPU model
    count: int  # devices training in sync on this host
    strategy: tf.distribute.Strategy
    precision: str
    xla: bool

    def steps_per_execution(self, requested: int) -> int:
        """Several steps per call only on one replica: with a multi-replica strategy, Keras 3.15's
        multi-step loop fails on distributed iterators ("You must feed a value for placeholder")."""
        return requested if self.count == 1 else 1

    def describe(self) -> str:
        many = f"{self.count} x " if self.count > 1 else ""
        return f"{many}{self.kind} {self.name} ({self.precision}, XLA {'on' if self.xla else 'off'})"


def gpu_names() -> list[str]:
    names = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name", gpu.name))
    return names


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

    if precision == "auto":
        precision = "mixed_float16" if gpus else "float32"
    keras.mixed_precision.set_global_policy(precision)

    kind, names = ("GPU", gpu_names()) if gpus else ("CPU", [cpu_name()])
    return Device(
        kind=kind,
        name=names[0],
        count=strategy.num_replicas_in_sync,
        strategy=strategy,
        precision=precision,
        # XLA cannot reach mirrored variables on other *logical CPU* devices (a known XLA limit);
        # on GPUs each replica compiles on its own device and XLA stays on.
        xla=xla != "off" and not (not gpus and strategy.num_replicas_in_sync > 1),
    )

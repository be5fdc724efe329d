"""What machine this is, without importing TensorFlow (the app asks this on every page load).

`gan_core.training.device` decides how TensorFlow trains; this only names the hardware for people.
"""

import os
import platform
import subprocess


def cpu_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith(("model name", "Model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def cpu_name() -> str:
    return f"{cpu_model()}, {cpu_cores()} cores"


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


# the vector units that decide how fast training runs on a CPU, as people name them
VECTOR_UNITS = (("avx2", "AVX2"), ("avx512f", "AVX-512"), ("avx512_bf16", "AVX-512 BF16"), ("amx_bf16", "AMX"))


def cpu_bf16_mode() -> str:
    """GAN_CPU_BF16: auto (bfloat16 on CPUs with AMX, `training.device.cpu_precision`) or off (float32)."""
    mode = os.environ.get("GAN_CPU_BF16", "auto")
    if mode not in ("auto", "off"):
        from gan_core.core.errors import UsageError

        raise UsageError(f"GAN_CPU_BF16 must be auto or off, not {mode!r}")
    return mode


def cpu_vector_units() -> str:
    """E.g. "AVX2, AVX-512, AVX-512 BF16, AMX": the same kind of machine may be a Xeon or an EPYC, 3.7x apart."""
    flags = cpu_flags()
    return ", ".join(name for flag, name in VECTOR_UNITS if flag in flags) or "unknown"


# environment variables that change which CPU kernels TensorFlow and XLA run, so they change the speed
KERNEL_VARIABLES = ("TF_ENABLE_ONEDNN_OPTS", "ONEDNN_MAX_CPU_ISA", "XLA_FLAGS", "TF_XLA_FLAGS")


def kernel_settings() -> dict[str, str]:
    """The ones of KERNEL_VARIABLES that are set: a benchmark names them, the XLA probe keys its verdicts by them."""
    return {name: os.environ[name] for name in KERNEL_VARIABLES if os.environ.get(name)}


def nvidia_gpu_names(timeout: float = 3.0) -> list[str]:
    """NVIDIA GPU names from `nvidia-smi`; [] if there are none (or no driver)."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=timeout, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]

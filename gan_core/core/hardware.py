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


def nvidia_gpu_names(timeout: float = 3.0) -> list[str]:
    """NVIDIA GPU names from `nvidia-smi`; [] if there are none (or no driver)."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=timeout, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]

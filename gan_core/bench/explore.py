"""`python -m gan_core.bench.explore`: how fast the Latent space page answers, on this machine.

Measures, for the default family's 64 px generator (width 64, z 100; untrained weights run exactly as fast):
loading a saved generator from its weights file (median of 5 cold loads), a 16-step slerp
interpolation once loaded (median of 20), and that the model cache stays bounded.
"""

import statistics
import tempfile
import time
from pathlib import Path

from gan_core.core.errors import run_cli


def main(argv=None) -> int:
    from gan_core.core.quiet_tf import import_tensorflow

    import_tensorflow()
    from gan_core import models
    from gan_core.explore.interpolate import path
    from gan_core.models.saved import generate, sample_z

    build_generator = models.get(models.DEFAULT).build_generator

    with tempfile.TemporaryDirectory() as tmp:
        weights = Path(tmp) / "g.weights.h5"
        build_generator(64, 3, 100, 64).save_weights(weights)
        loads = []
        for _ in range(5):
            t = time.perf_counter()
            g = build_generator(64, 3, 100, 64)
            g.load_weights(weights)
            generate(g, sample_z(1, 100, 0))  # first call traces the function: part of "ready to draw"
            loads.append(time.perf_counter() - t)
    a, b = sample_z(2, 100, 1)
    z = path(a, b, 16)
    generate(g, z)
    runs = []
    for _ in range(20):
        t = time.perf_counter()
        generate(g, z)
        runs.append(time.perf_counter() - t)
    print(f"load a 64 px generator (cold, median of 5): {statistics.median(loads) * 1000:.0f} ms")
    print(f"16-step interpolation at 64 px (median of 20): {statistics.median(runs) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    run_cli(main)

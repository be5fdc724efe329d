"""`python -m gan_core.bench.complexity`: how long measuring a 10,000-frame dataset takes (target < 60 s).

    python -m gan_core.bench.complexity                    # cartoon-faces and photo-patches, 10,000 at 64 px
    python -m gan_core.bench.complexity --count 10000 --resolution 128 --repeat 3

The datasets are built once into a scratch folder (not timed). Each measurement is the real
`profile()` with the cache off, repeated (median reported): at the default sample of 1,000 frames, and
with every frame measured, to show what sampling saves. Reading a cached profile is timed too.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from gan_core.bench.scratch import bench_home
from gan_core.complexity.profile import DEFAULT_SAMPLE, profile
from gan_core.core.hardware import cpu_cores, cpu_model

# kept between runs: building 10,000 frames takes longer than measuring them
SCRATCH = Path(tempfile.gettempdir()) / "gan-explorer-bench" / "complexity"


def _median_seconds(repeat: int, name: str, **options) -> tuple[float, dict]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = profile(name, **options)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m gan_core.bench.complexity", description=__doc__.split("\n")[0])
    p.add_argument("--count", type=int, default=10_000)
    p.add_argument("--resolution", type=int, default=64)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--kinds", nargs="+", default=["cartoon-faces", "photo-patches"])
    args = p.parse_args(argv)
    from gan_core.datasets.build import build
    from gan_core.datasets.store import exists, open_dataset

    with bench_home(SCRATCH):
        print(f"machine: {cpu_model()}, {cpu_cores()} cores; {args.count:,} frames at {args.resolution} px, "
              f"median of {args.repeat}")
        for kind in args.kinds:
            name = f"{kind}-{args.count}-{args.resolution}"
            if not exists(name) or open_dataset(name).count != args.count:
                build(kind, count=args.count, resolution=args.resolution, name=name, replace=True)
            sampled, result = _median_seconds(args.repeat, name, use_cache=False)
            full, full_result = _median_seconds(1, name, sample=args.count, use_cache=False)
            profile(name)  # fill the cache
            cached, _ = _median_seconds(args.repeat, name)
            sample = min(DEFAULT_SAMPLE, args.count)
            print(f"{kind}: {sample:,}-frame sample {sampled:.1f} s (complexity {result['complexity']:.1f}); "
                  f"every frame {full:.1f} s (complexity {full_result['complexity']:.1f}); "
                  f"cached {cached * 1000:.0f} ms")


if __name__ == "__main__":
    main()

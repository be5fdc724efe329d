"""A benchmark's own data store and runs: a folder of its own, and the environment put back afterwards.

The commands read `GAN_DATASETS_DIR`, `GAN_CHECKPOINTS_DIR` and `GAN_CACHE_DIR` (the XLA probe's verdicts), so
a benchmark points them at its folder; putting them back lets a benchmark run inside a test or a notebook
without leaving the caller's process aimed at a deleted temporary folder.
"""

import contextlib
import os
import tempfile
from pathlib import Path

STORE = (("GAN_DATASETS_DIR", "datasets"), ("GAN_CHECKPOINTS_DIR", "checkpoints"))
CACHE = ("GAN_CACHE_DIR", "cache")


@contextlib.contextmanager
def bench_home(keep: Path | None = None, *, prefix: str = "gan-bench-", cache: bool = False):
    """Yield the folder the store and runs (and, with `cache`, the XLA probe's cache) point at while inside:
    `keep` (made if missing, kept after) or a temporary one (deleted after)."""
    pairs = STORE + ((CACHE,) if cache else ())
    saved = {key: os.environ.get(key) for key, _ in pairs}
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        home = Path(keep).resolve() if keep else Path(tmp)
        try:
            for key, folder in pairs:
                os.environ[key] = str(home / folder)
            yield home
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

"""Favourite latent vectors, saved by name per run (`checkpoints/<run>/favourites.json`).

A favourite stores z itself, so it survives any change in how seeds map to z; every page and session
reads the same file. Writes are atomic, and each read-modify-write holds an `fcntl` lock on a sibling
file, so browsers saving at once never lose each other's entries. A damaged file reads as empty, and
entries that are not lists of numbers are skipped.
"""

import fcntl
import math
import re
from contextlib import contextmanager

import numpy as np

from gan_core.core.atomic import read_json, write_json
from gan_core.core.errors import UsageError
from gan_core.core.runs import Run
from gan_core.core.schemas import read_favourites

_NAME = re.compile(r"[\w .,'()-]{1,40}")


def _file(run: Run):
    return run.path / "favourites.json"


@contextmanager
def _locked(run: Run):
    with open(run.path / ".favourites.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _valid(z, latent_dim: int | None) -> bool:
    return (isinstance(z, list) and len(z) > 0 and (latent_dim is None or len(z) == latent_dim)
            and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in z))


def load(run: Run, latent_dim: int | None = None) -> dict[str, np.ndarray]:
    """The run's favourites; entries of the wrong shape (or length, given `latent_dim`) are left out."""
    data = read_favourites(_file(run))  # checked against `schemas.FavouriteZ`; the length is checked here
    return {name: np.asarray(z, np.float32) for name, z in data.items() if _valid(z, latent_dim)}


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise UsageError("a favourite's name has 1-40 letters, digits, spaces or simple punctuation")
    return name


def save(run: Run, name: str, z: np.ndarray) -> None:
    name = check_name(name)
    with _locked(run):
        data = read_json(_file(run), {})
        data[name] = [round(float(v), 6) for v in np.asarray(z).ravel()]
        write_json(_file(run), data)


def remove(run: Run, name: str) -> None:
    with _locked(run):
        data = read_json(_file(run), {})
        if data.pop(name, None) is not None:
            write_json(_file(run), data)

"""Favourite latent vectors, saved by name per run (`checkpoints/<run>/favourites.json`).

A favourite stores z itself, so it survives any change in how seeds map to z; every page and session
reads the same file. Writes are atomic, so two browsers saving at once never corrupt it.
"""

import re

import numpy as np

from gan_core.core.atomic import read_json, write_json
from gan_core.core.errors import UsageError
from gan_core.core.runs import Run

_NAME = re.compile(r"^[\w .,'()-]{1,40}$")


def _file(run: Run):
    return run.path / "favourites.json"


def load(run: Run) -> dict[str, np.ndarray]:
    return {name: np.asarray(z, np.float32) for name, z in (read_json(_file(run), {}) or {}).items()}


def save(run: Run, name: str, z: np.ndarray) -> None:
    name = name.strip()
    if not _NAME.match(name):
        raise UsageError("a favourite's name has 1-40 letters, digits, spaces or simple punctuation")
    data = read_json(_file(run), {}) or {}
    data[name] = [round(float(v), 6) for v in np.asarray(z).ravel()]
    write_json(_file(run), data)


def remove(run: Run, name: str) -> None:
    data = read_json(_file(run), {}) or {}
    if data.pop(name, None) is not None:
        write_json(_file(run), data)

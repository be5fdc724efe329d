"""Which runs are using a dataset right now (queued or training), so it is not deleted or replaced under them.

It lives in core, beside the run directory and the run lock it reads, so that the dataset store can ask
it without importing training (docs/architecture.md: imports run only downward).
"""

from gan_core.core import runlock
from gan_core.core.runs import Run, list_runs


def runs_using(dataset: str) -> list[Run]:
    """Runs queued or training on `dataset` right now (a queued run has no config yet: its status names it)."""
    found = {}
    for r in list_runs():
        if r.config().get("dataset", r.status().get("dataset")) == dataset and (
                runlock.is_held(r.name) or r.status().get("state") in ("running", "queued")):
            found[r.name] = r
    for name, used in runlock.held_datasets().items():  # a trainer still starting: no run files yet
        if used == dataset and name not in found:
            found[name] = Run(name)
    return [found[n] for n in sorted(found)]

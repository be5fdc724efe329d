"""The hosted-GPU notebook's parameters cell, and the notebook filled in with a dataset and settings.

The notebook (`train_on_gpu.ipynb` beside this file, written by `scripts/make_notebook.py`) has one code cell
tagged `parameters` (papermill's convention); everything the person may change is there. `filled_notebook`
rewrites only that cell, so the Train page can hand over a notebook that trains the run it was shown.
"""

import copy
import json
import textwrap
from pathlib import Path

TEMPLATE = Path(__file__).with_name("train_on_gpu.ipynb")

# name -> (default, the comment shown beside it in the notebook)
PARAMETERS = {
    "DATA": ("cartoon-faces.dataset.zip",
             "uploaded beside this notebook: a dataset archive (.dataset.zip, from the app or gan-transfer "
             "export-dataset), a .zip of pictures, or a video"),
    "DATASET": ("cartoon-faces", "the dataset's name here (an archive keeps its own name unless this differs)"),
    "RUN": ("cartoon-faces-gpu", "the run's name; if it already exists where progress is kept, it is resumed"),
    "SETTINGS": ({"resolution": 64, "epochs": 1000, "batch_size": 128},
                 "python -m gan_core.train flags, without dashes (arch, resolution, epochs, batch_size, lr_g...); "
                 "a resumed run keeps its own, except epochs"),
    "MINUTES": (120.0, "stop by itself after this many minutes of training, with a checkpoint (None: no limit)"),
    "KEEP_PROGRESS_IN": ("", "folder for runs: '' = Google Drive on Colab if you allow it, else /content; "
                         "/kaggle/working on Kaggle"),
    "USE_GOOGLE_DRIVE": (True, "on Colab, ask to mount Google Drive so a disconnect loses nothing"),
    "SOURCE": ("", "what pip installs when no gan_explorer-*.whl is beside the notebook: the project's git URL "
               "(git+https://...) or a folder"),
    "PIP_OPTIONS": ("", "extra pip options, e.g. '--no-index' offline"),
    "IMPORT_OPTIONS": ({"resolution": 64}, "for a zip of pictures or a video: datasets import-images/import-video "
                       "flags without dashes (resolution, fps, ...)"),
    "POLL_SECONDS": (30, "how often the progress below is redrawn"),
}


def parameters_source(values: dict | None = None) -> str:
    """The parameters cell's code: every parameter as `NAME = value  # what it is`, `values` over the defaults."""
    unknown = set(values or {}) - set(PARAMETERS)
    if unknown:
        raise ValueError(f"unknown notebook parameters: {', '.join(sorted(unknown))}")
    lines = ["# Parameters: change these, then Runtime > Run all (Colab) or Run All (Kaggle).", ""]
    for name, (default, comment) in PARAMETERS.items():
        value = (values or {}).get(name, default)
        comment_lines = textwrap.wrap(comment, 100, break_on_hyphens=False)
        lines += [*(f"# {line}" for line in comment_lines), f"{name} = {_literal(value)}"]
    return "\n".join(lines)


def _literal(value) -> str:
    """A Python literal that reads like one (JSON's true/null spelled as Python's)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def read_template() -> dict:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def parameters_cell(notebook: dict) -> dict:
    cells = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"the notebook has {len(cells)} cells tagged 'parameters', not one")
    return cells[0]


def with_parameters(values: dict, notebook: dict | None = None) -> dict:
    """A copy of the notebook (default: the template) whose parameters cell holds `values` over the defaults."""
    notebook = copy.deepcopy(notebook if notebook is not None else read_template())
    parameters_cell(notebook)["source"] = parameters_source(values)
    return notebook


def notebook_values(settings: dict, dataset_file: str, *, minutes: float | None = None) -> dict:
    """The Train page's chosen dataset and settings as the notebook's parameters."""
    flags = {k: v for k, v in settings.items() if k not in ("dataset", "run") and v is not None}
    values = {"DATA": dataset_file, "DATASET": settings["dataset"], "RUN": settings["run"],
              "SETTINGS": json.loads(json.dumps(flags))}  # plain numbers, strings and booleans
    if minutes is not None:
        values["MINUTES"] = float(minutes)
    return values


def filled_notebook(settings: dict, dataset_file: str, *, minutes: float | None = None) -> bytes:
    """The notebook, as .ipynb bytes, set to import `dataset_file` and train `settings` (the run's name, dataset
    and trainer flags, as the Train page holds them), for `minutes` if given."""
    notebook = with_parameters(notebook_values(settings, dataset_file, minutes=minutes))
    return (json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

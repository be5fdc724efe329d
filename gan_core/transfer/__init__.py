"""Runs and datasets that travel: one zip archive each, made on one machine and imported on another.

    from gan_core.transfer import export_run, export_dataset, import_archive
    export_run("faces-demo", Path("faces-demo.run.zip"))          # with the training state, for --resume
    export_dataset("cartoon-faces", Path("cartoon-faces.dataset.zip"))
    kind, name = import_archive(Path("faces-demo.run.zip"), name="faces-gpu")

The format and its limits: `archive.py`; writing: `export.py`; checking and importing: `unpack.py`;
the command line: `python -m gan_core.transfer` (`gan-transfer`). No TensorFlow is imported here.
"""

from gan_core.transfer.export import default_file_name, export_dataset, export_run
from gan_core.transfer.unpack import import_archive

__all__ = ["default_file_name", "export_dataset", "export_run", "import_archive"]

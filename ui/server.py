"""`python -m ui.server [streamlit run options]` (installed: `gan-explorer`): the app's server, its heavy
libraries imported before anyone comes.

`streamlit run app.py` imports nothing until the first person opens a page, so the first visits after a start
also waited for TensorFlow, scikit-learn and the rest (`ui/preload.py`): 7-11 s of the 20 s a first visit may
take on a 2-core machine with a run training (docs/benchmarks.md, "The Latent space page in a room"). Here they
are imported in the main thread before the server answers, as a web server's preload option does, so that wait
is part of starting up. The pages still import `ui.preload` first (it is then already done), so
`streamlit run app.py` keeps working.

The app is the checkout's `app.py`, or the installed copy (`ui/app_files.py`), with the project's Streamlit
settings; the data folders are those of the folder it is started in (`checkpoints/`, `datasets/`, or
`GAN_CHECKPOINTS_DIR` / `GAN_DATASETS_DIR`), made absolute so the trainers it starts write to the same place.
"""

import os
import sys

from gan_core.core.paths import checkpoints_dir, datasets_dir
from ui.app_files import app_script, config_flags


def main(argv: list[str]) -> None:
    if any(arg in ("-h", "--help") for arg in argv):
        print(f"usage: gan-explorer [streamlit run options]   (python -m ui.server)\n\n"
              f"Serves GAN Explorer ({app_script()}) with runs in {checkpoints_dir()} and datasets in "
              f"{datasets_dir()}\n(GAN_CHECKPOINTS_DIR, GAN_DATASETS_DIR move them). Options go to `streamlit run`, "
              "e.g. --server.address 0.0.0.0 --server.port 8501.")
        return
    os.environ["GAN_CHECKPOINTS_DIR"] = str(checkpoints_dir())
    os.environ["GAN_DATASETS_DIR"] = str(datasets_dir())
    import ui.preload  # noqa: F401  (the imports themselves, before Streamlit's)

    # isort: split
    from streamlit.web import cli

    cli.main(["run", str(app_script()), *config_flags(argv), *argv], prog_name="streamlit")


def cli() -> None:
    """The `gan-explorer` command."""
    main(sys.argv[1:])


if __name__ == "__main__":
    cli()

"""`python -m ui.server [streamlit run options]`: the app's server, its heavy libraries imported before anyone comes.

`streamlit run app.py` imports nothing until the first person opens a page, so the first visits after a start
also waited for TensorFlow, scikit-learn and the rest (`ui/preload.py`): 7-11 s of the 20 s a first visit may
take on a 2-core machine with a run training (benchmarks/LOG.md, "The Latent space page in a room"). Here they
are imported in the main thread before the server answers, as a web server's preload option does, so that wait
is part of starting up. The pages still import `ui.preload` first (it is then already done), so
`streamlit run app.py` keeps working.
"""

import sys

import ui.preload  # noqa: F401  (the imports themselves)

# isort: split
from streamlit.web import cli


def main(argv: list[str]) -> None:
    cli.main(["run", "app.py", *argv], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])

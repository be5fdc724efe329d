"""`python -m gan_core.bench`: how fast the training engine is, per GAN family, next to its bare train step.

The measurement lives in `gan_core.training.bench` (its docstring says what is timed and why); the
other benchmarks follow the same pattern, `python -m gan_core.<package>.bench` (docs/benchmarks.md).
"""

from gan_core.core.errors import run_cli
from gan_core.training.bench import main


def cli() -> None:
    """The installed command (pyproject.toml); the same as `python -m`."""
    run_cli(main)


if __name__ == "__main__":
    cli()

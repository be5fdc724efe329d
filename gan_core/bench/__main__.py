"""`python -m gan_core.bench`: how fast the training engine is, per GAN family, next to its bare train step.

The measurement lives in `gan_core.bench.engine` (its docstring says what is timed and why); the other
benchmarks are the package's other modules, `python -m gan_core.bench.<name>` (listed in its __init__).
"""

from gan_core.bench.engine import main
from gan_core.core.errors import run_cli


def cli() -> None:
    """The installed command `gan-bench` (pyproject.toml); the same as `python -m gan_core.bench`."""
    run_cli(main)


if __name__ == "__main__":
    cli()

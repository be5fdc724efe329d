"""One error type for bad user input, and the wrapper that turns it into one line on stderr.

Every command line promises "one clear line and a non-zero exit, no traceback" for bad input; raising
`UsageError` anywhere below a CLI entry point keeps that promise.
"""

import argparse
import os
import sys
from collections.abc import Callable


class UsageError(Exception):
    """Bad input from a user: the message is shown as is, without a traceback."""


class CliParser(argparse.ArgumentParser):
    """argparse, but a bad option is one `error: ...` line (no usage block), like every other bad input."""

    def error(self, message: str):
        raise UsageError(f"{message} (see {self.prog} --help)")


def seed_arg(text: str) -> int:
    """An argparse type for seeds: numpy and Keras take 0 .. 2**32 - 1, anything else is a user error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {text!r}: use a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"seed {value} is out of range: use 0 to {2**32 - 1}")
    return value


def finite_arg(text: str) -> float:
    """An argparse type for a real number that must be finite (no nan, no inf)."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def run_cli(main: Callable[[list[str] | None], int | None], argv: list[str] | None = None) -> None:
    """Run a CLI `main`, mapping user errors to `error: ...` on stderr and exit status 2."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        code = main(argv)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    except OSError as exc:  # an output path that cannot be written (a folder, /proc, no permission, disk full)
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or type(exc).__name__}{where}", file=sys.stderr)
        sys.exit(1)
    sys.exit(code or 0)

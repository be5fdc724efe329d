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
    sys.exit(code or 0)

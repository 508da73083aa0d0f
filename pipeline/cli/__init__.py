"""`kkwna`: the terminal side of the pipeline, one module per group of commands.

Each command parses, calls one function, and lets `base.friendly` map errors to an exit
code: 0 done, 1 a user error (one line), 2 bad usage, 70 an internal error.
"""

from __future__ import annotations

from pipeline.cli.base import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="kkwna")

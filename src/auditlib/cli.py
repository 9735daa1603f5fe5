"""The ``auditlib`` command line (thin: every command calls into the library).

Each sub-command lives in its own module under :mod:`auditlib.commands` and is registered
below. Errors deriving from :class:`auditlib.errors.AuditError` are printed as a readable
message (and a table of problems when there are several) with exit code 2, never a
traceback.
"""

from __future__ import annotations

import sys

import click

from auditlib import __version__
from auditlib.commands.common import run_guarded

COMMAND_MODULES: tuple[str, ...] = (
    # "module:attribute" of each click command or group; order is the order in --help.
    "auditlib.commands.synth:synth",
    "auditlib.commands.validate:validate",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditlib")
def cli() -> None:
    """Audit China's minimum living allowance (低保 Dibao) county by county.

    Draw reproducible samples, score risk, estimate inclusion-error (错保), improper
    payments and omission (漏保) with confidence intervals, and render reports.
    """


def _register() -> None:
    import importlib

    for spec in COMMAND_MODULES:
        module_name, attribute = spec.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``auditlib`` console script."""
    sys.exit(run_guarded(cli, argv))

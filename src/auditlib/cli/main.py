"""The ``auditlib`` command line (thin: every command calls into the library).

Each sub-command lives in its own module under :mod:`auditlib.cli` and is registered
below. Errors deriving from :class:`auditlib.errors.AuditError` are printed as a readable
message (and a table of problems when there are several) with exit code 2, never a
traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from auditlib.cli.common import FullHelpGroup, run_guarded

COMMAND_MODULES: tuple[str, ...] = (
    # "module:attribute" of each click command or group; order is the order in --help.
    "auditlib.cli.synth:synth",
    "auditlib.cli.validate:validate",
    "auditlib.cli.risk:risk",
    "auditlib.cli.sample:sample",
    "auditlib.cli.fieldwork:fieldwork",
    "auditlib.cli.plan:plan",
    "auditlib.cli.simulate:simulate",
    "auditlib.cli.report:report",
    "auditlib.cli.batch:batch",
    "auditlib.cli.province:province",
    "auditlib.cli.crosscheck:crosscheck",
    "auditlib.cli.verify:verify",
    "auditlib.cli.demo:demo",
)


class LazyGroup(FullHelpGroup):
    """A click group that imports each sub-command's module only when it is used.

    Keeps ``auditlib --help`` fast (no pandas, scikit-learn or papermill imported) and keeps
    each command in its own module. The command's name is the attribute's name (with ``_``
    written as ``-``).
    """

    def _specs(self) -> dict[str, str]:
        return {spec.split(":")[1].replace("_", "-"): spec for spec in COMMAND_MODULES}

    def list_commands(self, ctx: click.Context) -> list[str]:
        available = [
            name
            for name, spec in self._specs().items()
            if importlib.util.find_spec(spec.split(":")[0]) is not None
        ]
        return sorted([*super().list_commands(ctx), *available])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = self._specs().get(cmd_name)
        if spec is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = spec.split(":")
        if importlib.util.find_spec(module_name) is None:
            return None
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{spec} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="auditlib", prog_name="auditlib")
def cli() -> None:
    """Audit China's minimum living allowance (低保 Dibao) county by county.

    Draw reproducible samples, score risk, estimate inclusion-error (错保), improper
    payments and omission (漏保) with confidence intervals, and render reports.
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``auditlib`` console script."""
    sys.exit(run_guarded(cli, argv))

"""``python -m auditlib``: the same as the ``auditlib`` command."""

from auditlib.cli.main import main

main()

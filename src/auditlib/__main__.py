"""``python -m auditlib``: the same as the ``auditlib`` command."""

from auditlib.cli import main

main()

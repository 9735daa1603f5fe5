"""Sub-commands of the ``auditlib`` command line, one module each."""

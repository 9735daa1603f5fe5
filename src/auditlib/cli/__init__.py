"""The ``auditlib`` command: ``main`` (the click group, sub-commands imported lazily) and one
module per command.
"""

"""``onething audit``: the closed loop's hash-chained audit log (see loop_cmd)."""

from .loop_cmd import make_audit as make

__all__ = ["make"]

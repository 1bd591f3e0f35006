"""``onething events``: host-platform events into the closed loop (see loop_cmd)."""

from .loop_cmd import make_events as make

__all__ = ["make"]

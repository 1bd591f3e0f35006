"""The pluggy markers. Only ``hookimpl`` is public (re-exported from ``onething``)."""

import pluggy

PROJECT = "onething"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

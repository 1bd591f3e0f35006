"""onething domain plugin: 职业技能培训 (Vocational skills training).

The rules are data in ``data/``; see this plugin's README for sources and overrides. The only
code is the synthetic-attribute generator (``synth.py``): drawn one by one, attributes would give
schools more trainees than workstations could ever carry or evaluation bodies a licence scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onething import DataDomain, hookimpl
from onething.model import SupervisedObject

from .synth import synth_attributes

ONETHING_API = 1

__all__ = ["ONETHING_API", "TrainingDomain", "plugin"]


class TrainingDomain(DataDomain):
    """The training rules as data, plus realistic synthetic attributes."""

    @hookimpl
    def onething_synth_attributes(
        self, objects: Sequence[SupervisedObject], seed: int
    ) -> Sequence[dict[str, Any]]:
        return synth_attributes(objects, self.code, seed)


plugin = TrainingDomain(__name__)

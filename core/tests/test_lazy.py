"""Lazy re-exports (onething._lazy) where a name is also its module's name."""

import subprocess
import sys

PROBE = """
import types
from onething.model import make_converter  # imports onething.model.converter first
from onething.model import converter
assert not isinstance(converter, types.ModuleType), converter
assert converter.structure({"a": 1}, dict) == {"a": 1}
import onething
onething.discover  # imports onething.plugins, which is no re-exported name: it stays
assert isinstance(onething.plugins, types.ModuleType)
"""


def test_a_name_re_exported_from_its_namesake_module_is_not_shadowed_by_the_module():
    # a fresh interpreter: in this one the names are long imported
    subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True)

"""onething domain plugin: 医疗服务 (Medical services).

The rules are data in ``data/``; see this plugin's README for sources and overrides.
"""

from onething import DataDomain

ONETHING_API = 1
plugin = DataDomain(__name__)

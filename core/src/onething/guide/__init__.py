"""合规指引 (compliance guide): the element guide (全要素监管指南) and the process flowchart
(全环节监管流程图) of a domain, of the whole deployment or of one registry object, generated
from the rules in force on a day with the city layer applied."""

from .build import build_guide
from .business import object_guide
from .model import Guide
from .render import render_html, render_markdown, render_pdf

__all__ = ["Guide", "build_guide", "object_guide", "render_html", "render_markdown", "render_pdf"]

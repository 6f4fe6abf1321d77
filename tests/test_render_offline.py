"""Rendered notebooks open offline: the HTML template loads no script from the web."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parent.parent / "scripts" / "nbconvert" / "offline.html.j2"


def test_rendered_notebook_loads_no_script_from_the_web() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# x"), nbformat.v4.new_code_cell("1 + 1")]
    html, _ = nbconvert.HTMLExporter(template_file=str(TEMPLATE)).from_notebook_node(nb)
    assert "<h1" in html  # the notebook itself is there
    remote = re.findall(r"<script[^>]*\bsrc=[\"']?(?:https?:)?//", html)
    assert not remote, remote
    assert "mathjax" not in html.lower()
    assert "require.min.js" not in html
    # the stock template would load both: the test can fail
    stock, _ = nbconvert.HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert re.search(r"<script[^>]*\bsrc=[\"']?(?:https?:)?//", stock)

"""Line numbers of link ids in a GeoJSON text, found with one scan."""

from __future__ import annotations

import json

from corridors.data.checks.base import QuotedLines, line_of


def test_each_quoted_value_is_on_the_line_a_search_finds() -> None:
    features = [
        {"type": "Feature", "properties": {"id": f"link-{i}", "note": 'say "link-3"'}}
        for i in range(40)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, indent=1)
    lines = QuotedLines(text)
    checked = 0
    for i in range(40):
        assert lines.line(f"link-{i}") == line_of(text, f'"link-{i}"')
        checked += 1
    assert checked == 40
    # the id's own line, well past the first line of a pretty-printed file
    assert lines.line("link-39") > 200
    assert lines.line("absent") == 0

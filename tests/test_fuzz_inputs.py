"""Property tests where hostile input got through: geodata tables, GeoJSON, cache files, YAML.

Each property runs the profile's number of examples (100 in the suite; 10,000 with
``HYPOTHESIS_PROFILE=thorough``, run before each release).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas.testing as pdt
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridors
from corridors.data import geodata as reader
from corridors.data.geodata import read_geodata, read_line_shapes
from corridors.data.schema import TABLES
from corridors.data.validation import structural_problems
from corridors.graph import cache as disk
from corridors.graph.network import Network
from corridors.scenarios.yaml_lines import load_yaml

FIXTURE_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

# -- strategies -------------------------------------------------------------------------------
#: Cell text with what broke readers before: quotes, separators, line breaks, control
#: characters, numbers out of range, other scripts.
cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "1e308", "-1", "nan", "inf", "0", "true", "KZ", "a|b", '"', "\x00", "\x1b[2J"]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def table_csv(draw: st.DrawFn, name: str) -> str:
    """A CSV file for a geodata table: the real header (sometimes cut) and hostile rows."""
    header = [c.name for c in TABLES[name]]
    if draw(st.booleans()):
        header = draw(st.permutations(header))[: draw(st.integers(0, len(header)))]
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    return text[: draw(st.integers(0, len(text)))] if draw(st.booleans()) else text


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def geojson_text(draw: st.DrawFn) -> str:
    """Link geometry files: well-formed features with broken parts, or any JSON, or cut text."""
    feature = st.fixed_dictionaries(
        {
            "type": st.just("Feature"),
            "properties": st.one_of(
                st.fixed_dictionaries({"id": st.text(max_size=6)}), json_values
            ),
            "geometry": st.one_of(
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["LineString", "Point", "Polygon"]),
                        "coordinates": json_values,
                    }
                ),
                json_values,
            ),
        }
    )
    doc = draw(
        st.one_of(
            st.fixed_dictionaries(
                {"type": st.just("FeatureCollection"), "features": st.lists(feature, max_size=4)}
            ),
            json_values,
        )
    )
    text = json.dumps(doc)
    return text[: draw(st.integers(0, len(text)))] if draw(st.booleans()) else text


# -- geodata tables ---------------------------------------------------------------------------
@settings(suppress_health_check=FIXTURE_OK)
@given(nodes=table_csv("nodes"), links=table_csv("links"))
def test_any_nodes_and_links_tables_give_problems_not_exceptions(
    tmp_path_factory: pytest.TempPathFactory, nodes: str, links: str
) -> None:
    folder = tmp_path_factory.mktemp("geodata")
    (folder / "nodes.csv").write_text(nodes, encoding="utf-8")
    (folder / "links.csv").write_text(links, encoding="utf-8")
    geodata = read_geodata(folder, strict=False)
    problems = [*geodata.problems, *structural_problems(geodata)]
    assert problems  # the other tables are missing, at least
    for problem in problems:
        assert "\n" not in problem.message
        assert "\x1b" not in problem.message and "\x00" not in problem.message


#: Cells a plain reader meets: numbers, words, separators and quotes, spaces of two kinds.
plain_cells = st.one_of(
    st.text(alphabet=' ,"|.-+eE0123456789abxyzé\u00a0', max_size=8),
    st.sampled_from(["", "1.5", " 7 ", "-0", "nan", "inf", "1e400", "true", "no", "a | b"]),
)
#: What makes a file not plain when it is in a cell.
not_plain_cells = st.sampled_from(["\n", "\r", "\x1b", "\x85", "x\r\ny", '"open'])


#: The ways :func:`any_table_csv` spoils one table in three.
SPOILS = ["cell", "blank", "cr", "long", "short", "cut"]


@st.composite
def any_table_csv(draw: st.DrawFn, name: str) -> str:
    """A table's file as a writer quotes it or its cells joined by hand (stray quotes), one
    time in three spoilt one way: a cell with a line break or control character, a blank
    line, a lone carriage return, a row longer or shorter than the header, or cut short."""
    header = [c.name for c in TABLES[name]]
    if draw(st.booleans()):
        header = draw(st.permutations(header))[: draw(st.integers(0, len(header)))]
    width = len(header)
    rows = draw(st.lists(st.lists(plain_cells, min_size=width, max_size=width), max_size=6))
    spoil = draw(st.sampled_from(SPOILS)) if draw(st.integers(0, 2)) == 0 else ""
    if rows and spoil in ("cell", "long", "short"):
        at = draw(st.integers(0, len(rows) - 1))
        if spoil == "cell" and width:
            rows[at][draw(st.integers(0, width - 1))] = draw(not_plain_cells)
        elif spoil == "long":
            rows[at] = [*rows[at], "x"]
        else:
            rows[at] = rows[at][: width // 2]
    end = draw(st.sampled_from(["\n", "\r\n"]))
    if draw(st.booleans()):
        out = io.StringIO()
        csv.writer(out, lineterminator=end).writerows([header, *rows])
        lines = out.getvalue().split(end)[:-1]
    else:
        lines = [",".join(row) for row in [header, *rows]]
    ends = [end] * len(lines)
    at = draw(st.integers(0, len(lines) - 1))
    if spoil == "blank":
        lines.insert(at, "")
        ends.insert(at, end)
    elif spoil == "cr":
        ends[at] = "\r"
    text = "".join(line + e for line, e in zip(lines, ends, strict=True))
    if spoil == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    if draw(st.integers(0, 4)) == 0:
        text = "\ufeff" + text
    return text


def test_a_table_read_by_pandas_tokenizer_is_read_as_the_csv_module_reads_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Where the plain reader takes a file, its table and problems are the record reader's.

    The property counts how often the plain reader took a file and how often it left it to
    the csv module, and both must have happened.
    """
    seen: Counter[str] = Counter()

    @settings(suppress_health_check=FIXTURE_OK)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(["links", "nodes", "speeds"]))
        text = data.draw(any_table_csv(name))
        path = tmp_path_factory.mktemp("table") / f"{name}.csv"
        path.write_bytes(text.encode("utf-8"))
        chunk = data.draw(st.sampled_from([2, reader.CHUNK_ROWS]))
        with pytest.MonkeyPatch.context() as m:
            m.setattr(reader, "CHUNK_ROWS", chunk)
            plain_problems: list[reader.Problem] = []
            plain = reader._read_plain_csv(path, name, plain_problems)
        seen["taken" if plain is not None else "left"] += 1
        if plain is None:
            assert plain_problems == []
            return
        problems: list[reader.Problem] = []
        expected = reader._read_csv(path, name, problems, by_chunk=False)
        pdt.assert_frame_equal(plain, expected)
        assert plain_problems == problems

    check()
    assert seen["taken"] >= 10, seen
    assert seen["left"] >= 10, seen


@given(text=geojson_text())
def test_any_link_geometry_parses_or_is_one_geodata_error(text: str) -> None:
    try:
        shapes = read_line_shapes(text)
    except corridors.GeodataError as err:
        assert "\n" not in str(err)
    else:
        for points in shapes.values():
            assert len(points) >= 2 and all(len(p) == 2 for p in points)


# -- cache files ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cache_doc(net: Network) -> str:
    graphs = {pid: net.routing_graph(pid) for pid in net.profiles}
    parts = disk.Parts(net.geodata, net.G, graphs, net.profiles)
    return json.dumps(disk.encode(parts), separators=(",", ":"))


@settings(suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_damaged_cache_files_are_refused_never_raise(
    net: Network, cache_doc: str, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path(tempfile.mkdtemp())  # 0700, the user's own
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(folder))
    raw = cache_doc.encode()
    how = data.draw(st.sampled_from(["cut", "flip", "splice", "json"]))
    if how == "cut":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif how == "flip":
        at = data.draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([data.draw(st.integers(0, 255))]) + raw[at + 1 :]
    elif how == "splice":
        at = data.draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + json.dumps(data.draw(json_values)).encode() + raw[at:]
    else:
        raw = json.dumps(data.draw(json_values)).encode()
    path = disk.cache_path(net.digest, folder)
    path.write_bytes(raw)
    parts = disk.read(path, net.geodata.folder, net.digest)  # never raises
    if parts is None:
        assert not path.exists()  # discarded, to be rebuilt
    else:
        assert parts.geodata.digest == net.digest


# -- YAML with anchors and aliases ------------------------------------------------------------
yaml_leaves = st.one_of(st.text(max_size=6), st.integers(), st.booleans(), st.none())


@st.composite
def aliased_yaml(draw: st.DrawFn) -> str:
    """YAML whose dump repeats an object, so it carries an anchor and aliases."""
    shared = draw(
        st.recursive(
            st.lists(yaml_leaves, min_size=1, max_size=3),
            lambda inner: st.lists(inner, min_size=1, max_size=3),
            max_leaves=10,
        )
    )
    depth = draw(st.integers(1, 6))
    doc: object = shared
    for _ in range(depth):
        doc = [doc] * draw(st.integers(2, 9))  # the same object again: an alias per copy
    return yaml.safe_dump({"name": "x", "cites": ["seed-003"], "changes": doc})


@given(text=aliased_yaml())
def test_yaml_with_aliases_is_refused_at_once(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.getbasetemp() / "aliased.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(corridors.ScenarioError, match="anchors and aliases"):
        load_yaml(path)
    assert time.monotonic() - start < 2


@given(text=st.text(alphabet="&*ab: -[]{},\n\x1b'\"!|>#", max_size=60))
def test_any_yaml_text_loads_or_is_one_scenario_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.getbasetemp() / "any.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_yaml(path)
    except corridors.ScenarioError as err:
        assert "\n" not in str(err).strip()


def test_the_thorough_profile_is_registered() -> None:
    assert settings.get_profile("thorough").max_examples >= 10_000
    expected = 10_000 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 100
    assert settings.default.max_examples == expected

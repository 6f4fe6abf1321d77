"""Tables read a chunk of records at a time, and checks that pick from whole columns the rows
that may have a problem, find exactly what reading a record at a time and checking every row
finds."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas.testing as pdt
import pytest

from corridors.data import geodata as reader
from corridors.data.checks import base
from corridors.data.checks.geography import GeographyChecks
from corridors.data.checks.values import ValueChecks
from corridors.data.geodata import Problem
from corridors.data.locate import geodata_dir
from corridors.data.validation import check_folder, structural_problems

from .test_checks_streamed import _spoil_tables


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), folder)
    return folder


def _edit(path: Path, edits: dict[int, dict[str, str]], blank_at: int | None = None) -> None:
    """Set cells of rows (counted from the first after the header) of a CSV file."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for i, cells in edits.items():
        for name, value in cells.items():
            rows[i + 1][header.index(name)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    lines = out.getvalue().splitlines(keepends=True)
    if blank_at is not None:
        lines.insert(blank_at, "\n")
    path.write_text("".join(lines), encoding="utf-8")


def _spoil_more(folder: Path) -> None:
    """Spoil rows every row check words: kinds, modes, gauges, methods, ranges, defaults."""
    _edit(
        folder / "links.csv",
        {
            40: {"mode": "rial"},
            41: {"status": "planed"},
            42: {"mode": "road", "gauge_mm": "1520"},
            43: {"mode": "rail", "gauge_mm": "1000"},
            44: {"length_method": "geodesic_factor:0.5"},
            45: {"length_method": "guessed"},
            46: {"length_km_low": "9000"},
            47: {"open_year": "1700"},
            48: {"speed_kph": "5000"},
            49: {"headway_h": "-1"},
            50: {"capacity": "-5"},
            51: {"length_km": "0.5"},
            52: {"length_method": "geodesic_factor:1.9"},
        },
        blank_at=60,
    )
    _edit(folder / "nodes.csv", {8: {"kind": "harbour", "country": "kz"}})
    # no default road speed: the row of country `*` for road is dropped
    speeds = (folder / "speeds.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [s for s in speeds if ",road,*," not in s]
    (folder / "speeds.csv").write_text("".join(kept), encoding="utf-8")


def _every_row(m: pytest.MonkeyPatch) -> None:
    """Make the checks walk every row, as they did before picking rows from the columns."""

    def everything(self: base.Base, name: str) -> np.ndarray:
        return np.ones(len(self.rows[name]), dtype=bool)

    m.setattr(ValueChecks, "node_suspects", lambda self: everything(self, "nodes"))
    m.setattr(ValueChecks, "link_suspects", lambda self: everything(self, "links"))
    m.setattr(GeographyChecks, "nodes_outside", lambda self: everything(self, "nodes"))
    m.setattr(GeographyChecks, "lengths_off", lambda self: everything(self, "links"))
    # not plain text: the default-row checks walk the links' rows
    m.setattr(base.TableRows, "plain", lambda self, name: False)


def test_checks_on_columns_find_what_checking_every_row_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy(tmp_path)
    _spoil_tables(folder)
    _spoil_more(folder)
    usual = check_folder(folder)
    structural = structural_problems(reader.read_geodata(folder, strict=False))
    with monkeypatch.context() as m:
        _every_row(m)
        walked = check_folder(folder)
        walked_structural = structural_problems(reader.read_geodata(folder, strict=False))
    assert str(usual) == str(walked)
    assert usual.by_check == walked.by_check
    assert structural == walked_structural
    text = str(usual)
    for fragment in (
        "'rial'",
        "'planed'",
        "gauge_mm 1520 is set on a road link",
        "gauge_mm 1000 is not a gauge",
        "needs a factor of at least 1",
        "length_method 'guessed'",
        "length_km_low 9000 is greater than",
        "open_year 1700",
        "speed_kph 5000 is larger",
        "headway_h -1 is not valid",
        "capacity -5 is not valid",
        "length_km 0.5 is shorter than",
        "does not match its length_method geodesic_factor:1.9",
        "'harbour'",
        "country 'kz' is not an ISO",
        "no default speed for road",
        "xx-nowhere",
        "duplicate id",
    ):
        assert fragment in text, fragment


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(lines), encoding="utf-8")


def _both(path: Path, name: str) -> tuple[object, list[Problem], object, list[Problem]]:
    by_chunk: list[Problem] = []
    by_record: list[Problem] = []
    a = reader._read_table(path.parent, name, by_chunk)
    b = reader._read_csv(path, name, by_record, by_chunk=False)
    return a, by_chunk, b, by_record


def test_tables_read_by_chunk_as_by_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "CHUNK_ROWS", 3)
    speeds = geodata_dir(None) / "speeds.csv"
    lines = speeds.read_text(encoding="utf-8").splitlines(keepends=True)
    spoilt = [*lines[:3], "\n", "\n", lines[3].rstrip("\n") + ",extra,cells\n", *lines[4:]]
    spoilt.insert(7, "rs-x,rail,RS,fast,,,s,,\n")  # a speed that is no number
    spoilt.insert(9, "rs-y,rail,,,,,s,,\n")  # an empty required speed
    path = tmp_path / "speeds.csv"
    _write(path, spoilt)
    a, pa, b, pb = _both(path, "speeds")
    pdt.assert_frame_equal(a, b)
    assert pa == pb
    assert [p.row for p in pa] == [6, 8, 10]
    # a quoted cell across two lines: the record's line is where it starts, as read by record
    quoted = [*spoilt[:4], 'rs-q,rail,RS,50,,,s,,"two\nlines"\n', *spoilt[4:]]
    _write(path, quoted)
    problems: list[Problem] = []
    with pytest.raises(reader._ReadAgainError):
        reader._read_csv(path, "speeds", problems, by_chunk=True)
    assert problems == []
    a, pa, b, pb = _both(path, "speeds")
    pdt.assert_frame_equal(a, b)
    assert pa == pb
    assert [p.row for p in pa] == [8, 10, 12]


def test_the_plain_reader_leaves_records_that_are_not_lines_to_the_csv_module(
    tmp_path: Path,
) -> None:
    speeds = geodata_dir(None) / "speeds.csv"
    lines = speeds.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "speeds.csv"
    _write(path, lines)
    problems: list[Problem] = []
    plain = reader._read_plain_csv(path, "speeds", problems)
    assert plain is not None and len(plain) == len(lines) - 1
    assert plain["_line"].tolist() == list(range(2, len(lines) + 1))
    quoted = [*lines[:3], 'rs-q,rail,RS,50,,,s,,"two\nlines"\n', *lines[3:]]
    # a quoted line break; a blank line; a quoted line break and a lone carriage return,
    # whose records count as many as the lines; control characters below and above U+0080
    for spoilt in (
        quoted,
        [*lines[:3], "\n", *lines[3:]],
        [lines[0].rstrip() + "\r", *quoted[1:]],
        [*lines[:3], "rs-e,rail,RS,50,,,s,,\x1b[2J\n", *lines[3:]],
        [*lines[:3], "rs-c,rail,RS,50,,,s,,\x85\n", *lines[3:]],
    ):
        _write(path, spoilt)
        assert reader._read_plain_csv(path, "speeds", problems) is None
        a, pa, b, pb = _both(path, "speeds")
        pdt.assert_frame_equal(a, b)
        assert pa == pb
    assert problems == []


def test_too_many_rows_read_by_chunk_as_by_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "CHUNK_ROWS", 4)
    speeds = geodata_dir(None) / "speeds.csv"
    lines = speeds.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "speeds.csv"
    _write(path, lines)
    for limit in (len(lines) - 2, len(lines) - 1):
        monkeypatch.setattr(reader, "MAX_ROWS", limit)
        a, pa, b, pb = _both(path, "speeds")
        pdt.assert_frame_equal(a, b)
        assert pa == pb
        assert bool(pa) == (limit < len(lines) - 1)


_CELLS = [
    "",
    " ",
    "1.5",
    " 2 ",
    "\u00a03\u00a0",
    "nan",
    "inf",
    "-0",
    "7",
    "x",
    "true",
    " no",
    "a|b",
    " a | | b ",
    "1e400",
    "4.0",
]


@pytest.mark.parametrize("kind", ["str", "float", "int", "bool", "list"])
@pytest.mark.parametrize("required", [False, True])
@pytest.mark.parametrize("spaced", [False, True])
def test_columns_typed_at_once_as_cell_by_cell(kind: str, required: bool, spaced: bool) -> None:
    column = reader.Column("c", kind, required)  # type: ignore[arg-type]
    plain = [c.strip() for c in _CELLS]
    cells = _CELLS if spaced else plain
    # each cell alone (so that one bad cell does not send the others cell by cell), then all
    for texts in [*([c] for c in cells), cells, [c for c in plain if c]]:
        lines = list(range(2, 2 + len(texts)))
        found: list[tuple[int, int, str]] = []
        values = reader._typed_column(list(texts), column, lines, found, 0)
        expected, words = [], []
        for line, text in zip(lines, texts):
            value, error = reader._coerce(text, column)
            expected.append(value)
            if error:
                words.append((line, 0, error))
        assert sorted(found) == sorted(words)
        for got, want in zip(values, expected, strict=True):
            if isinstance(want, float) and np.isnan(want):
                assert isinstance(got, float) and np.isnan(got)
            else:
                assert got == want and type(got) is type(want)


@pytest.mark.parametrize(
    "geometry",
    [
        None,
        {},
        {"type": "LineString", "coordinates": [[1.0, 2.0], [3.0, 4.0]]},
        {"type": "LineString", "coordinates": [[1.0, 2.0]]},
        {"type": "LineString", "coordinates": [[1.0, float("nan")], [3.0, 4.0]]},
        {"type": "LineString", "coordinates": [[1.0, float("inf")], [3.0, 4.0]]},
        {"type": "LineString", "coordinates": [[1, 2], [3.0, 4.0]]},
        {"type": "LineString", "coordinates": [[True, 2.0], [3.0, 4.0]]},
        {"type": "LineString", "coordinates": [[1.0, 2.0, 3.0], [3.0, 4.0]]},
        {"type": "LineString", "coordinates": [[1.0, 2.0, "x"], [3.0, 4.0]]},
        {"type": "LineString", "coordinates": [[1.0, "2"], [3.0, 4.0]]},
        {"type": "Point", "coordinates": [[1.0, 2.0], [3.0, 4.0]]},
    ],
)
def test_a_line_is_told_as_its_points_are_read(geometry: object) -> None:
    assert reader.is_line(geometry) == (reader.line_points(geometry) is not None)


def test_the_extra_checks_start_with_what_checks_one_to_nine_made_let_go() -> None:
    seen: dict[str, tuple[int, int]] = {}
    ids: list[str] = []
    held: list[str] = []
    again: dict[str, object] = {}

    def probe(checker: object) -> None:
        rows = checker.rows  # type: ignore[attr-defined]
        seen.update({name: (len(t.lists), len(t._texts)) for name, t in rows.items()})
        derived = ("nodes", "links", "node_xy", "link_ends", "node_points")
        held.extend(name for name in derived if name in vars(checker))
        ids.extend(rows["links"].texts("id"))  # made again when asked for
        # the id indexes and coordinates too, equal to those checks 1-9 used
        again["first"] = dict(checker.links.first)  # type: ignore[attr-defined]
        again["xy"] = checker.coords("kz-almaty")  # type: ignore[attr-defined]

    report = check_folder(geodata_dir(None), extra=(probe,))
    plain = check_folder(geodata_dir(None))
    # checks 1-9 made lists of the links' and nodes' columns; none is held any more, nor
    # the id indexes and coordinates made from them
    assert seen and set(seen.values()) == {(0, 0)}
    assert held == []
    assert ids == [str(x).strip() for x in reader.read_geodata(None).links["id"].tolist()]
    assert again["first"] == {lid: i for i, lid in reversed(list(enumerate(ids)))}
    nodes = reader.read_geodata(None).nodes.set_index("id")
    assert again["xy"] == (nodes.at["kz-almaty", "lon"], nodes.at["kz-almaty", "lat"])
    assert str(report) == str(plain)


def test_list_cells_are_shared_and_cannot_change() -> None:
    import copy
    import pickle

    column = reader.Column("c", "list", False)
    texts = ["a|b", "a|b", "", "c", "a|b", ""]
    values = reader._typed_column(texts, column, list(range(2, 8)), [], 0)
    assert values == [["a", "b"], ["a", "b"], [], ["c"], ["a", "b"], []]
    # one object per distinct text, however many rows wrote it
    assert values[0] is values[1] is values[4] and values[2] is values[5]
    changes = [
        lambda v: v.append("x"),
        lambda v: v.extend(["x"]),
        lambda v: v.insert(0, "x"),
        lambda v: v.pop(),
        lambda v: v.remove("a"),
        lambda v: v.clear(),
        lambda v: v.sort(),
        lambda v: v.reverse(),
        lambda v: v.__setitem__(0, "x"),
        lambda v: v.__delitem__(0),
        lambda v: v.__iadd__(["x"]),
        lambda v: v.__imul__(2),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="shared between rows"):
            change(values[0])
    assert values[1] == ["a", "b"]
    own = values[0].copy()
    own.append("x")
    assert type(own) is list and values[4] == ["a", "b"]
    for twin in (pickle.loads(pickle.dumps(values[0])), copy.deepcopy(values[0])):
        assert twin == ["a", "b"] and type(twin) is reader.CellList
    # tables rebuilt from rows (the network cache) share their list cells the same way
    names = [c.name for c in reader.TABLES["speeds"]]

    def row(line: int) -> list[object]:
        cells: dict[str, object] = {"id": f"s{line}", "mode": "road", "kph": 50.0}
        cells["source_id"] = ["x", "y"]  # a new list per row, as JSON gives them
        return [*(cells.get(n) for n in names), line]

    frame = reader.frame_from_rows("speeds", [row(2), row(3)])
    first, second = frame["source_id"]
    assert first == ["x", "y"] and first is second and type(first) is reader.CellList


def test_text_columns_share_one_string_per_repeated_value() -> None:
    import pandas as pd

    geodata = reader.read_geodata(None)
    got = geodata.table_columns("nodes", ("id", "country", "kind", "lon"))
    frame = geodata.tables["nodes"]
    for name, values in got.items():
        assert values == frame[name].tolist(), name
    # a few countries and kinds over hundreds of nodes: one object per distinct value
    for name in ("country", "kind"):
        distinct = set(got[name])
        assert len({id(v) for v in got[name]}) == len(distinct) < len(got[name]) / 10
    # ids are all distinct: they stay as read
    assert len(set(got["id"])) == len(got["id"])
    # missing values keep their own representation
    column = pd.Series(["a", None, "a", "b", None, "a"], dtype=frame["country"].dtype)
    shared = reader.one_per_value(column)
    assert shared == column.tolist() and shared[0] is shared[2] is shared[5]
    # mostly distinct values come back as read, unless sharing is asked for always
    ids = frame["id"].head(4)
    assert reader.one_per_value(ids) == reader.one_per_value(ids, always=True) == ids.tolist()
    repeated = pd.Series(["x", "y", "x", "z"], dtype=frame["country"].dtype)
    assert reader.one_per_value(repeated) == ["x", "y", "x", "z"]
    both = reader.one_per_value(repeated, always=True)
    assert both == ["x", "y", "x", "z"] and both[0] is both[2]


def test_link_ends_are_the_node_tables_own_ids() -> None:
    from corridors.graph.network import Network

    net = Network(reader.read_geodata(None))
    columns, table = net.link_columns, net.nodes
    plain = net.geodata.table_columns("links", ("u", "v"))
    checked = 0
    for end in ("u", "v"):
        assert columns[end] == plain[end]
        for value in columns[end]:
            assert value is table.ids[table.index[value]]
            checked += 1
    assert checked == 2 * len(net.geodata.links)

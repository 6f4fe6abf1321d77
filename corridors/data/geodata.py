"""Read the geodata folder into typed tables, reporting every problem with file and row."""

from __future__ import annotations

import gc
import json
import math
import os
import pickle
import re
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from corridors.data.locate import content_hash, geodata_dir, seeds_dir
from corridors.data.schema import OPTIONAL_TABLES, TABLES, Column
from corridors.errors import GeodataError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the geodata: where it is and what is wrong."""

    file: str
    row: int  # line number in the file (the CSV header is line 1); 0 for the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        return f"{where}: {self.message}"


@dataclass
class Geodata:
    """The geodata tables of one folder.

    Attributes
    ----------
    folder
        Where the tables were read from.
    tables
        ``nodes``, ``links``, ``frictions``, ``rates``, ``speeds``, ``emissions``,
        ``profiles`` and ``sections`` as DataFrames with typed columns and a ``_line``
        column holding each row's line number in its file.
    corridors
        Named corridors from ``corridors.yaml``.
    sources
        The bibliography from ``sources.yaml`` keyed by id.
    seeds
        Seed records (one per source document) keyed by id.
    digest
        SHA-256 over the folder's data files.
    problems
        Problems found while reading (empty when the folder reads cleanly).
    """

    folder: Path
    tables: dict[str, pd.DataFrame]
    corridors: list[dict[str, Any]]
    sources: dict[str, dict[str, Any]]
    seeds: dict[str, dict[str, Any]]
    digest: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def nodes(self) -> pd.DataFrame:
        """Nodes table."""
        return self.tables["nodes"]

    @property
    def links(self) -> pd.DataFrame:
        """Links table."""
        return self.tables["links"]

    @property
    def frictions(self) -> pd.DataFrame:
        """Frictions table."""
        return self.tables["frictions"]

    def source_ids(self) -> set[str]:
        """Return every id a row may cite: bibliography entries and seed records."""
        return set(self.sources) | set(self.seeds)

    def __getstate__(self) -> dict[str, Any]:
        # the tables travel as one nested pickle, read back on first use (see __getattr__);
        # the YAML annotations travel read, as a worker may not see the folder
        for name in _ANNOTATION_READERS:
            getattr(self, name)
        state = self.__dict__.copy()
        tables = state.pop("tables", None)
        if tables is not None:
            state["_tables_blob"] = pickle.dumps(tables, pickle.HIGHEST_PROTOCOL)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @classmethod
    def from_rows(
        cls,
        folder: Path,
        rows: dict[str, list[list[Any]]],
        *,
        corridors: list[dict[str, Any]] | None = None,
        sources: dict[str, dict[str, Any]] | None = None,
        seeds: dict[str, dict[str, Any]] | None = None,
        digest: str,
        problems: list[Problem],
    ) -> Geodata:
        """Return geodata whose tables are built from typed rows when first asked for.

        The network cache holds the tables as rows of plain values; a route between named
        places never asks for them, and so never imports pandas. The named corridors,
        bibliography and seed records not given are read from ``folder`` when first asked
        for: only checks, reports and listings read the bibliography, whose YAML takes
        longer to parse than a route takes to find.
        """
        if set(rows) != set(TABLES):
            msg = f"expected the tables {', '.join(TABLES)}"
            raise ValueError(msg)
        geodata = cls.__new__(cls)
        given = {"corridors": corridors, "sources": sources, "seeds": seeds}
        geodata.__dict__.update(
            folder=folder,
            digest=digest,
            problems=problems,
            _table_rows=rows,
            **{name: value for name, value in given.items() if value is not None},
        )
        return geodata

    def table_rows(self) -> dict[str, list[list[Any]]]:
        """Return every table as rows of plain values, as :meth:`from_rows` takes them."""
        out: dict[str, list[list[Any]]] = {}
        for name in TABLES:
            frame = self.tables[name]
            columns = [frame[c].tolist() for c in [*(c.name for c in TABLES[name]), "_line"]]
            out[name] = [list(row) for row in zip(*columns)]
        return out

    def table_columns(
        self, name: str, columns: tuple[str, ...] | None = None
    ) -> dict[str, list[Any]]:
        """Return columns of one table as plain lists (all of them, ``_line`` last, by default).

        The values a DataFrame column's ``tolist()`` gives; a network read from the cache
        answers from its rows, without building its tables (or importing pandas).
        """
        names = list(columns) if columns else [*(c.name for c in TABLES[name]), "_line"]
        rows = self.__dict__.get("_table_rows")
        if rows is None:
            frame = self.tables[name]
            texts = {c.name for c in TABLES[name] if c.type == "str"}
            return {
                column: one_per_value(frame[column]) if column in texts else frame[column].tolist()
                for column in names
            }
        everything = [*(c.name for c in TABLES[name]), "_line"]
        at = [everything.index(column) for column in names]
        table = rows[name]
        return {column: [row[j] for row in table] for column, j in zip(names, at)}

    def __getattr__(self, name: str) -> Any:
        # called only when `name` is not set: a network read from the cache, or sent to a
        # worker process, builds its tables (and imports pandas) when something first asks
        # for them, which a route between named places never does
        if name in _ANNOTATION_READERS and "folder" in self.__dict__:
            # geodata from the cache: the YAML files are read when first asked for
            value = _ANNOTATION_READERS[name](self.__dict__["folder"], [])
            self.__dict__[name] = value
            return value
        if name != "tables":
            raise AttributeError(name)
        rows = self.__dict__.pop("_table_rows", None)
        blob = self.__dict__.pop("_tables_blob", None)
        tables: dict[str, pd.DataFrame]
        if rows is not None:
            tables = {key: frame_from_rows(key, value) for key, value in rows.items()}
        elif blob is not None:
            tables = pickle.loads(blob)  # made by __getstate__ for a worker process
        else:
            raise AttributeError(name)
        self.__dict__["tables"] = tables
        return tables


@contextmanager
def bulk_objects() -> Iterator[None]:
    """Hold off Python's cycle collector while tables of many objects are read and checked.

    Reading a table makes a list per record and per list cell, and each batch of new
    containers would start a collection that walks every container still alive: for a
    million-row table that is most of the reading time. What is made here holds no
    reference cycles, so nothing is left for the collector; it runs again afterwards.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def give_back_memory() -> None:
    """Hand the memory freed inside the process back to the system, where the C library can.

    After a large structure is let go (a routing graph of a million links), glibc keeps
    most of its pages for later allocations, scattered between live ones, and the next
    structure of the same size is then laid out beside them rather than in them: asking
    glibc to trim its heaps lowers the peak of building one after another by about a
    gigabyte at a million links. Elsewhere this does nothing.
    """
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)


#: Tables of at least this many rows in all hand the memory of their reading back to the
#: system once read (a quarter of a gigabyte at a million links).
_TRIM_AFTER_ROWS = 100_000


def one_per_value(column: Any, *, always: bool = False) -> list[Any]:
    """Return ``column.tolist()`` with one object per distinct value, when values repeat.

    ``tolist()`` makes a new str for every cell; a million-node table's countries and kinds
    would each hold a million copies of a few strings, for as long as a network keeps them.
    A column of mostly distinct values (ids, names) is returned as read, unless ``always``.
    """
    import numpy as np
    import pandas as pd

    values: list[Any] = column.tolist()
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    if not always and len(uniques) * 2 > len(values):
        return values  # mostly distinct: little to share
    _, first = np.unique(codes, return_index=True)
    kept = [values[i] for i in first.tolist()]
    return [kept[c] for c in codes.tolist()]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a table's rows as dicts keyed by column name (as ``to_dict("records")``)."""
    import numpy as np
    import pandas as pd

    names = list(frame.columns)
    plain = all(isinstance(t, (np.dtype, pd.StringDtype)) for t in frame.dtypes)
    if not plain or len(set(names)) != len(names):
        # nullable extension types box their missing values differently
        return cast("list[dict[str, Any]]", frame.to_dict("records"))
    # column lists zipped into rows: the same Python values, two to three times faster
    columns = [frame.iloc[:, j].tolist() for j in range(len(names))]
    return [dict(zip(names, row)) for row in zip(*columns)]


class CellList(list):  # type: ignore[type-arg]
    """A list cell of a table, shared by every row that wrote the same text.

    A million-row table repeats a few lists (a link's sources, its profiles) row after row;
    one list per distinct text, shared, saves an object per row. Sharing is only safe while
    no one changes a cell in place, so every method that would raises ``TypeError``:
    replace a cell with a new list instead.
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        msg = "a table's list cell is shared between rows: assign a new list instead"
        raise TypeError(msg)

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle and deepcopy would otherwise rebuild the list by extending an empty one
        return (CellList, (list(self),))

    def copy(self) -> list[Any]:
        """Return an ordinary list of the same items, free to change."""
        return list(self)


#: Control characters a cell may not hold (tab and line breaks are allowed): NUL, ESC and
#: the rest would cut strings short or drive the terminal that shows them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _coerce(value: str, column: Column) -> tuple[Any, str | None]:
    text = value.strip()
    bad = _CONTROL.search(text)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        return None, f"column `{column.name}` holds the control character {code}; remove it"
    if column.type == "list":
        return CellList(part.strip() for part in text.split("|") if part.strip()), None
    if text == "":
        if column.required:
            return None, f"column `{column.name}` is empty; a value is required"
        return (None if column.type in ("str", "bool") else math.nan), None
    if column.type == "str":
        return text, None
    if column.type == "bool":
        if text.lower() in ("true", "yes", "1"):
            return True, None
        if text.lower() in ("false", "no", "0"):
            return False, None
        return None, f"column `{column.name}` is {text!r}; expected true or false"
    try:
        number = float(text)
    except ValueError:
        return None, f"column `{column.name}` is {text!r}; expected a number"
    if math.isnan(number) or math.isinf(number):
        return None, f"column `{column.name}` is {text!r}; expected a finite number"
    if column.type == "int":
        if not number.is_integer():
            return None, f"column `{column.name}` is {text!r}; expected a whole number"
        return int(number), None
    return number, None


#: The most rows a geodata table may have: two and a half times the million links a network
#: is measured at (BENCHMARKS.md, "Validation at scale"); beyond it reading and checking the
#: tables would take many minutes and gigabytes (benchmarks/big_geodata.py writes a folder).
MAX_ROWS = 2_500_000


def frame_from_rows(name: str, rows: list[list[Any]]) -> pd.DataFrame:
    """Return a geodata table built from typed rows (the schema's columns, then ``_line``).

    Reading a CSV file and reading the network cache both build their tables here, so a
    table has the same types whichever way it came.
    """
    import pandas as pd

    names = [c.name for c in TABLES[name]]
    frame = pd.DataFrame.from_records(rows, columns=[*names, "_line"])
    for column in TABLES[name]:
        if column.type == "float":
            frame[column.name] = pd.to_numeric(frame[column.name], errors="coerce")
        elif column.type == "list" and len(frame):
            frame[column.name] = _shared_cells(frame[column.name])
    return frame


def _shared_cells(values: Any) -> list[Any]:
    # one CellList per distinct list, as the CSV reader gives them
    shared: dict[tuple[Any, ...], CellList] = {}
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            key = tuple(value)
            cell = shared.get(key)
            if cell is None:
                cell = shared[key] = CellList(value)
            value = cell
        out.append(value)
    return out


def frame_from_columns(name: str, columns: list[Any]) -> pd.DataFrame:
    """Return the table :func:`frame_from_rows` builds, from its typed columns (then ``_line``).

    A column is a list, or a numpy array of the dtype the table's column has.
    """
    if len(columns[-1]) == 0:
        return frame_from_rows(name, [])
    import pandas as pd

    # column by column: rows made of a million-row table's columns would double its memory
    names = [*(c.name for c in TABLES[name]), "_line"]
    frame = pd.DataFrame(dict(zip(names, columns, strict=True)))
    for column in TABLES[name]:
        if column.type == "float":
            frame[column.name] = pd.to_numeric(frame[column.name], errors="coerce")
    return frame


#: Records typed together: large enough that the per-column work runs in C-speed loops,
#: small enough that a table of any size is read in bounded memory beyond its typed columns.
CHUNK_ROWS = 50_000


def _not_finite(numbers: list[float]) -> int:
    """Return how many of the numbers are NaN or infinite."""
    import numpy as np

    return int(np.count_nonzero(~np.isfinite(np.array(numbers, dtype=np.float64))))


def _typed_column(
    texts: list[str],
    column: Column,
    lines: list[int],
    found: list[tuple[int, int, str]],
    position: int,
) -> list[Any]:
    """Type one column of a chunk whose cells hold no control character.

    Gives the values and messages :func:`_coerce` gives cell by cell, faster: a cell is
    handed to :func:`_coerce` only when the bulk conversion cannot decide it. Problems go to
    ``found`` as ``(line, position, message)``, ``position`` being the column's place in the
    schema (it orders a row's problems as the cell-by-cell reader did).
    """
    stripped = [t.strip() for t in texts]
    if column.type == "list":
        # each distinct text split once, its list shared by the rows that wrote it
        parts = {t: CellList([p for p in map(str.strip, t.split("|")) if p]) for t in set(stripped)}
        return [parts[t] for t in stripped]
    empty = [i for i, t in enumerate(stripped) if not t] if "" in stripped else []
    if column.required:
        message = f"column `{column.name}` is empty; a value is required"
        found.extend((lines[i], position, message) for i in empty)
    if column.type == "str":
        return [t or None for t in stripped]
    values: list[Any]
    if column.type == "bool":
        values = [None] * len(stripped)
        for i, t in enumerate(stripped):
            if t:
                values[i], error = _coerce(t, column)
                if error:
                    found.append((lines[i], position, error))
        return values
    try:
        numbers = [float(t) if t else math.nan for t in stripped]
    except ValueError:
        numbers = []
    # an empty cell is NaN, so every other cell is finite when only those are not
    if len(numbers) != len(stripped) or _not_finite(numbers) != len(empty):
        # something is not a finite number: the cell-by-cell path words each problem
        values = []
        for i, t in enumerate(stripped):
            if not t:
                values.append(None if column.required else math.nan)
                continue
            value, error = _coerce(t, column)
            if error:
                found.append((lines[i], position, error))
            values.append(value)
        return values
    if column.required:
        for i in empty:
            numbers[i] = None  # type: ignore[call-overload]
    if column.type == "float":
        return numbers
    values = []
    for i, number in enumerate(numbers):
        if number is None or math.isnan(number):
            values.append(number)
        elif number.is_integer():
            values.append(int(number))
        else:
            message = f"column `{column.name}` is {stripped[i]!r}; expected a whole number"
            found.append((lines[i], position, message))
            values.append(None)
    return values


def _type_chunk(
    chunk: list[list[str]],
    lines: list[int],
    where: list[tuple[Column, int]],
    width: int,
    columns: list[list[Any]],
    found: list[tuple[int, int, str]],
) -> None:
    """Type a chunk of records column by column, appending to ``columns`` and ``found``."""
    from operator import itemgetter

    for cells in chunk:
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
    clean = _CONTROL.search("\t".join(["\t".join(cells) for cells in chunk])) is None
    texts = [list(map(itemgetter(at), chunk)) if at >= 0 else None for _, at in where]
    _type_texts(texts, lines, where, columns, found, clean=clean)


def _type_texts(
    texts: list[list[str] | None],
    lines: list[int],
    where: list[tuple[Column, int]],
    columns: list[list[Any]],
    found: list[tuple[int, int, str]],
    *,
    clean: bool,
) -> None:
    """Type a chunk's cells, given column by column (None: a column the file does not have).

    ``clean`` says that no cell holds a control character.
    """
    for position, (column, _) in enumerate(where):
        column_texts = texts[position]
        if column_texts is None:
            column_texts = [""] * len(lines)
        if clean:
            values = _typed_column(column_texts, column, lines, found, position)
        else:
            values = []
            for line, text in zip(lines, column_texts):
                value, error = _coerce(text, column)
                if error:
                    found.append((line, position, error))
                values.append(value)
        if column.type == "float" and None in values:
            # a float column gathers in a flat array (NaN for no number, as the table has it)
            values = [math.nan if v is None else v for v in values]
        columns[position].extend(values)


def _read_table(folder: Path, name: str, problems: list[Problem]) -> pd.DataFrame:
    file = f"{name}.csv"
    path = folder / file
    if not path.is_file():
        if name not in OPTIONAL_TABLES:
            problems.append(Problem(file, 0, "file is missing"))
        return frame_from_rows(name, [])
    plain = _read_plain_csv(path, name, problems)
    if plain is not None:
        return plain
    try:
        return _read_csv(path, name, problems, by_chunk=True)
    except _ReadAgainError:
        # a quoted cell holds a line break, or the file is faulty: read a record at a time
        return _read_csv(path, name, problems, by_chunk=False)


def _header_columns(
    header: list[str], name: str, problems: list[Problem]
) -> list[tuple[Column, int]] | None:
    """Return each schema column with its position in the header (-1: absent).

    None, with the problem reported, when a required column is missing.
    """
    names = [h.strip() for h in header]
    columns = TABLES[name]
    missing = [c.name for c in columns if c.required and c.name not in names]
    if missing:
        problems.append(
            Problem(f"{name}.csv", 1, f"missing required column(s): {', '.join(missing)}")
        )
        return None
    return [(c, names.index(c.name) if c.name in names else -1) for c in columns]


#: Bytes of the control characters a cell may not hold below U+0080 (as :data:`_CONTROL`).
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
#: Those from U+0080 to U+009F, as UTF-8 writes them.
_CONTROL_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def _is_plain_text(data: bytes) -> bool:
    """Whether a file holds no control character a cell may not hold, nor a lone CR.

    A lone carriage return (one that ends no line) ends a record for both readers but no
    line for the count; with a quoted line break elsewhere, the records would count as many
    as the lines, each but its line.
    """
    # deleting the control bytes and comparing lengths is several times faster than a search
    return (
        len(data.translate(None, _CONTROL_BYTES)) == len(data)
        and _CONTROL_C1.search(data) is None
        and data.count(b"\r") == data.count(b"\r\n")
    )


def _read_plain_csv(path: Path, name: str, problems: list[Problem]) -> pd.DataFrame | None:
    """Read a plain table with the C tokenizer of pandas; None when the file is not plain.

    Plain: UTF-8, no blank line, no record spanning lines, no record longer than the
    header, no control character and no lone carriage return. Then each record is one
    physical line, and pandas splits the cells as the csv module does; the cells are typed
    as :func:`_read_csv` types them, so the table and the problems are the ones it gives.
    Any other file (or one of more than :data:`MAX_ROWS` rows) returns None, and the csv
    module reads it, which words what is wrong.
    """
    import csv
    import io

    import pandas as pd

    data = path.read_bytes()
    # records = lines after the header, when no line is blank and none ends inside a quote
    lines_total = data.count(b"\n") + (not data.endswith(b"\n"))
    records = lines_total - 1
    if (
        records < 1
        or records > MAX_ROWS
        or data.startswith((b"\n", b"\r\n", b"\xef\xbb\xbf\n", b"\xef\xbb\xbf\r\n"))
        or b"\n\n" in data
        or b"\n\r\n" in data
        or not _is_plain_text(data)
    ):
        return None
    columns = TABLES[name]
    typed: list[Any] = [array("d") if c.type == "float" else [] for c in columns]
    found: list[tuple[int, int, str]] = []
    where: list[tuple[Column, int]] | None = None
    seen = 0  # records typed so far
    try:
        chunks = pd.read_csv(
            io.BytesIO(data),
            header=None,
            dtype=object,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            engine="c",
            quoting=csv.QUOTE_MINIMAL,
            chunksize=CHUNK_ROWS,
        )
        del data
        for chunk in chunks:
            cells = [chunk[j].tolist() for j in chunk.columns]
            if where is None:
                header = [str(c[0]) for c in cells]
                cells = [c[1:] for c in cells]
                where = _header_columns(header, name, problems)
                if where is None:
                    return frame_from_rows(name, [])
            count = len(cells[0]) if cells else 0
            if count == 0:
                continue
            chunk_lines = list(range(seen + 2, seen + 2 + count))
            texts = [cells[at] if at >= 0 else None for _, at in where]
            _type_texts(texts, chunk_lines, where, typed, found, clean=True)
            seen += count
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return None  # pandas' tokenizer refuses it: the csv module says why
    if where is None or seen != records:
        return None  # a quoted cell spans lines: the records are not the lines
    import numpy as np

    return _typed_table(name, typed, found, np.arange(2, seen + 2, dtype=np.int64), problems)


def _typed_table(
    name: str,
    typed: list[Any],
    found: list[tuple[int, int, str]],
    lines: Any,
    problems: list[Problem],
) -> pd.DataFrame:
    """Report a read's problems in row order and return its typed columns as the table."""
    import numpy as np

    found.sort(key=lambda item: (item[0], item[1]))
    problems.extend(Problem(f"{name}.csv", line, message) for line, _, message in found)
    if not len(lines):
        return frame_from_rows(name, [])
    flat = [np.frombuffer(c, dtype=c.typecode) if isinstance(c, array) else c for c in typed]
    return frame_from_columns(name, [*flat, np.asarray(lines, dtype=np.int64)])


class _ReadAgainError(Exception):
    """Reading a chunk at a time cannot tell a record's line, or which problem comes first.

    Raised when a record of a chunk spans lines, or the file cannot be read (the reader
    going a record at a time may stop at the row limit before it reaches the fault).
    """


def _read_csv(path: Path, name: str, problems: list[Problem], *, by_chunk: bool) -> pd.DataFrame:
    """Read and type one table; ``by_chunk`` reads records a chunk at a time (see below).

    Read a chunk at a time, the csv module reads :data:`CHUNK_ROWS` records in one call,
    and when they took as many physical lines as there are records (none spans lines),
    each record's line follows from the reader's line count; otherwise
    :class:`_ReadAgainError` is raised before any problem is reported.
    """
    import csv
    from itertools import islice

    file = path.name
    columns = TABLES[name]
    # float columns and the lines as flat arrays: a Python float per cell of a million-row
    # table would take four times the memory
    typed: list[Any] = [array("d") if c.type == "float" else [] for c in columns]
    lines: Any = array("q")
    # (line, column position, message): worded per cell, put in row order at the end
    found: list[tuple[int, int, str]] = []
    too_many = Problem(
        file,
        0,  # the whole file: it explains the problems that follow
        f"more than {MAX_ROWS:,} rows; geodata tables are limited to {MAX_ROWS:,} rows",
    )
    # csv, not pandas: the reader streams and knows each record's physical line, which a
    # quoted cell spanning lines moves away from its row number
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                problems.append(Problem(file, 0, "file is empty; expected a header line"))
                return frame_from_rows(name, [])
            where = _header_columns(header, name, problems)
            if where is None:
                return frame_from_rows(name, [])
            width = len(header)
            chunk: list[list[str]] = []
            chunk_lines: list[int] = []
            end = reader.line_num
            while by_chunk:
                chunk = list(islice(reader, CHUNK_ROWS))
                if not chunk:
                    break
                if reader.line_num - end != len(chunk):
                    raise _ReadAgainError
                chunk_lines = list(range(end + 1, reader.line_num + 1))
                end = reader.line_num
                if not all(chunk):  # blank lines
                    kept = [i for i, cells in enumerate(chunk) if cells]
                    chunk = [chunk[i] for i in kept]
                    chunk_lines = [chunk_lines[i] for i in kept]
                if len(lines) + len(chunk) > MAX_ROWS:
                    problems.append(too_many)
                    return frame_from_rows(name, [])
                if chunk and max(map(len, chunk)) > width:
                    for cells, line in zip(chunk, chunk_lines):
                        if len(cells) > width:
                            message = f"has {len(cells)} fields; the header names {width}"
                            found.append((line, -1, message))
                _type_chunk(chunk, chunk_lines, where, width, typed, found)
                lines.extend(chunk_lines)
            for cells in reader if not by_chunk else ():
                line, end = end + 1, reader.line_num
                if not cells:
                    continue  # a blank line
                if len(lines) + len(chunk) >= MAX_ROWS:
                    problems.append(too_many)
                    return frame_from_rows(name, [])
                if len(cells) > width:
                    message = f"has {len(cells)} fields; the header names {width}"
                    found.append((line, -1, message))
                chunk.append(cells)
                chunk_lines.append(line)
                if len(chunk) == CHUNK_ROWS:
                    _type_chunk(chunk, chunk_lines, where, width, typed, found)
                    lines.extend(chunk_lines)
                    chunk, chunk_lines = [], []
            if not by_chunk:
                _type_chunk(chunk, chunk_lines, where, width, typed, found)
                lines.extend(chunk_lines)
    except (csv.Error, UnicodeDecodeError) as err:
        if by_chunk:
            raise _ReadAgainError from None
        problems.append(Problem(file, 0, f"cannot be read as UTF-8 CSV ({err})"))
        return frame_from_rows(name, [])
    import numpy as np

    return _typed_table(name, typed, found, np.frombuffer(lines, dtype=np.int64), problems)


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    import yaml

    from corridors.data import yaml_parse as _yaml

    if not path.is_file():
        problems.append(Problem(path.name, 0, "file is missing"))
        return None
    try:
        return _yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        problems.append(Problem(path.name, 0, f"cannot be read as UTF-8 ({err.reason})"))
        return None
    except yaml.YAMLError as err:
        line = getattr(getattr(err, "problem_mark", None), "line", -1) + 1
        problems.append(Problem(path.name, line, f"invalid YAML: {getattr(err, 'problem', err)}"))
        return None


def _read_sources(folder: Path, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    data = _read_yaml(folder / "sources.yaml", problems)
    sources: dict[str, dict[str, Any]] = {}
    if data is None:
        return sources
    entries = data.get("sources", data) if isinstance(data, dict) else data
    if not isinstance(entries, list):
        problems.append(Problem("sources.yaml", 0, "expected a list of sources"))
        return sources
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("id"):
            problems.append(Problem("sources.yaml", 0, f"source without an id: {entry!r}"))
            continue
        if entry["id"] in sources:
            problems.append(Problem("sources.yaml", 0, f"duplicate source id {entry['id']!r}"))
        sources[str(entry["id"])] = entry
    return sources


def _read_seeds(folder: Path | None, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    seeds: dict[str, dict[str, Any]] = {}
    if folder is None:
        return seeds
    for path in sorted(folder.glob("*.yaml")):
        record = _read_yaml(path, problems)
        if isinstance(record, dict) and record.get("id"):
            seeds[str(record["id"])] = record
    return seeds


def _read_corridors(folder: Path, problems: list[Problem]) -> list[dict[str, Any]]:
    corridors_doc = _read_yaml(folder / "corridors.yaml", problems)
    corridors: list[dict[str, Any]] = []
    if isinstance(corridors_doc, dict):
        corridors = list(corridors_doc.get("corridors", []))
    elif isinstance(corridors_doc, list):
        corridors = corridors_doc
    return corridors


def _read_folder_seeds(folder: Path, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    return _read_seeds(seeds_dir(folder), problems)


#: How geodata read from the cache reads each YAML annotation when first asked for.
_ANNOTATION_READERS: dict[str, Callable[[Path, list[Problem]], Any]] = {
    "corridors": _read_corridors,
    "sources": _read_sources,
    "seeds": _read_folder_seeds,
}


def _read_annotations(
    folder: Path, problems: list[Problem]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    return (
        _read_corridors(folder, problems),
        _read_sources(folder, problems),
        _read_folder_seeds(folder, problems),
    )


def read_geodata(path: str | os.PathLike[str] | None = None, *, strict: bool = True) -> Geodata:
    """Read a geodata folder into typed tables.

    Parameters
    ----------
    path
        The folder to read; by default the shipped one (see :func:`geodata_dir`).
    strict
        Raise if any table cannot be read or typed. With ``strict=False`` the problems
        are returned in ``Geodata.problems`` for a validation report.

    Returns
    -------
    geodata
        The typed tables.

    Raises
    ------
    GeodataError
        If ``strict`` and any problem was found, listing each as ``file:row: message``.
    """
    from concurrent.futures import ThreadPoolExecutor

    folder = geodata_dir(path)
    problems: list[Problem] = []
    # reading and hashing the files lets other threads run: the digest is taken on a
    # thread of its own while the tables are parsed (a second or so at a million links)
    with ThreadPoolExecutor(max_workers=1) as hashing:
        digest = hashing.submit(content_hash, folder)
        with bulk_objects():
            tables = {name: _read_table(folder, name, problems) for name in TABLES}
        corridors, sources, seeds = _read_annotations(folder, problems)
        geodata = Geodata(
            folder=folder,
            tables=tables,
            corridors=corridors,
            sources=sources,
            seeds=seeds,
            digest=digest.result(),
            problems=problems,
        )
    if strict and problems:
        raise GeodataError(summarise(problems))
    if sum(len(table) for table in tables.values()) >= _TRIM_AFTER_ROWS:
        # the reader's temporary lists, freed now, would stay with the process otherwise
        give_back_memory()
    return geodata


def line_points(geometry: Any) -> list[tuple[float, float]] | None:
    """Return a GeoJSON LineString's positions as ``(lon, lat)``; None if it is not one.

    A valid one has at least two positions, each two or three finite numbers.
    """
    if not isinstance(geometry, dict) or geometry.get("type") != "LineString":
        return None
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    points = []
    isfinite = math.isfinite
    for position in coords:
        if not isinstance(position, list) or not 2 <= len(position) <= 3:
            return None
        for v in position:
            if isinstance(v, bool) or not isinstance(v, int | float) or not isfinite(v):
                return None
        points.append((float(position[0]), float(position[1])))
    return points


def is_line(geometry: Any) -> bool:
    """Return True when :func:`line_points` reads a line from ``geometry``, without its points.

    The usual line, of ``[lon, lat]`` pairs of floats, is told in one pass; any other is
    read by :func:`line_points`.
    """
    if type(geometry) is dict and geometry.get("type") == "LineString":
        coords = geometry.get("coordinates")
        if type(coords) is list and len(coords) >= 2:
            isfinite = math.isfinite
            for position in coords:
                if type(position) is not list or len(position) != 2:
                    break
                x, y = position
                if type(x) is not float or type(y) is not float:
                    break
                if not (isfinite(x) and isfinite(y)):
                    break
            else:
                return True
    return line_points(geometry) is not None


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def scan_feature_collection(text: str) -> Iterator[tuple[str, int, int, Any]]:
    """Read a JSON object one member at a time, and its ``features`` list one item at a time.

    A GeoJSON file of a million features parsed whole takes several times its size in
    memory; read this way, only one feature at a time is held. Yields ``(key, start, end,
    value)`` for each member of the top-level object other than a ``features`` list, and
    ``("features[]", start, end, item)`` for each item of that list (``start`` and ``end``
    are the item's character offsets in ``text``); an empty list is yielded as a member.

    Raises
    ------
    ValueError
        If ``text`` is not a JSON object, or holds ``features`` twice (``json.loads`` would
        keep the last): the caller reads it whole instead, to word the problem as
        ``json.loads`` does.
    """
    decoder = json.JSONDecoder()

    def skip(at: int) -> int:
        found = _JSON_SPACE.match(text, at)
        return at if found is None else found.end()

    def expect(at: int, chars: str) -> tuple[str, int]:
        char = text[at : at + 1]
        if not char or char not in chars:
            msg = f"expected one of {chars!r} at {at}"
            raise ValueError(msg)
        return char, skip(at + 1)

    at = skip(0)
    _, at = expect(at, "{")
    seen_features = False
    if text[at : at + 1] == "}":
        at = skip(at + 1)
    else:
        while True:
            key, at = decoder.raw_decode(text, at)
            if not isinstance(key, str):
                msg = "a member name is not a string"
                raise ValueError(msg)
            _, at = expect(skip(at), ":")
            if key == "features" and seen_features:
                msg = "features given twice"
                raise ValueError(msg)
            if key == "features" and text[at : at + 1] == "[":
                seen_features = True
                start = at
                at = skip(at + 1)
                if text[at : at + 1] == "]":
                    yield key, start, at + 1, []
                    at = skip(at + 1)
                else:
                    while True:
                        item, end = decoder.raw_decode(text, at)
                        yield "features[]", at, end, item
                        char, at = expect(skip(end), ",]")
                        if char == "]":
                            break
            else:
                seen_features = seen_features or key == "features"
                value, end = decoder.raw_decode(text, at)
                yield key, at, end, value
                at = skip(end)
            char, at = expect(at, ",}")
            if char == "}":
                break
    if at != len(text):
        msg = "text after the object"
        raise ValueError(msg)


def read_line_shapes(text: str) -> dict[str, list[tuple[float, float]]]:
    """Return the link shapes of ``geometry/links.geojson``, keyed by link id.

    Raises
    ------
    GeodataError
        If the file is not a FeatureCollection of LineStrings with link ids.
    """
    return _line_shapes(_link_features(text))


def read_link_geometry(
    text: str,
) -> tuple[dict[str, list[tuple[float, float]]], dict[str, list[int]]]:
    """Return :func:`read_line_shapes` and :func:`read_osm_way_ids` of one text, parsed once.

    Raises
    ------
    GeodataError
        As :func:`read_line_shapes`.
    """
    features = _link_features(text)
    return _line_shapes(features), _osm_way_ids(features)


def _link_features(text: str) -> list[Any]:
    """Return the features of ``geometry/links.geojson``, refusing what is not a list of them."""
    file = "geometry/links.geojson"
    hint = "run `corridors data validate` for the full report"
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        msg = f"{file}:{err.lineno}: invalid JSON: {err.msg}; {hint}"
        raise GeodataError(msg) from None
    except RecursionError:
        msg = f"{file}: nested too deeply to be GeoJSON; {hint}"
        raise GeodataError(msg) from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        msg = f"{file}: expected a GeoJSON FeatureCollection with a list of features; {hint}"
        raise GeodataError(msg)
    return features


def _line_shapes(features: list[Any]) -> dict[str, list[tuple[float, float]]]:
    file = "geometry/links.geojson"
    hint = "run `corridors data validate` for the full report"
    out: dict[str, list[tuple[float, float]]] = {}
    for i, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        link_id = props.get("id") if isinstance(props, dict) else None
        if not link_id:
            continue  # the validator names features without an id
        points = line_points(feature.get("geometry"))
        if points is None:
            msg = (
                f"{file}: feature {i} ({str(link_id)!r}) is not a LineString of at least two "
                f"[lon, lat] positions; {hint}"
            )
            raise GeodataError(msg)
        out[str(link_id)] = points
    return out


def read_osm_way_ids(text: str) -> dict[str, list[int]]:
    """Return the OSM way ids recorded on the features of ``geometry/links.geojson``.

    A feature drawn along OpenStreetMap ways may list them in its ``osm_way_ids`` property;
    features without it, and values that are not lists of integers, are left out. The file's
    shape is checked by :func:`read_line_shapes`.
    """
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return {}
    features = doc.get("features") if isinstance(doc, dict) else None
    return _osm_way_ids(features if isinstance(features, list) else [])


def _osm_way_ids(features: list[Any]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict) or not props.get("id"):
            continue
        ways = props.get("osm_way_ids")
        if (
            isinstance(ways, list)
            and ways
            and all(isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in ways)
        ):
            out[str(props["id"])] = list(ways)
    return out


def summarise(problems: list[Problem], limit: int = 20) -> str:
    """Return a one-line summary of the problems, listing the first ``limit`` in order."""
    # problems with a whole file (missing, empty, unreadable) first: they explain the rest
    ordered = sorted(problems, key=lambda p: (p.row != 0, p))
    shown = "; ".join(str(p) for p in ordered[:limit])
    more = f" (and {len(problems) - limit} more)" if len(problems) > limit else ""
    return (
        f"geodata has {len(problems)} problem(s): {shown}{more}; "
        "run `corridors data validate` for the full report"
    )

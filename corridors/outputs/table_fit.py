"""Rich tables that fit the width they are drawn at: numbers whole, low-value columns first out.

A :class:`FitTable` is built when the console draws it, so the same result prints whole on a
wide terminal and keeps every number intact on an 80-column one: text columns wrap (never
cut with an ellipsis), numeric columns never shrink, and when even that is too wide the
columns of lowest priority are left out and the caption names them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

#: Width wider than any table here: what ``--wide`` draws at.
WIDE = 10_000

#: Longest word a text column keeps whole; longer ones (source ids) fold.
_WORD = 18

#: Keep this column whatever the width.
ALWAYS = 1_000


@dataclass(frozen=True)
class Col:
    """One column of a fitted table.

    Attributes
    ----------
    header
        Column heading.
    numeric
        Right-aligned and never wrapped nor cut.
    keep
        Priority: when the table is too wide, the column with the lowest ``keep`` goes first;
        :data:`ALWAYS` columns stay.
    footer
        Footer text (a totals row), if any.
    """

    header: str
    numeric: bool = False
    keep: int = ALWAYS
    footer: str = ""


@dataclass
class FitTable:
    """A table laid out at draw time to fit the console's width (see the module docstring)."""

    columns: Sequence[Col]
    rows: list[list[str]] = field(default_factory=list)
    title: str | None = None
    caption: str | None = None

    def add_row(self, *cells: str) -> None:
        """Append one row of already-formatted (and escaped) cells."""
        if len(cells) != len(self.columns):
            msg = f"row has {len(cells)} cells for {len(self.columns)} columns"
            raise ValueError(msg)
        self.rows.append(list(cells))

    def layout(self, width: int) -> dict[int, int]:
        """Return the columns drawn at ``width`` characters: index → width of its text."""
        least = {i: self._least(i) for i in range(len(self.columns))}
        shown = list(range(len(self.columns)))
        while True:
            # three characters per column (padding and rule) and the closing rule
            room = width - 3 * len(shown) - 1
            droppable = [i for i in shown if self.columns[i].keep < ALWAYS]
            if sum(least[i] for i in shown) <= room or not droppable:
                break
            shown.remove(min(droppable, key=lambda i: (self.columns[i].keep, -i)))
        widths = {i: self._most(i) for i in shown}
        # narrow the widest text column a character at a time until the table fits
        while sum(widths.values()) > room:
            slack = [i for i in shown if widths[i] > least[i]]
            if not slack:
                break
            widest = max(slack, key=lambda i: (widths[i], -i))
            widths[widest] -= 1
        return widths

    def _texts(self, i: int) -> list[str]:
        col = self.columns[i]
        return [col.header, col.footer, *(row[i] for row in self.rows)]

    def _most(self, i: int) -> int:
        """Width of a column's longest line."""
        from rich.cells import cell_len

        return max(cell_len(line) for t in self._texts(i) for line in t.splitlines() or [""])

    def _least(self, i: int) -> int:
        """Narrowest a column may be: a number whole, a word whole (up to a limit)."""
        from rich.cells import cell_len

        if self.columns[i].numeric:
            return self._most(i)
        words = [w for t in self._texts(i) for w in t.split()]
        return min(max((cell_len(w) for w in words), default=1), _WORD)

    def build(self, width: int) -> Any:
        """Return the rich table laid out for ``width`` characters."""
        from rich.markup import escape
        from rich.table import Table

        widths = self.layout(width)
        hidden = [c.header for i, c in enumerate(self.columns) if i not in widths]
        caption = self.caption or ""
        if hidden:
            note = f"Not shown at this width: {', '.join(hidden)} (--wide shows every column)."
            caption = f"{caption}\n{escape(note)}" if caption else escape(note)
        footer = any(self.columns[i].footer for i in widths)
        table = Table(
            title=self.title,
            title_justify="left",
            caption=caption or None,
            caption_justify="left",
            show_footer=footer,
        )
        for i, w in widths.items():
            col = self.columns[i]
            table.add_column(
                col.header,
                footer=col.footer,
                justify="right" if col.numeric else "left",
                no_wrap=col.numeric,
                overflow="fold",
                width=w,
            )
        for row in self.rows:
            table.add_row(*(row[i] for i in widths))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.build(options.max_width)


def fitted_lines(renderable: Any, width: int) -> Iterator[str]:
    """Yield the lines of ``renderable`` drawn as plain text at ``width`` characters."""
    from rich.console import Console

    console = Console(width=width, record=False, color_system=None, soft_wrap=False)
    with console.capture() as capture:
        console.print(renderable)
    yield from capture.get().splitlines()

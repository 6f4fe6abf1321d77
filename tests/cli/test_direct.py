"""A plainly written `route` is read without building the command line, to the same values.

`corridors.cli.direct` reads the words of a route itself and calls the command; these
tests hold it to what typer passes for the same words, and check that everything it does
not read plainly is left to typer (and so keeps typer's messages).
"""

from __future__ import annotations

import errno
import functools
import sys
from typing import Annotated, Any

import pytest
import typer
from conftest import one_line_error, run_cli

from corridors.cli import direct

app_module = sys.modules["corridors.cli.app"]
route = app_module.route


def _typer_keywords(words: list[str]) -> dict[str, Any]:
    """Return the keywords typer calls the route command with for these words."""
    seen: dict[str, Any] = {}

    @functools.wraps(route)
    def spy(**keywords: Any) -> None:
        seen.update(keywords)

    probe = typer.Typer(add_completion=False)
    probe.command()(spy)
    probe(args=words, standalone_mode=False)
    return seen


PLAIN = [
    ["kz-almaty", "ir-bandar-abbas"],
    ["Tashkent", "Karachi", "--by", "cost"],
    ["kz-almaty", "tr-istanbul", "--mode", "road"],
    ["--by", "co2", "Almaty", "Bandar Abbas", "--json"],
    ["a", "b", "--via", "x", "--via", "y z", "--avoid-country", "TM", "--avoid-node", "n"],
    ["a", "b", "--avoid-link", "l1", "--avoid-border", "TM-IR", "--mode", "rail", "--mode", "sea"],
    ["a", "b", "--include-planned", "--year", "2030", "--profile", "bulk", "--wide"],
    ["a", "b", "--value-of-time", "2.5", "-k", "3", "--crew", "2", "--force"],
    ["a", "b", "--value-of-time", "7", "--alternatives", "007", "--depart", "2026-03-01T08:00"],
    ["", "b", "--by", ""],
]


@pytest.mark.parametrize("words", PLAIN, ids=[" ".join(w) for w in PLAIN])
def test_plain_words_are_read_as_typer_reads_them(words: list[str]) -> None:
    keywords = direct.read(route, words)
    assert keywords is not None
    expected = _typer_keywords(words)
    assert keywords == expected
    # the same types too (1 == 1.0 == True would hide a difference)
    assert {k: type(v) for k, v in keywords.items()} == {k: type(v) for k, v in expected.items()}


LEFT_TO_TYPER = [
    ["a", "b", "--help"],
    ["--help"],
    ["a"],
    ["a", "b", "c"],
    ["a", "b", "--by=cost"],
    ["a", "b", "--by", "cost", "--by", "time"],
    ["a", "b", "--wide", "--wide"],
    ["a", "b", "--by"],
    ["a", "b", "--via", "--json"],
    ["a", "b", "-k", "1.0"],
    ["a", "b", "-k", "-1"],
    ["a", "b", "-k3"],
    ["a", "b", "--year", "+2030"],
    ["a", "b", "--value-of-time", "1e3"],
    ["a", "b", "--value-of-time", ".5"],
    ["a", "b", "--map", "route.html"],
    ["a", "b", "--geodata", "folder"],
    ["a", "b", "--no-such-option"],
    ["a", "b", "--no-wide"],
    ["-5,30", "b"],
    ["a", "b", "--"],
    ["a", "-", "b"],
]


@pytest.mark.parametrize("words", LEFT_TO_TYPER, ids=[" ".join(w) for w in LEFT_TO_TYPER])
def test_anything_else_is_left_to_typer(words: list[str]) -> None:
    assert direct.read(route, words) is None


def test_a_shell_asking_for_completions_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_CORRIDORS_COMPLETE", "bash_complete")
    assert direct.read(route, ["a", "b"]) is None


def test_a_command_with_an_undeclared_parameter_is_left_to_typer() -> None:
    def command(origin: str) -> None:
        """Not a typer declaration."""

    assert direct.read(command, ["a"]) is None


def _required(
    origin: Annotated[str, typer.Argument()], by: Annotated[str, typer.Option("--by")] = ...
) -> None:
    """A required option."""


def _unexposed(
    origin: Annotated[str, typer.Argument()],
    by: Annotated[str, typer.Option("--by", expose_value=False)] = "time",
) -> None:
    """An option typer does not pass."""


def _checked(
    origin: Annotated[str, typer.Argument()],
    k: Annotated[int, typer.Option("-k", min=1)] = 1,
) -> None:
    """An option with a range typer checks."""


def _switch(
    origin: Annotated[str, typer.Argument()],
    wide: Annotated[bool, typer.Option("--wide/--narrow")] = False,
) -> None:
    """A flag with an opposite."""


@pytest.mark.parametrize(
    ("command", "words", "read_here"),
    [
        (_required, ["a", "--by", "cost"], False),
        (_unexposed, ["a"], False),
        (_checked, ["a", "-k", "0"], False),
        (_checked, ["a"], False),  # typer checks the default's range too
        (_switch, ["a", "--wide"], False),
    ],
    ids=["required", "unexposed", "range-checked", "range-checked-absent", "switch"],
)
def test_declarations_it_does_not_read_are_left_to_typer(
    command: Any, words: list[str], read_here: bool
) -> None:
    assert (direct.read(command, words) is not None) is read_here


def test_both_ways_print_the_same_route() -> None:
    # `--by=cost` is left to typer, `--by cost` read directly: the same bytes either way
    read_here = run_cli("route", "Tashkent", "Karachi", "--by", "cost", "-k", "2")
    by_typer = run_cli("route", "Tashkent", "Karachi", "--by=cost", "-k", "2")
    assert read_here.returncode == by_typer.returncode == 0, read_here.stderr + by_typer.stderr
    assert read_here.stdout == by_typer.stdout
    assert read_here.stderr == by_typer.stderr


@pytest.mark.parametrize(
    "extra",
    [["--by", "speed"], ["-k", "0"], ["--crew", "3"], ["--depart", "tomorrow"]],
    ids=["objective", "alternatives", "crew", "depart"],
)
def test_bad_values_read_here_fail_as_through_typer(extra: list[str]) -> None:
    here = run_cli("route", "Almaty", "Karachi", *extra)
    # a flag given twice is left to typer, which reads the same values
    via_typer = run_cli("route", "Almaty", "Karachi", "--wide", *extra, "--wide")
    assert direct.read(route, ["Almaty", "Karachi", "--wide", *extra, "--wide"]) is None
    assert here.returncode == via_typer.returncode == 2
    assert one_line_error(here.stderr)
    assert via_typer.stderr == here.stderr


def _raising(error: BaseException | None) -> Any:
    def command() -> None:
        """Raise the error (or return)."""
        if error is not None:
            raise error

    return command


@pytest.mark.parametrize(
    "error",
    [
        None,
        typer.Exit(0),
        typer.Exit(3),
        typer.Abort(),
        KeyboardInterrupt(),
        EOFError(),
        BrokenPipeError(errno.EPIPE, "Broken pipe"),
    ],
    ids=["returns", "exit-0", "exit-3", "abort", "interrupt", "end-of-input", "closed-pipe"],
)
def test_a_command_read_here_ends_as_under_typer(
    error: BaseException | None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a closed pipe swaps the streams for quiet ones: put the test's back afterwards
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    with pytest.raises(SystemExit) as here:
        direct.run(_raising(error), {})
    printed_here = capsys.readouterr()
    probe = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    probe.command()(_raising(error))
    with pytest.raises(SystemExit) as under_typer:
        probe(args=[])
    assert here.value.code == under_typer.value.code
    assert printed_here == capsys.readouterr()

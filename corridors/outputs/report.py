"""A self-contained report (HTML, or PDF printed by headless Chromium) fit to attach to a memo.

One page answers one question — corridors compared between two places, a route and its
alternatives, or a scenario against its baseline — with what it assumed and the data it
used, the comparison table, a static map, a stacked time and cost breakdown per route, the
legs, the scenario's changes and deltas, and a numbered bibliography of every source behind
the numbers shown. Everything is inlined (the map as an SVG image, the chart as HTML), so
the file opens offline.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors.errors import InvalidOptionError, OutputError
from corridors.outputs.atomic import check_writable, write_with
from corridors.outputs.formats import REPORT_FORMATS, pick
from corridors.outputs.route_tables import mode_mix

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.results import Route
    from corridors.scenarios.comparison import ScenarioComparison

#: Parts of a route's time and cost, in the order they are stacked; each friction kind
#: of the cost model, with its colour (Okabe–Ito, then greys).
PARTS: dict[str, tuple[str, str]] = {
    "haul": ("haul", "#0072B2"),
    "border": ("border", "#D55E00"),
    "port": ("port", "#009E73"),
    "wait": ("wait (ferry, sailing)", "#56B4E9"),
    "rest": ("rest (drivers' hours)", "#CC79A7"),
    "gauge_break": ("gauge break", "#E69F00"),
    "transfer": ("mode transfer", "#F0E442"),
}
_OTHER = ("other", "#999999")
#: Browsers that can print a page to PDF headless, tried in this order.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@dataclass
class _Doc:
    """What the page will show, gathered before any HTML is written."""

    title: str
    question: str
    assumptions: list[tuple[str, str]]
    routes: list[tuple[str, Route]]
    unavailable: list[tuple[str, str]] = field(default_factory=list)
    baseline: list[tuple[str, Route]] = field(default_factory=list)
    scenario: ScenarioComparison | None = None
    cites: list[str] = field(default_factory=list)


def report(
    path: str | os.PathLike[str],
    *,
    compare: str | tuple[str, str] | None = None,
    route: str | tuple[str, str] | None = None,
    scenario: str | None = None,
    corridors: Sequence[str] | None = None,
    alternatives: int = 3,
    by: str | None = None,
    profile: str | None = None,
    net: Network | None = None,
    force: bool = False,
) -> Path:
    """Write a report on one question as a self-contained HTML page or a PDF.

    Parameters
    ----------
    path
        ``.html`` or ``.pdf`` (printed by headless Chromium, which must be installed).
    compare, route, scenario
        Exactly one: ``"ORIGIN:DESTINATION"`` (or a pair) whose named corridors to compare,
        whose best route and alternatives to show, or a scenario file or shipped name.
    corridors
        With ``compare``: the corridor ids (default: all).
    alternatives
        With ``route``: how many routes (1-20).
    by, profile
        Objective and cargo profile (a scenario's own by default).
    net
        The network (the shipped one by default).
    force
        Overwrite ``path`` if it exists.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InvalidOptionError
        If not exactly one of ``compare``, ``route``, ``scenario`` is given.
    OutputError
        If the extension is not ``.html`` or ``.pdf``, the path cannot be written, or no
        Chromium is found for a PDF.
    """
    fmt = pick(path, REPORT_FORMATS, "report")
    given = [n for n, v in (("compare", compare), ("route", route), ("scenario", scenario)) if v]
    if len(given) != 1:
        msg = (
            "give exactly one of compare='A:B', route='A:B' or scenario=NAME "
            f"(got {', '.join(given) or 'none'})"
        )
        raise InvalidOptionError(msg)
    check_writable(path, force=force)
    if fmt.suffix == ".pdf":
        _browser()  # refuse before any work
    if net is None:
        from corridors.graph.network import load_network

        net = load_network()
    if compare:
        doc = _compare_doc(net, _pair(compare, "compare"), corridors, by or "time", profile)
    elif route:
        doc = _route_doc(net, _pair(route, "route"), alternatives, by or "time", profile)
    else:
        doc = _scenario_doc(net, str(scenario), by, profile)
    page = render(net, doc)

    def write(tmp: Path) -> None:
        if fmt.suffix == ".html":
            tmp.write_text(page, encoding="utf-8")
        else:
            print_pdf(page, tmp)

    return write_with(path, write, force=force)


def _pair(value: str | tuple[str, str], option: str) -> tuple[str, str]:
    if isinstance(value, tuple):
        return value
    origin, sep, destination = str(value).partition(":")
    if not sep or not origin.strip() or not destination.strip():
        msg = f"{option} {value!r} must be ORIGIN:DESTINATION, e.g. Almaty:'Bandar Abbas'"
        raise InvalidOptionError(msg)
    return origin.strip(), destination.strip()


def _assumptions(net: Network, by: str, profile: str | None, extra: list[tuple[str, str]]) -> Any:
    from corridors.data.locate import package_version
    from corridors.outputs.scenario_tables import objective_text

    prof = net.profile(profile)
    return [
        ("Objective", f"lowest {objective_text(by)}"),
        ("Cargo", f"{prof.id}: costs in USD and emissions in kg CO2 per {prof.unit}"),
        *extra,
        ("Links used", "operational links only, unless a scenario or corridor says otherwise"),
        ("Data", f"geodata {net.digest[:12]} ({len(net.G)} places), corridors {package_version()}"),
        ("Generated", _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def _compare_doc(
    net: Network, pair: tuple[str, str], ids: Sequence[str] | None, by: str, profile: str | None
) -> _Doc:
    from corridors import routing
    from corridors.routing.options import RouteOptions

    result = routing.compare(
        net, *pair, corridors=ids, options=RouteOptions.build(by=by, profile=profile)
    )
    o, d = result.origin.label, result.destination.label
    names = result.names
    frame = result.to_frame()
    routes = [
        (f"{cid} — {names.get(cid, cid)}" if cid != "best" else f"best route by {by}", r)
        for cid in frame["corridor"]
        if (r := result.routes.get(str(cid))) is not None
    ]
    cites = [
        str(s)
        for c in net.geodata.corridors
        if c.get("id") in result.routes
        for s in (c.get("cites") or [])
    ]
    return _Doc(
        title=f"{o} → {d}: corridors compared",
        question=(
            f"Which corridor carries a {net.profile(profile).unit} from {o} to {d} at the "
            f"lowest {by}, and what does each cost in time, money and CO2?"
        ),
        assumptions=_assumptions(
            net,
            by,
            profile,
            [
                (
                    "Corridors",
                    "each routed through its waypoints; 'best' is the best route "
                    "whatever corridor it follows",
                )
            ],
        ),
        routes=routes,
        unavailable=[(c, r) for c, r in result.reasons.items()],
        cites=cites,
    )


def _route_doc(net: Network, pair: tuple[str, str], k: int, by: str, profile: str | None) -> _Doc:
    from corridors import routing
    from corridors.routing.options import RouteOptions

    found = routing.alternatives(
        net, *pair, k=k, options=RouteOptions.build(by=by, profile=profile)
    )
    o, d = found[0].origin.label, found[0].destination.label
    return _Doc(
        title=f"{o} → {d}: best route and alternatives",
        question=f"What is the best route from {o} to {d} by {by}, and what are the alternatives?",
        assumptions=_assumptions(
            net,
            by,
            profile,
            [
                (
                    "Alternatives",
                    "found by penalising the links of each route found; each "
                    "shares at most 60% of its length with a better one",
                )
            ],
        ),
        routes=[
            (f"route {i}" + (" (best)" if i == 1 else ""), r) for i, r in enumerate(found, start=1)
        ],
    )


def _scenario_doc(net: Network, name: str, by: str | None, profile: str | None) -> _Doc:
    from corridors.scenarios.scenario import load_scenario

    scen = load_scenario(name).with_options(by=by, profile=profile)
    result = scen.compare(net)
    after = [
        (f"{o} → {d}, scenario", r)
        for (o, d), r in result.scenario.items()
        if not isinstance(r, str)
    ]
    before = [
        (f"{o} → {d}, baseline", r)
        for (o, d), r in result.baseline.items()
        if not isinstance(r, str)
    ]
    return _Doc(
        title=f"Scenario: {scen.name}",
        question=(
            f"What changes for {', '.join(f'{o} → {d}' for o, d in result.pairs)} if: "
            f"{scen.doc.description or scen.name}?"
        ),
        assumptions=_assumptions(net, result.by, scen.doc.profile, []),
        routes=after,
        baseline=before,
        scenario=result,
        unavailable=[
            (f"{o} → {d} ({case})", found)
            for (o, d) in result.pairs
            for case, found in (
                ("baseline", result.baseline[(o, d)]),
                ("scenario", result.scenario[(o, d)]),
            )
            if isinstance(found, str)
        ],
        cites=list(scen.doc.cites),
    )


# -- the page ---------------------------------------------------------------------------------

_CSS = """
body { font: 13px/1.45 "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1a1a1a;
  max-width: 1050px; margin: 24px auto; padding: 0 18px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 26px 0 6px;
  border-bottom: 1px solid #ccc; padding-bottom: 2px; } h3 { font-size: 13px; margin: 14px 0 4px; }
p.q { font-size: 15px; margin: 4px 0 12px; }
table { border-collapse: collapse; margin: 4px 0 8px; }
th, td { padding: 2px 7px; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { text-align: left; background: #f3f3f3; } td.n, th.n { text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { background: none; font-weight: normal; color: #555; }
.bar { display: flex; height: 16px; width: 100%; background: #f6f6f6; }
.bar span { display: block; height: 100%; }
.chart td { border: none; padding: 2px 6px; } .chart td.lab { white-space: nowrap; }
.chart td.track { width: 62%; }
.key span.sw { display: inline-block; width: 11px; height: 11px; margin: 0 4px 0 12px;
  vertical-align: -1px; }
img.map { width: 100%; border: 1px solid #ddd; }
ol.bib li { margin: 2px 0; } sup { font-size: 9px; }
small, .muted { color: #555; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  table, .chart, img.map { break-inside: avoid; } }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def render(net: Network, doc: _Doc) -> str:
    """Return the report page for ``doc`` as one self-contained HTML string."""
    bib = _Bibliography(net)
    for sid in doc.cites:
        bib.number(sid)
    shown = doc.routes + doc.baseline
    body = [
        f"<h1>{_e(doc.title)}</h1>",
        f'<p class="q">{_e(doc.question)}</p>',
        "<h2>Assumptions and data</h2>",
        _kv(doc.assumptions),
    ]
    if doc.scenario is not None:
        body += ["<h2>What the scenario changes</h2>", _scenario_html(doc.scenario, bib)]
    body += ["<h2>Comparison</h2>", _summary_table(doc.routes, doc.unavailable)]
    body += ["<h2>Map</h2>", _map_html(net, doc)]
    body += [
        "<h2>Where the time and the money go</h2>",
        '<p class="muted">Each route\'s total split by what it is spent on; bars share one '
        "scale per panel.</p>",
        _breakdown(shown),
    ]
    body.append("<h2>Legs</h2>")
    for label, r in shown:
        body.append(f"<h3>{_e(label)}: {_e(r.summary())}</h3>")
        body.append(_legs_table(r, bib))
    body += ["<h2>Sources</h2>", bib.html()]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(doc.title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _kv(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<table class="kv">{cells}</table>'


def _summary_table(routes: list[tuple[str, Route]], unavailable: list[tuple[str, str]]) -> str:
    head = (
        "<tr><th>route</th><th class=n>km</th><th class=n>h</th><th class=n>days</th>"
        "<th class=n>USD</th><th class=n>kg CO2</th><th class=n>borders</th>"
        "<th class=n>transfers</th><th>km by mode</th><th>countries</th></tr>"
    )
    rows = [
        f"<tr><td>{_e(label)}</td><td class=n>{_n(r.distance_km)}</td>"
        f"<td class=n>{_n(r.time_h, 1)}</td><td class=n>{_n(r.time_h / 24, 1)}</td>"
        f"<td class=n>{_n(r.cost_usd)}</td><td class=n>{_n(r.co2_kg)}</td>"
        f"<td class=n>{len(r.border_crossings)}</td><td class=n>{len(r.transfers)}</td>"
        f"<td>{_e(mode_mix(r))}</td><td>{_e('→'.join(r.countries))}</td></tr>"
        for label, r in routes
    ]
    out = f'<table class="summary">{head}{"".join(rows)}</table>'
    if unavailable:
        items = "".join(f"<li><b>{_e(c)}</b>: {_e(why)}</li>" for c, why in unavailable)
        out += f"<p>No route, and why:</p><ul>{items}</ul>"
    return out


def parts_of(route: Route) -> dict[str, tuple[float, float]]:
    """Return a route's hours and USD by part (haul, border, port, wait…), in stack order."""
    out: dict[str, tuple[float, float]] = {}
    for c in route.components:
        kind = c.kind if c.kind in PARTS else "other"
        h, usd = out.get(kind, (0.0, 0.0))
        out[kind] = (h + c.time_h, usd + c.cost_usd)
    order = [*PARTS, "other"]
    return {k: out[k] for k in order if k in out}


def _breakdown(routes: list[tuple[str, Route]]) -> str:
    if not routes:
        return "<p>No route to break down.</p>"
    parts = [parts_of(r) for _, r in routes]
    used = [k for k in [*PARTS, "other"] if any(k in p for p in parts)]
    key = "".join(
        f'<span class="sw" style="background:{PARTS.get(k, _OTHER)[1]}"></span>'
        f"{_e(PARTS.get(k, _OTHER)[0])}"
        for k in used
    )
    html_parts = [f'<p class="key">{key}</p>']
    for axis, unit, idx in (("Time", "h", 0), ("Cost", "USD", 1)):
        top = max(sum(v[idx] for v in p.values()) for p in parts) or 1.0
        rows = []
        for (label, _), p in zip(routes, parts):
            total = sum(v[idx] for v in p.values())
            spans = "".join(
                f'<span class="seg seg-{k}" style="width:{100 * v[idx] / top:.3f}%;'
                f'background:{PARTS.get(k, _OTHER)[1]}" '
                f'title="{_e(PARTS.get(k, _OTHER)[0])}: {_n(v[idx], 1)} {unit}"></span>'
                for k, v in p.items()
                if v[idx] > 0
            )
            detail = ", ".join(
                f"{PARTS.get(k, _OTHER)[0].split(' (')[0]} {_n(v[idx], 0)}"
                for k, v in p.items()
                if v[idx] >= 0.5
            )
            rows.append(
                f'<tr><td class="lab">{_e(label)}</td><td class="track"><div class="bar">'
                f"{spans}</div><small>{_e(detail)}</small></td>"
                f"<td class=n>{_n(total, 0)} {unit}</td></tr>"
            )
        html_parts.append(f'<h3>{axis} ({unit})</h3><table class="chart">{"".join(rows)}</table>')
    return "".join(html_parts)


def _legs_table(route: Route, bib: _Bibliography) -> str:
    head = (
        "<tr><th>#</th><th>leg</th><th>mode</th><th>from → to</th><th>country</th>"
        "<th class=n>km</th><th class=n>h</th><th class=n>USD</th><th class=n>kg CO2</th>"
        "<th>sources</th></tr>"
    )
    rows = []
    for i, c in enumerate(route.components, start=1):
        a = route.place_name(c.from_node)
        b = route.place_name(c.to_node)
        where = a if c.from_node == c.to_node else f"{a} → {b}"
        refs = ", ".join(f"[{bib.number(s)}]" for s in c.source_ids)
        rows.append(
            f"<tr><td class=n>{i}</td><td>{_e(c.kind)}</td><td>{_e(c.mode)}</td>"
            f"<td>{_e(where)}</td><td>{_e(c.country)}</td>"
            f"<td class=n>{_n(c.distance_km) if c.distance_km else ''}</td>"
            f"<td class=n>{_n(c.time_h, 1)}</td><td class=n>{_n(c.cost_usd)}</td>"
            f"<td class=n>{_n(c.co2_kg) if c.co2_kg else ''}</td><td>{refs}</td></tr>"
        )
    foot = (
        f"<tr><th colspan=5>total</th><th class=n>{_n(route.distance_km)}</th>"
        f"<th class=n>{_n(route.time_h, 1)}</th><th class=n>{_n(route.cost_usd)}</th>"
        f"<th class=n>{_n(route.co2_kg)}</th><th></th></tr>"
    )
    return f'<table class="legs">{head}{"".join(rows)}{foot}</table>'


def _scenario_html(result: ScenarioComparison, bib: _Bibliography) -> str:
    changes = "".join(f"<li>{_e(a.action)}: {_e(a.summary)}</li>" for a in result.log)
    head = (
        "<tr><th>from → to</th><th>case</th><th>corridor followed</th><th class=n>km</th>"
        "<th class=n>h</th><th class=n>USD</th><th class=n>kg CO2</th></tr>"
    )
    rows = []
    for pair in result.pairs:
        a, b = result.baseline[pair], result.scenario[pair]
        for case, found in (("baseline", a), ("scenario", b)):
            if isinstance(found, str):
                rows.append(
                    f"<tr><td>{_e(pair[0])} → {_e(pair[1])}</td><td>{case}</td>"
                    f"<td colspan=5>no route: {_e(found)}</td></tr>"
                )
                continue
            rows.append(
                f"<tr><td>{_e(pair[0])} → {_e(pair[1])}</td><td>{case}</td>"
                f"<td>{_e(found.corridor or '(no named corridor)')}</td>"
                f"<td class=n>{_n(found.distance_km)}</td><td class=n>{_n(found.time_h, 1)}</td>"
                f"<td class=n>{_n(found.cost_usd)}</td><td class=n>{_n(found.co2_kg)}</td></tr>"
            )
        if not isinstance(a, str) and not isinstance(b, str):
            rows.append(
                "<tr><td></td><td><b>change</b></td><td></td>"
                f"<td class=n><b>{b.distance_km - a.distance_km:+,.0f}</b></td>"
                f"<td class=n><b>{b.time_h - a.time_h:+,.1f}</b></td>"
                f"<td class=n><b>{b.cost_usd - a.cost_usd:+,.0f}</b></td>"
                f"<td class=n><b>{b.co2_kg - a.co2_kg:+,.0f}</b></td></tr>"
            )
    return (
        f"<ol>{changes}</ol><h3>Best route per OD pair: baseline, scenario and change</h3>"
        f'<table class="deltas">{head}{"".join(rows)}</table>'
    )


def _map_html(net: Network, doc: _Doc) -> str:
    from corridors.outputs import maps

    routes = [r for _, r in doc.routes]
    base = [r for _, r in doc.baseline]
    changed = doc.scenario.changed_links if doc.scenario is not None else ()
    fig = maps.static(
        doc.scenario.network if doc.scenario is not None else net,
        routes,
        baseline=base,
        changed_links=changed,
        title=doc.title,
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    import matplotlib.pyplot as plt

    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="map" alt="map of the routes" src="data:image/svg+xml;base64,{data}">'


class _Bibliography:
    """Sources in the order the page first cites them, numbered from 1."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.ids: list[str] = []

    def number(self, sid: str) -> int:
        if sid not in self.ids:
            self.ids.append(sid)
        return self.ids.index(sid) + 1

    def html(self) -> str:
        items = []
        data = self.net.geodata
        for sid in self.ids:
            entry = data.sources.get(sid) or data.seeds.get(sid) or {}
            title = entry.get("title") or entry.get("headline") or "(not in the bibliography)"
            who = entry.get("publisher") or entry.get("outlet") or ""
            when = entry.get("date") or ""
            url = str(entry.get("url") or "")
            link = f' <a href="{_e(url)}">{_e(url)}</a>' if url.startswith("http") else ""
            bits = ", ".join(_e(x) for x in (who, when) if x)
            items.append(
                f'<li id="src-{_e(sid)}"><i>{_e(title)}</i>{", " + bits if bits else ""}.'
                f"{link} <small>[{_e(sid)}]</small></li>"
            )
        return f'<ol class="bib">{"".join(items)}</ol>'


# -- PDF ----------------------------------------------------------------------------------------


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    msg = (
        "a PDF report is printed by headless Chromium, which was not found "
        f"(looked for {', '.join(BROWSERS)}); install it or write .html instead"
    )
    raise OutputError(msg)


def print_pdf(page: str, out: Path) -> None:
    """Print an HTML page to a PDF file with headless Chromium (A4, backgrounds on)."""
    browser = _browser()
    with tempfile.TemporaryDirectory(prefix="corridors-report-") as work:
        source = Path(work) / "report.html"
        source.write_text(page, encoding="utf-8")
        target = Path(work) / "report.pdf"
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
        if proc.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            tail = " ".join((proc.stderr or "").split())[-200:]
            msg = f"Chromium could not print the report to PDF (exit {proc.returncode}): {tail}"
            raise OutputError(msg)
        shutil.copyfile(target, out)

"""Check 10: every profile's routing graph builds and every corridor routes."""

from __future__ import annotations

from typing import Any

from corridors._checks_base import (
    STRUCTURAL,
    _as_list,
    _Base,
    _error,
    _ids,
    _plural,
    _text,
)


class _RoutingChecks(_Base):
    """Check 10: every profile's routing graph builds and every corridor routes."""

    # -- 10. routing

    def check_routing(self) -> None:
        blocking = sum(len(self.found[c]) for c in STRUCTURAL)
        if blocking:
            self.warnings.append(
                f"corridors.yaml: routing check skipped: {_plural(blocking, 'structural problem')}"
                " (schema, ids, references, defaults) must be fixed first"
            )
            return
        from corridors.network import Network

        # Any exception here is a data problem the checks above did not foresee: report it.
        try:
            net = Network(self.data)
        except Exception as err:
            self.add("routing", "links.csv", 0, f"the network cannot be built: {_error(err)}")
            return
        for pid in self.profiles:
            try:
                net.routing_graph(pid)
            except Exception as err:
                self.add(
                    "routing",
                    "profiles.csv",
                    0,
                    f"the routing graph for profile {pid!r} cannot be built: {_error(err)}",
                )
                return
        for item, line in self.corridors:
            self.route_corridor(net, item, line)

    def route_corridor(self, net: Any, item: dict[str, Any], line: int) -> None:
        from corridors import routing

        cid = item.get("id")
        points = item.get("waypoints") or []
        if len(points) < 2:
            return
        modes = [str(m) for m in _as_list(item.get("modes") or [])]
        statuses = sorted({str(s) for s in _as_list(item.get("include") or [])} | {"operational"})
        profile = self.corridor_profile(item, modes)
        try:
            routing.route_corridor(net, item, profile=profile)
        except Exception as err:
            self.add(
                "routing",
                "corridors.yaml",
                line,
                f"corridor {cid!r} ({' → '.join(points)}; statuses {', '.join(statuses)}"
                f"{'; modes ' + ', '.join(modes) if modes else ''}) does not route: {_error(err)}",
            )

    def corridor_profile(self, item: dict[str, Any], modes: list[str]) -> str | None:
        if item.get("profile"):
            return str(item["profile"])
        if not modes:
            return None
        for row in self.rows["profiles"]:
            if set(modes) <= set(_ids(row["modes"])):
                return _text(row["id"])
        return None

"""The names of the assignment methods and equilibrium algorithms, defined once.

Kept free of heavy imports so the command line can list them without loading numpy.
"""

from __future__ import annotations

#: How trips choose routes: one loading at free-flow cost, logit over efficient routes, or
#: the capacity-constrained user equilibrium.
ASSIGN_METHODS: tuple[str, ...] = ("aon", "logit", "equilibrium")
#: Equilibrium algorithms, weakest first (see corridors.flows.equilibrium).
ALGORITHMS: tuple[str, ...] = ("msa", "fw", "cfw", "bfw")

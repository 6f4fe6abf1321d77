"""The names of the assignment methods and equilibrium algorithms, defined once.

Kept free of heavy imports so the command line can list them without loading numpy.
"""

from __future__ import annotations

#: How trips choose routes: one loading at free-flow cost, logit over efficient routes, the
#: capacity-constrained user equilibrium, or the stochastic user equilibrium (logit at
#: congested costs).
ASSIGN_METHODS: tuple[str, ...] = ("aon", "logit", "equilibrium", "sue")
#: Equilibrium algorithms, weakest first (see corridors.flows.equilibrium).
ALGORITHMS: tuple[str, ...] = ("msa", "fw", "cfw", "bfw")

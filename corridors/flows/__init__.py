"""Freight flows: demand assigned to a capacitated network.

The stage sits between ``routing`` (which it reads generalized costs from) and ``scenarios``.
Its solver works on any network given as a plain link table (:class:`LinkTable`), so it can
be checked on the transport-research benchmark networks read from TNTP files
(:mod:`corridors.flows.tntp`) as well as run on the shipped corridor network.

Modules, one concern each: ``links`` (the link table), ``tntp`` (the TNTP readers), ``vdf``
(volume-delay functions), ``aon`` (all-or-nothing loading on shortest-path trees),
``classes`` (demand classes), ``equilibrium`` (the bi-conjugate Frank-Wolfe solver),
``logit`` (stochastic route choice).
"""

from __future__ import annotations

"""Stage 2, graph: the physical network, cargo profiles, the routing graph and places.

The routing graph comes with its cost model.
"""

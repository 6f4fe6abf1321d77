"""Stage 2, graph: the physical network, cargo profiles, the routing graph with its cost model, and places."""

"""The analysis engine: facts in, findings and one level out.

:mod:`~caveat.engine.engine` runs every check and turns its hits into findings and one
level through the catalogue (weights, composites, thresholds and banner texts, kept as
data in ``caveat/data/catalogue.toml``). :mod:`~caveat.engine.guard` does the same for a
message being written (the send-time recipient guard). A pure library: no Flask, no
database, no clock of its own.
"""

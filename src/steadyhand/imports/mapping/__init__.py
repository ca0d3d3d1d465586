"""A generic, declarative, streaming CSV importer: a TOML mapping says how a source's columns
become Steadyhand records (see ``docs/importing.md``).

Pure Python up to the writer: ``format`` loads and checks a mapping, ``reader`` streams rows,
``values`` converts cells, ``grouping`` gathers the rows of one record, ``engine`` runs a file
set through a target (``targets``; ``incidents`` is the first) and reports every problem.
"""

"""hipcheck's caches, in one place.

- `results`: per-file results and records, keyed by content digest (`digest`), settings and version,
  so a run re-reads only what changed (stored by `result_codec`).
- `runs`: the result of a whole identical earlier run, replayed before the engine is even imported.
- `answers`: what the online services said about DOIs and PMIDs, a file in the content repository.

The first two live in the user's cache folder in one envelope (`files`); all three are JSON read by
strict decoders (`codec`) that treat a cache file as hostile input, and are written whole through
hipcheck.file_writing. Importing this package imports nothing else: the CLI's fast path relies on it.
"""

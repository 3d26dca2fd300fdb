"""Flows: the graph format, its validation, and the pure engine that runs it (docs/flows.md).

The pure part (no database, network or clock) is `definition` (parse/normalise), `validation`,
`expressions` (CEL conditions), `templating`, `matching` and `engine`; the runtime, storage and
API modules around it drive the engine and carry out its effects.
"""

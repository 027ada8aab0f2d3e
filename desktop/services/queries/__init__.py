"""Reads: what the screens list and show, and the data each document is built from.

A query never writes: it takes a session (usually `Database.read()`), filters in SQL and
returns plain rows or the reports' dataclasses. Queries may call the rules of `services/`
(the self-check's one evaluation, periods, workdays); use cases never call back into a
screen's read except to draft a document (`doc_outputs.prepare`)."""

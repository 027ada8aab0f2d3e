"""Use cases and rules. Each service takes a session and the acting user, checks permission
and the domain rules, writes rows and audit entries in the caller's transaction, and
returns plain dataclasses. No Qt here.

Two subpackages sit beside the use cases: `queries/` (what screens and documents read) and
`exchange/` (what crosses the data folder's edge: backup, restore, review packages, imports,
exports and the attachment store). docs/architecture.md draws the layers."""

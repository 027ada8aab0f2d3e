"""What crosses the data folder's edge: backup and restore, signed review packages, Excel and
photo imports, register exports, the signing key's export, and the content-addressed
attachment store. The data-safety path: public library APIs only, atomic writes, all or
nothing (docs/security.md, docs/backup.md)."""

"""Use cases and rules. Each service takes a session and the acting user, checks permission
and the domain rules, writes rows and audit entries in the caller's transaction, and
returns plain dataclasses. No Qt here."""

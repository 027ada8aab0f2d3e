"""The phone capture page: a second front, like ui/ and cli.py — HTTP handlers over the same
services, started and stopped by the window (issue 18). No Qt here."""

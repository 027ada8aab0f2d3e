"""Tests of the document engine (desktop.reports)."""

"""Document engine: pure builders that turn plain dataclasses into PDF and XLSX files."""

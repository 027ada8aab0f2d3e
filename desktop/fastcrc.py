"""CRC-32 as zip files need it: ISA-L's (python-isal, about 19 GB/s on the benchmark machine)
where it is installed, else zlib's (about 2.8 GB/s). Same values; both release the GIL."""

from __future__ import annotations

try:
    from isal.isal_zlib import crc32
except ImportError:  # pragma: no cover - isal is in requirements.lock; a bare install still works
    from zlib import crc32

__all__ = ["crc32"]

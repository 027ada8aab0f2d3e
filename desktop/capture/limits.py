"""How often a phone, or an address on the network, may call the capture page.

Sliding one-minute windows, kept in memory on the server's own event loop (one thread: no lock
needed). A request over a limit is refused with 429 and the seconds to wait; nothing of it is
read or stored. The limits are generous for an inspector's phone (a draft every few seconds)
and tight for guessing a pairing code.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

WINDOW = 60.0  # seconds


@dataclass(frozen=True)
class Limits:
    """Requests per minute; 0 switches a limit off."""

    pair_per_address: int = 10  # pairing attempts from one address
    requests_per_address: int = 300  # every request from one address (page, lists, drafts)
    requests_per_device: int = 120  # every request carrying one device token
    uploads_per_device: int = 30  # drafts sent by one phone
    uploads_per_address: int = 60  # drafts sent from one address (phones behind one hotspot)


class Window:
    """At most `limit` events per key in the last `window` seconds."""

    def __init__(self, limit: int, *, window: float = WINDOW,
                 now: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.now = now
        self.max_keys = max_keys
        self.events: dict[Hashable, deque[float]] = {}

    def hit(self, key: Hashable) -> int:
        """Count one event for `key`: 0 when allowed, else the whole seconds to wait (not counted)."""
        if self.limit <= 0:
            return 0
        moment = self.now()
        times = self.events.get(key)
        if times is None:
            if len(self.events) >= self.max_keys:
                self._forget(moment)
            times = self.events[key] = deque()
        while times and times[0] <= moment - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return max(1, math.ceil(times[0] + self.window - moment))
        times.append(moment)
        return 0

    def _forget(self, moment: float) -> None:
        """Drop keys with nothing in the window (a flood of made-up tokens cannot grow memory)."""
        for key in [k for k, t in self.events.items() if not t or t[-1] <= moment - self.window]:
            del self.events[key]
        while len(self.events) >= self.max_keys:  # still full: the oldest keys go
            del self.events[next(iter(self.events))]

"""Bounded, thread-safe caches shared by every session: by entries and by bytes."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go


def approximate_bytes(value: Any) -> int:
    """Memory held by ``value``'s arrays: NumPy arrays inside results, dicts, sequences,
    dataclasses and Plotly figures (their traces' data, as arrays or already encoded as
    text: :func:`ui.figures.packed`), and a little for the rest."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, go.Figure):  # its traces, and its animation frames' (a replay)
        traces = sum(approximate_bytes(trace.to_plotly_json()) for trace in value.data)
        return traces + sum(approximate_bytes(frame.to_plotly_json()) for frame in value.frames)
    if isinstance(value, Mapping):
        return sum(approximate_bytes(item) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(approximate_bytes(item) for item in value) if value else 0
    if hasattr(value, "__dataclass_fields__"):
        return sum(approximate_bytes(getattr(value, name)) for name in value.__dataclass_fields__)
    return 64


def fingerprint(value: Any) -> bytes:
    """A digest of ``value``'s content, to key a cache by what a result was computed from
    rather than by which object holds it (every session has its own copy of a data set):
    NumPy arrays (dtype, shape and bytes), mappings, sequences, dataclasses, and other
    values by their type and ``repr``."""
    digest = hashlib.blake2b(digest_size=16)
    _feed(digest, value)
    return digest.digest()


def _feed(digest: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        digest.update(f"array {value.dtype.str} {value.shape};".encode())
        digest.update(np.ascontiguousarray(value).data)
    elif isinstance(value, Mapping):
        digest.update(f"mapping {len(value)};".encode())
        for key, item in value.items():
            _feed(digest, key)
            _feed(digest, item)
    elif isinstance(value, list | tuple):
        digest.update(f"sequence {len(value)};".encode())
        for item in value:
            _feed(digest, item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(f"{type(value).__qualname__};".encode())
        for field in dataclasses.fields(value):
            _feed(digest, getattr(value, field.name))
    else:
        digest.update(f"{type(value).__qualname__} {value!r};".encode())


class BoundedCache:
    """A thread-safe least-recently-used mapping holding at most ``max_entries`` items and
    about ``max_bytes`` of arrays (Streamlit serves every session from its own thread)."""

    def __init__(self, max_entries: int, max_bytes: int | None = None) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1.")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, cache_key: Hashable) -> Any | None:
        with self._lock:
            if cache_key not in self._items:
                return None
            self._items.move_to_end(cache_key)
            return self._items[cache_key][0]

    def put(self, cache_key: Hashable, value: Any) -> None:
        size = approximate_bytes(value) if self.max_bytes is not None else 0
        with self._lock:
            if cache_key in self._items:
                self._bytes -= self._items.pop(cache_key)[1]
            self._items[cache_key] = (value, size)
            self._bytes += size
            while len(self._items) > self.max_entries or (
                self.max_bytes is not None and self._bytes > self.max_bytes and len(self._items) > 1
            ):
                self._bytes -= self._items.popitem(last=False)[1][1]

    def pop(self, cache_key: Hashable) -> Any | None:
        """Remove and return the value of ``cache_key`` (None when absent)."""
        with self._lock:
            if cache_key not in self._items:
                return None
            value, size = self._items.pop(cache_key)
            self._bytes -= size
            return value

    @property
    def nbytes(self) -> int:
        """About how much the held values' arrays take."""
        with self._lock:
            return self._bytes

    def __contains__(self, cache_key: Hashable) -> bool:
        with self._lock:
            return cache_key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[Hashable]:
        """The keys held, least recently used first (a snapshot)."""
        with self._lock:
            return iter(list(self._items))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

"""Gymnasium-like spaces for users without Gymnasium.

Athlete reads any object that looks like ``gymnasium.spaces.Box`` (``shape``, ``low``,
``high``, ``dtype``) or ``gymnasium.spaces.Discrete`` (``n``, ``start``), so real
Gymnasium spaces work as they are; these two classes are the same shapes without it.
"""
import json

import numpy as np

__all__ = ["Box", "Discrete"]


class Box:
    """A box in R^shape: ``Box(low, high, shape=None, dtype=np.float32)``."""

    def __init__(self, low, high, shape=None, dtype=np.float32):
        self.dtype = np.dtype(dtype)
        if shape is None:
            shape = np.broadcast(np.asarray(low), np.asarray(high)).shape
        self.shape = tuple(int(d) for d in shape)
        self.low = np.broadcast_to(np.asarray(low, dtype=self.dtype), self.shape).copy()
        self.high = np.broadcast_to(np.asarray(high, dtype=self.dtype), self.shape).copy()

    def contains(self, x):
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all(x >= self.low) and np.all(x <= self.high))

    def __eq__(self, other):
        return (isinstance(other, Box) and self.shape == other.shape and self.dtype == other.dtype
                and np.array_equal(self.low, other.low) and np.array_equal(self.high, other.high))

    def __repr__(self):
        return f"Box({self.low.min()}, {self.high.max()}, {self.shape}, {self.dtype})"


class Discrete:
    """The integers ``start, ..., start + n - 1``."""

    def __init__(self, n, start=0):
        self.n = int(n)
        self.start = int(start)
        self.shape = ()
        self.dtype = np.dtype(np.int64)

    def contains(self, x):
        return int(x) == x and self.start <= int(x) < self.start + self.n

    def __eq__(self, other):
        return isinstance(other, Discrete) and self.n == other.n and self.start == other.start

    def __repr__(self):
        return f"Discrete({self.n})" if self.start == 0 else f"Discrete({self.n}, start={self.start})"


def _bound(value):
    value = float(value)
    if value == float("inf"):
        return "inf"
    if value == float("-inf"):
        return "-inf"
    return value


def _to_json(space, what):
    """The runtime's JSON form of a duck-typed space; TypeError for anything else."""
    if hasattr(space, "n") and not hasattr(space, "low"):
        n = space.n
        start = getattr(space, "start", 0)
        try:
            n, start = int(n), int(start)
        except (TypeError, ValueError):
            raise TypeError(f"{what}: a Discrete space needs integer 'n' and 'start', got {n!r}, {start!r}") from None
        return json.dumps({"type": "Discrete", "n": n, "start": start}), None
    if all(hasattr(space, a) for a in ("shape", "low", "high")):
        dtype = np.dtype(getattr(space, "dtype", None) or np.float32)
        if dtype.kind not in "biuf":
            raise TypeError(f"{what}: a Box space needs a real dtype, got {dtype}")
        shape = tuple(int(d) for d in space.shape)
        low = np.broadcast_to(np.asarray(space.low, dtype=np.float64), shape).astype(np.float32)
        high = np.broadcast_to(np.asarray(space.high, dtype=np.float64), shape).astype(np.float32)
        return json.dumps({"type": "Box", "shape": list(shape),
                           "low": [_bound(v) for v in low.ravel()],
                           "high": [_bound(v) for v in high.ravel()]}), dtype
    raise TypeError(f"{what}: expected a Box-like space (shape, low, high, dtype) or a "
                    f"Discrete-like space (n, start), got {type(space).__name__}")


def _from_json(text):
    d = json.loads(text)
    if d["type"] == "Discrete":
        return Discrete(d["n"], d.get("start", 0))
    low = np.array([float(v) for v in d["low"]], dtype=np.float32).reshape(d["shape"])
    high = np.array([float(v) for v in d["high"]], dtype=np.float32).reshape(d["shape"])
    return Box(low, high, tuple(d["shape"]), np.float32)

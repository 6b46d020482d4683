"""What the lessons measure about a network (beyond its cost and accuracy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ROUND_OFF = 1e-9
"""Differences below this fraction of the weights' size are floating-point round-off.

Equal rows receive equal updates, yet BLAS kernels (AVX2 or AVX-512) may sum them in a
different order and leave them ~1e-16 apart; training never amplifies that back into a
real difference, while rows that differ for real do so by far more than 1e-9.
"""


@dataclass(frozen=True)
class UnitSymmetry:
    """How far apart the rows (units) of a weight matrix are.

    ``spread`` is the largest difference between two rows in any column; ``scale`` the
    largest absolute weight; ``identical`` whether the spread is round-off at that scale.
    """

    spread: float
    scale: float
    identical: bool


def unit_symmetry(W: np.ndarray) -> UnitSymmetry:
    """Whether the units of ``W (n_l, n_{l-1})`` compute the same function (rows equal up
    to round-off relative to the weights' size)."""
    W = np.asarray(W, dtype=np.float64)
    spread = float(np.max(np.ptp(W, axis=0))) if W.size else 0.0
    scale = float(np.max(np.abs(W))) if W.size else 0.0
    return UnitSymmetry(spread, scale, spread <= ROUND_OFF * scale)

"""Sweeps: train one model per value of lambda or keep_prob, all K at once.

The K models share the initial parameters and train as one stack
(:func:`dnn_core.training.train_stack`), so each equals the run of its value alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .network import accuracy
from .training import TrainConfig, train_stack, validate

SWEEPABLE = ("lambd", "keep_prob")


@dataclass
class SweepResult:
    """``values (K,)``; ``costs (n_records, K)`` at ``iterations``; accuracies ``(K,)``
    (test accuracies are NaN when no test set was given); ``params`` stacked ``(K, ...)``."""

    name: str
    values: np.ndarray
    iterations: np.ndarray
    costs: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    params: dict[str, np.ndarray]
    diverged: bool
    message: str

    def model(self, k: int) -> dict[str, np.ndarray]:
        """Parameters of the k-th model, unstacked."""
        return {key: value[k] for key, value in self.params.items()}


def sweep(
    X: np.ndarray,
    Y: np.ndarray,
    config: TrainConfig,
    name: str,
    values: Sequence[float],
    *,
    X_test: np.ndarray | None = None,
    Y_test: np.ndarray | None = None,
    callback=None,
) -> SweepResult:
    """Train ``len(values)`` copies of ``config``, each with ``config.<name> = value``.

    Args:
        X: ``(n_x, m)``; Y: ``(1, m)``; X_test / Y_test: optional held-out set.
        name: ``"lambd"`` or ``"keep_prob"``.
        values: the settings to compare, e.g. ``[0, 0.1, 0.3, 0.7]``.
        callback: as in :func:`dnn_core.train` (its ``cost`` is then ``(K,)``).

    Raises:
        ValueError: for an unknown name, no values, or an invalid value.
    """
    if name not in SWEEPABLE:
        raise ValueError(f"Can sweep only {' or '.join(SWEEPABLE)}, not {name!r}.")
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("Give at least one value to sweep.")
    for value in values:  # every value must be a valid setting on its own
        X, Y = validate(X, Y, replace(config, **{name: float(value)}))
    K = values.size
    results = train_stack(
        X, Y, [replace(config, **{name: float(value)}) for value in values], callback=callback
    )
    # A model that diverged stops recording: its later costs read NaN.
    iterations = max((result.iterations for result in results), key=len)
    costs = np.full((len(iterations), K), np.nan)
    for k, result in enumerate(results):
        costs[: len(result.costs), k] = result.costs
    params = {key: np.stack([r.params[key] for r in results]) for key in results[0].params}
    # A diverged model's last finite weights can still overflow on new inputs; it then
    # scores as it predicts, without warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        train_accuracy = np.asarray(accuracy(X, Y, params, activation=config.activation))
        test_accuracy = (
            np.asarray(accuracy(X_test, Y_test, params, activation=config.activation))
            if X_test is not None and Y_test is not None
            else np.full(K, np.nan)
        )
    return SweepResult(
        name=name,
        values=values,
        iterations=iterations,
        costs=costs,
        train_accuracy=train_accuracy,
        test_accuracy=test_accuracy,
        params=params,
        diverged=any(result.diverged for result in results),
        message=next((r.message for r in results if r.diverged), results[0].message),
    )

"""Gradient descent, momentum and Adam, mini-batches and learning-rate decay.

The update rules work on any array in place. Training keeps all parameters in one flat
vector ``theta (P,)`` (the dict entries are views into it), so one update moves every layer.
"""

from __future__ import annotations

import math

import numpy as np

OPTIMIZERS = ("gd", "momentum", "adam")


class GradientDescent:
    """theta := theta - learning_rate * grad.

    The hyper-parameters of these update rules (``learning_rate``, ``beta``, ...) are scalars,
    or columns ``(K, 1)`` when ``theta`` is ``(K, P)``: one value per stacked model. Updates
    are written into buffers allocated once, so a step allocates nothing.
    """

    def __init__(self, shape) -> None:
        self.t = 0
        self._step = np.zeros(shape)

    def step(self, theta: np.ndarray, grad: np.ndarray, learning_rate) -> None:
        self.t += 1
        np.multiply(grad, learning_rate, self._step)
        theta -= self._step


class Momentum:
    """Exponentially weighted average of gradients (the course's form):

    v := beta * v + (1 - beta) * grad;  theta := theta - learning_rate * v

    The step keeps ``v_sum = v / (1 - beta)``, updated as ``v_sum := beta * v_sum + grad``
    (one multiplication fewer), and moves ``theta`` by ``learning_rate * (1 - beta) * v_sum``.
    """

    def __init__(self, shape, beta=0.9) -> None:
        self.beta = beta
        self._beta = _operand(beta)
        self._one_minus_beta = 1.0 - beta if np.ndim(beta) == 0 else _operand(1.0 - beta)
        self.v_sum = np.zeros(shape)
        self.t = 0
        self._step = np.zeros(shape)
        self._rate = np.zeros(())  # for when it is a float

    @property
    def v(self) -> np.ndarray:
        """The course's average of gradients (a copy)."""
        return self._one_minus_beta * self.v_sum

    def step(self, theta: np.ndarray, grad: np.ndarray, learning_rate) -> None:
        self.t += 1
        rate = _scalar_operand(learning_rate * self._one_minus_beta, self._rate)
        self.v_sum *= self._beta
        self.v_sum += grad
        theta -= np.multiply(self.v_sum, rate, self._step)


class Adam:
    """Momentum plus RMSprop with bias correction (t counts updates from 1):

    v := beta1 v + (1 - beta1) g;    s := beta2 s + (1 - beta2) g**2
    theta := theta - lr * (v / (1 - beta1**t)) / (sqrt(s / (1 - beta2**t)) + epsilon)

    The step computes the same numbers with fewer operations on every parameter. It keeps
    ``v_sum = v / (1 - beta1)`` and ``s_sum = s / (1 - beta2)``, updated as
    ``v_sum := beta1 v_sum + g`` and ``s_sum := beta2 s_sum + g**2``, and moves ``theta`` by
    ``rate * v_sum / (sqrt(s_sum) + epsilon_t)``, with two scalars a step:

    - ``rate = lr * (1 - beta1) / (1 - beta1**t) * sqrt(1 - beta2**t) / sqrt(1 - beta2)``
    - ``epsilon_t = epsilon * sqrt(1 - beta2**t) / sqrt(1 - beta2)``

    (put ``v_sum`` and ``s_sum`` into the course's fraction, then multiply it above and
    below by ``sqrt(1 - beta2**t) / sqrt(1 - beta2)``).
    """

    def __init__(self, shape, beta1=0.9, beta2=0.999, epsilon=1e-8) -> None:
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self._beta1, self._beta2 = _operand(beta1), _operand(beta2)
        scalars = np.ndim(beta1) == np.ndim(beta2) == np.ndim(epsilon) == 0
        self._sqrt = math.sqrt if scalars else np.sqrt
        root_of_one_minus_beta2 = self._sqrt(1.0 - beta2)
        # What the sums' scale puts into each step's scalars (floats, or columns).
        self._rate_factor = (1.0 - beta1) / root_of_one_minus_beta2
        self._epsilon_factor = epsilon / root_of_one_minus_beta2
        self.v_sum = np.zeros(shape)
        self.s_sum = np.zeros(shape)
        self.t = 0
        self._scratch, self._denominator = np.zeros(shape), np.zeros(shape)
        self._rate, self._epsilon_t = np.zeros(()), np.zeros(())  # for when they are floats

    @property
    def v(self) -> np.ndarray:
        """The course's first moment (a copy)."""
        return (1.0 - _operand(self.beta1)) * self.v_sum

    @property
    def s(self) -> np.ndarray:
        """The course's second moment (a copy)."""
        return (1.0 - _operand(self.beta2)) * self.s_sum

    def step(self, theta: np.ndarray, grad: np.ndarray, learning_rate) -> None:
        self.t += 1
        root = self._sqrt(1.0 - self.beta2**self.t)  # sqrt of the second moment's correction
        rate = learning_rate * self._rate_factor * root / (1.0 - self.beta1**self.t)
        rate = _scalar_operand(rate, self._rate)
        epsilon_t = _scalar_operand(self._epsilon_factor * root, self._epsilon_t)
        scratch, denominator = self._scratch, self._denominator
        self.v_sum *= self._beta1
        self.v_sum += grad
        self.s_sum *= self._beta2
        self.s_sum += np.square(grad, scratch)
        np.sqrt(self.s_sum, denominator)
        denominator += epsilon_t
        step = np.divide(self.v_sum, denominator, scratch)
        step *= rate
        theta -= step


def _operand(value) -> np.ndarray:
    """A hyper-parameter as an array: a scalar becomes a 0-d array, a column stays as it is.
    NumPy converts a Python float again on every call it is given to, and on a small model
    that costs as much as the arithmetic."""
    return np.asarray(value, dtype=np.float64)


def _scalar_operand(value, buffer: np.ndarray):
    """A per-step value as an operand: a float is written into the 0-d ``buffer`` (see
    :func:`_operand`), an array (one value a model) is used as it is."""
    if isinstance(value, np.ndarray):
        return value
    buffer[()] = value
    return buffer


def make_optimizer(name: str, shape, *, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """An optimizer by name (``"gd"``, ``"momentum"`` or ``"adam"``) for arrays of ``shape``."""
    if name == "gd":
        return GradientDescent(shape)
    if name == "momentum":
        return Momentum(shape, beta)
    if name == "adam":
        return Adam(shape, beta1, beta2, epsilon)
    raise ValueError(f"Unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}.")


class StackedOptimizer:
    """Each model of a stack with its own optimizer and hyper-parameters.

    ``theta`` is ``(K, P)``, one model a row (or ``(P,)`` for a single model). Models that
    use the same kind of optimizer update together, as one group with per-model columns of
    hyper-parameters, so a step costs a few vectorised operations per kind, not per model.

    Args:
        names: the optimizer of each model, ``K`` of ``"gd"``, ``"momentum"``, ``"adam"``
            (one name for a single model).
        shape: ``(K, P)`` (or ``(P,)``).
        beta, beta1, beta2, epsilon: one value per model (sequences of K).
    """

    def __init__(self, names, shape, *, beta, beta1, beta2, epsilon) -> None:
        self.shape = tuple(shape)
        self.groups: list[tuple[str, object, object]] = []  # (name, rows, optimizer)
        self._rates: tuple = (None, [])  # (the last learning_rate given, each group's part)
        if len(self.shape) == 1:  # one model: plain scalars
            settings = {
                "beta": beta[0],
                "beta1": beta1[0],
                "beta2": beta2[0],
                "epsilon": epsilon[0],
            }
            optimizer = make_optimizer(names[0], shape, **settings)
            self.groups.append((names[0], Ellipsis, optimizer))
            self.step = optimizer.step  # one model, one rule: its own step, nothing to split
            return
        for name in OPTIMIZERS:
            members = [k for k, model_name in enumerate(names) if model_name == name]
            if not members:
                continue
            columns = {  # the group's hyper-parameters, one row per model
                setting: _column([values[k] for k in members])
                for setting, values in (
                    ("beta", beta), ("beta1", beta1), ("beta2", beta2), ("epsilon", epsilon)
                )
            }  # fmt: skip
            optimizer = make_optimizer(name, (len(members), self.shape[1]), **columns)
            self.groups.append((name, _rows(members), optimizer))

    def step(self, theta: np.ndarray, grad: np.ndarray, learning_rate) -> None:
        """One update of every model; ``learning_rate`` a scalar or a ``(K, 1)`` column."""
        rates = self._group_rates(learning_rate)
        for (_, rows, optimizer), rate in zip(self.groups, rates, strict=True):
            if isinstance(rows, np.ndarray):  # rows apart: update a copy, then write it back
                part = theta[rows]
                optimizer.step(part, grad[rows], rate)
                theta[rows] = part
            else:  # a slice: a view, updated in place
                optimizer.step(theta[rows], grad[rows], rate)

    def _group_rates(self, learning_rate) -> list:
        """Each group's part of ``learning_rate`` (a plain float where the group's models
        share one), worked out again only when the rates change (a decay step)."""
        if learning_rate is not self._rates[0]:
            per_model = np.ndim(learning_rate) > 0
            rates = [
                _column(np.ravel(learning_rate[rows])) if per_model else learning_rate
                for _, rows, _ in self.groups
            ]
            self._rates = (learning_rate, rates)
        return self._rates[1]

    def model_state(self, k: int) -> dict:
        """Model ``k``'s state: ``{"t": steps, "v_sum": (P,), "s_sum": (P,)}`` (what its rule
        keeps)."""
        _, rows, optimizer = self._group_of(k)
        position = self._position(rows, k)
        state = {"t": optimizer.t}
        for field in _KEPT:
            if hasattr(optimizer, field):
                state[field] = getattr(optimizer, field)[position].copy()
        return state

    def set_model_state(self, k: int, state: dict) -> None:
        """Restore what :meth:`model_state` gave (to resume a stopped run)."""
        _, rows, optimizer = self._group_of(k)
        position = self._position(rows, k)
        optimizer.t = state["t"]
        for field in _KEPT:
            if hasattr(optimizer, field):
                getattr(optimizer, field)[position] = state[field]

    def _group_of(self, k: int):
        for group in self.groups:
            rows = group[1]
            if rows is Ellipsis or k in np.arange(self.shape[0])[rows]:
                return group
        raise IndexError(k)

    @staticmethod
    def _position(rows, k: int):
        if rows is Ellipsis:
            return Ellipsis
        if isinstance(rows, slice):
            return k - rows.start
        return int(np.flatnonzero(rows == k)[0])


_KEPT = ("v_sum", "s_sum")  # what an update rule carries from step to step


def _column(values):
    """One hyper-parameter of a group's models: a plain float when they share it (an update
    then costs what it costs one model), else a column ``(n, 1)``, one value a model."""
    values = np.asarray(values, dtype=np.float64)
    if np.all(values == values[0]):
        return float(values[0])
    return values.reshape(-1, 1)


def _rows(members: list[int]):
    """A slice when the rows are contiguous (updates then work on views), else the indices."""
    if members == list(range(members[0], members[-1] + 1)):
        return slice(members[0], members[-1] + 1)
    return np.asarray(members)


def random_mini_batches(
    X: np.ndarray, Y: np.ndarray, mini_batch_size: int = 64, seed: int = 0, *, rng=None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle the examples and cut them into mini-batches (the last one may be smaller).

    Args:
        X: ``(n_x, m)``; Y: ``(1, m)``.
        seed: the course's per-epoch seed (``np.random.seed(seed)`` then ``permutation``),
            used when no ``rng`` (``numpy.random.Generator``) is given.

    Returns:
        ``[(X_batch (n_x, b), Y_batch (1, b)), ...]`` covering every example once.
    """
    permutation = shuffled_order(X.shape[1], seed, rng=rng)
    return cut_into_mini_batches(X[:, permutation], Y[:, permutation], mini_batch_size)


def shuffled_order(m: int, seed: int = 0, *, rng=None) -> np.ndarray:
    """A permutation of ``m`` examples: from ``rng``, else the course's
    ``np.random.seed(seed); np.random.permutation(m)`` (on a private ``RandomState``)."""
    return (rng if rng is not None else np.random.RandomState(seed)).permutation(m)


def cut_into_mini_batches(
    X: np.ndarray, Y: np.ndarray, mini_batch_size: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Consecutive ``(X_batch, Y_batch)`` of ``mini_batch_size`` examples (views)."""
    return [
        (X[:, start : start + mini_batch_size], Y[:, start : start + mini_batch_size])
        for start in range(0, X.shape[1], mini_batch_size)
    ]


def learning_rate_at(
    learning_rate0: float,
    epoch: int,
    decay: str | None = None,
    decay_rate: float = 1.0,
    time_interval: int = 1000,
) -> float:
    """Learning rate for ``epoch`` (0-based).

    ``None``: constant. ``"inverse"``: lr0 / (1 + decay_rate * epoch).
    ``"scheduled"``: lr0 / (1 + decay_rate * floor(epoch / time_interval)) (the course's
    fixed-interval schedule, which avoids decaying to nearly zero too fast).
    """
    if decay is None or decay == "none":
        return learning_rate0
    if decay == "inverse":
        return learning_rate0 / (1.0 + decay_rate * epoch)
    if decay == "scheduled":
        return learning_rate0 / (1.0 + decay_rate * math.floor(epoch / time_interval))
    raise ValueError(f"Unknown learning-rate decay {decay!r}; use 'inverse' or 'scheduled'.")


def epoch_learning_rate(
    learning_rate0: float,
    epoch: int,
    decay: str | None = None,
    decay_rate: float = 1.0,
    time_interval: int = 1000,
) -> float:
    """The learning rate epoch ``epoch`` (0-based) trains at.

    The course computes the decayed rate *after* each epoch's updates, so epochs 0 and 1
    both train at ``learning_rate0`` and epoch e trains at ``learning_rate_at(e - 1)``.
    """
    return learning_rate_at(learning_rate0, max(epoch - 1, 0), decay, decay_rate, time_interval)

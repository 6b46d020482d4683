"""The training loop's machinery, kept out of the loop itself so that it reads like the
course's ``model()``: per-model settings as columns, mini-batch order, dropout masks,
records with divergence and stopping, and resuming a stopped run."""

from __future__ import annotations

import numpy as np

from .config import TrainConfig, TrainProgress, TrainResult, TrainState, dropout_rng
from .optimizers import (
    StackedOptimizer,
    epoch_learning_rate,
    learning_rate_at,
)
from .stack import StackedNetwork, with_ones_row


class Models:
    """The per-model settings of a stack as columns (plain scalars for one model)."""

    def __init__(self, configs: list[TrainConfig], lead: tuple) -> None:
        self.configs, self.lead = configs, lead
        self.lambd = self.column([c.lambd for c in configs], ndim=3)
        self.decays = any(c.decay not in (None, "none") for c in configs)
        self._constant_rate = self.column([c.learning_rate for c in configs], ndim=2)

    def column(self, values, *, ndim: int):
        """One value per model: a float for one model, else ``(K, 1, ...)`` of ``ndim``."""
        if not self.lead:
            return float(values[0])
        return np.asarray(values, dtype=np.float64).reshape(-1, *[1] * (ndim - 1))

    def load(self, net: StackedNetwork, starts: list[dict[str, np.ndarray]]) -> None:
        """Copy each model's start into the network's parameters."""
        for k, start in enumerate(starts):
            net.theta[self.row(k)] = net.as_vector(start)

    def row(self, k: int):
        """Model k's row of a ``(K, ...)`` array (the whole array for one model)."""
        return k if self.lead else Ellipsis

    def optimizer(self, shape) -> StackedOptimizer:
        configs = self.configs
        return StackedOptimizer(
            [c.optimizer for c in configs],
            shape,
            beta=[c.beta for c in configs],
            beta1=[c.beta1 for c in configs],
            beta2=[c.beta2 for c in configs],
            epsilon=[c.epsilon for c in configs],
        )

    def learning_rate(self, epoch: int):
        """The rate each model trains epoch ``epoch`` at."""
        if not self.decays:
            return self._constant_rate
        return self.column(
            [epoch_learning_rate(c.learning_rate, epoch, *_decay(c)) for c in self.configs],
            ndim=2,
        )

    def learning_rate_after(self, epoch: int):
        """Each model's rate once epoch ``epoch`` is done (the course's decay step)."""
        if not self.decays:
            return self._constant_rate
        return self.column(
            [learning_rate_at(c.learning_rate, epoch, *_decay(c)) for c in self.configs], ndim=2
        )


def _decay(config: TrainConfig) -> tuple:
    return config.decay, config.decay_rate, config.decay_interval


class Batches:
    """Each epoch's mini-batches of ``[X; 1]`` (the inputs with a row of ones for the bias)
    and ``Y``, asking ``should_stop`` before each, and where a stop left off.

    Without mini-batches an epoch is the whole set, drawn without shuffling. With them, the
    epoch's order comes from the course's seed 11, 12, ... under course seeding, else from
    the run's Generator (``default_rng(seed)``, drawn once per epoch).
    """

    def __init__(self, X, Y, config: TrainConfig, should_stop) -> None:
        self.X1, self.Y = with_ones_row(X), Y
        self.XY1 = np.vstack([self.X1, Y])  # (n_x + 2, m): shuffled together
        self.m = X.shape[1]
        self.size = config.mini_batch_size
        self.shuffles = self.size is not None and self.size < self.m
        self.count = -(-self.m // self.size) if self.shuffles else 1
        self.whole = [(self.X1, self.Y)]
        # The epoch's order is shuffled in place, from 0, 1, ..., m - 1 each epoch (what
        # ``permutation`` does, without a new array).
        self.identity = np.arange(self.m)
        self.order_buffer = np.empty_like(self.identity)
        # Each batch is its own block [X; 1; Y] (n_x + 2, b), views made once: a product
        # with a strided slice of one shuffled matrix copies it first (it costs twice as much).
        starts = range(0, self.m, self.size) if self.shuffles else ()
        spans = [slice(start, min(start + self.size, self.m)) for start in starts]
        blocks = [np.empty((self.XY1.shape[0], span.stop - span.start)) for span in spans]
        self.views = [(block[:-1], block[-1:]) for block in blocks]
        self.parts = [
            (self.order_buffer[span], block) for span, block in zip(spans, blocks, strict=True)
        ]
        self.rng = np.random.default_rng(config.seed)
        # Under course seeding each epoch re-seeds one RandomState: the same draws as the
        # course's np.random.seed(epoch_seed), without building a generator every epoch.
        self.course = np.random.RandomState() if config.course_seeding else None
        self.should_stop = should_stop
        # Where the loop begins: epoch 0 from its first batch, or where a stop left off.
        self.epoch, self.batch, self.order = 0, 0, None
        self.stopped = False

    def of_epoch(self, epoch: int):
        start, order = (self.batch, self.order) if epoch == self.epoch else (0, None)
        batches = None
        for index in range(start, self.count):
            if self.should_stop is not None and self.should_stop():
                self.stopped = True
                self.epoch, self.batch, self.order = epoch, index, order
                return
            if batches is None:
                order, batches = self._cut(epoch, order)
            yield batches[index]

    def _cut(self, epoch: int, order):
        if not self.shuffles:
            return None, self.whole
        if order is None:
            if self.course is not None:
                self.course.seed(10 + epoch + 1)  # the course's seeds: 11, 12, ...
            np.copyto(self.order_buffer, self.identity)  # shuffled: what permutation(m) draws
            (self.course or self.rng).shuffle(self.order_buffer)
        elif order is not self.order_buffer:  # a resumed epoch's order
            np.copyto(self.order_buffer, order)
        # The method, not np.take, skips __array_function__'s dispatch, and "clip" a bounds
        # check that an order cannot fail.
        for indices, block in self.parts:
            self.XY1.take(indices, axis=1, out=block, mode="clip")
        return self.order_buffer, self.views


def _neighbour_runs(rows: list[int]) -> tuple[slice, ...]:
    """Sorted stack rows as slices of neighbours: ``[1, 2, 3, 7]`` -> ``(1:4, 7:8)``."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][1]:
            runs[-1][1] = row + 1
        else:
            runs.append([row, row + 1])
    return tuple(slice(start, stop) for start, stop in runs)


class Dropout:
    """Each model's inverted-dropout factors for a batch, per hidden layer: ``D / keep_prob``
    with ``D`` the 0/1 mask (1 everywhere for a model without dropout).

    Real dropout draws fresh masks in every pass, from the model's own Generator
    (:func:`dropout_rng`): ``D = U < keep_prob`` with ``U`` uniform, drawn as 16-bit integers
    (four from each of the generator's 64-bit outputs, about a third of the cost of float
    draws) and compared with ``keep_prob * 2**16``, rounded down: a unit is kept with
    probability ``keep_prob`` to within ``2**-16`` (0.0015 %, far below what a run can
    show). The course's notebook re-seeds with 1 before every forward pass, so its masks
    depend only on the batch size: they are drawn once per size, in the same order (D1, D2,
    ...), as the course draws them (float64 ``np.random.rand``). Models without dropout
    keep every unit.
    """

    def __init__(self, configs: list[TrainConfig], net: StackedNetwork, lead: tuple) -> None:
        self.lead = lead
        self.hidden = net.layer_dims[1:-1]
        rows = [k if lead else Ellipsis for k in range(len(configs))]
        keep_probs = [c.keep_prob for c in configs]
        # Every model's keep_prob and 1 / keep_prob (1 for a model without dropout): a float
        # for one model, else (K, 1, 1).
        self.keep_prob = np.reshape(keep_probs, (-1, 1, 1)) if lead else keep_probs[0]
        self.scale = 1.0 / self.keep_prob
        self.fresh = {
            row: dropout_rng(c.seed)
            for row, c in zip(rows, configs, strict=True)
            if c.keep_prob < 1.0 and not c.course_dropout
        }
        self.course_rows = [
            row
            for row, c in zip(rows, configs, strict=True)
            if c.keep_prob < 1.0 and c.course_dropout
        ]
        self.on = bool(self.fresh or self.course_rows)
        # Only the rows with fresh masks change from pass to pass: their factors are remade,
        # a run of neighbouring models at a time; the others' are made once per batch size.
        self._fresh_spans = _neighbour_runs(sorted(self.fresh)) if lead else tuple(self.fresh)
        self._sizes: dict[int, tuple] = {}

    def masks(self, batch_size: int) -> list[np.ndarray] | None:
        """Each hidden layer's factors ``(..., n_l + 1, b)`` for a batch (a last row of
        ones, as the network's activations have: see :class:`StackedNetwork`)."""
        if not self.on:
            return None
        bits, steps, factors = self._buffers(batch_size)
        for row, rng in self.fresh.items():  # D1's draws first, then D2's, ...
            bits[row] = rng.bit_generator.random_raw(bits.shape[-1] // 4).view(np.uint16)
        for draws, threshold, kept, kept_bytes, units, scale in steps:  # D / keep_prob
            np.less(draws, threshold, kept)  # into booleans: straight into floats costs more
            units[...] = kept_bytes  # the booleans as uint8: they convert faster
            units *= scale
        return factors

    def _of(self, value, rows):
        """The models ``rows``' part of a per-model ``value`` (all of it for one model)."""
        return value[rows] if self.lead else value

    def _buffers(self, batch_size: int):
        """For one batch size: the fresh 16-bit draws ``(..., 4 * ceil(sum(n_l) * b / 4))``
        (one block a model), each layer's factors with a row of ones ``(..., n_l + 1, b)``,
        and the steps that make the fresh factors from the draws, a run of models and a
        layer at a time: ``(draws, threshold, kept, kept_bytes, units, scale)``, views made
        once. The course's masks are made here, once."""
        if batch_size not in self._sizes:
            count = sum(self.hidden) * batch_size
            bits = np.zeros((*self.lead, count + -count % 4), dtype=np.uint16)
            factors = [np.ones((*self.lead, n + 1, batch_size)) for n in self.hidden]
            steps = []
            for draws, layer in zip(self._layers(bits, batch_size), factors, strict=True):
                kept = np.zeros(draws.shape, dtype=bool)
                for rows in self._fresh_spans:
                    threshold = np.floor(self._of(self.keep_prob, rows) * 2.0**16)
                    units = layer[rows][..., :-1, :]
                    steps.append(
                        (
                            draws[rows],
                            threshold.astype(np.uint16),
                            kept[rows],
                            kept[rows].view(np.uint8),
                            units,
                            self._of(self.scale, rows),
                        )
                    )
            for row in self.course_rows:
                legacy = np.random.RandomState(1)
                keep_prob, scale = self._of(self.keep_prob, row), self._of(self.scale, row)
                for layer, n in zip(factors, self.hidden, strict=True):
                    units = layer[row][..., :-1, :]
                    np.less(legacy.random((n, batch_size)), keep_prob, out=units)
                    units *= scale
            self._sizes[batch_size] = (bits, steps, factors)
        return self._sizes[batch_size]

    def _layers(self, flat: np.ndarray, batch_size: int) -> list[np.ndarray]:
        views, start = [], 0
        for n in self.hidden:
            view = flat[..., start : start + n * batch_size].view()
            view.shape = (*flat.shape[:-1], n, batch_size)
            views.append(view)
            start += n * batch_size
        return views

    def state(self, row) -> dict | None:
        rng = self.fresh.get(row)
        return None if rng is None else rng.bit_generator.state

    def restore(self, row, state: dict | None) -> None:
        if state is not None:
            self.fresh[row].bit_generator.state = state


class Record:
    """What a run keeps: the cost at every recorded epoch (and per mini-batch when asked),
    each model's last parameters that were still finite, and why a model's run ended early,
    if it did. In a stack a diverged model stops recording while the others go on."""

    def __init__(
        self, configs: list[TrainConfig], net: StackedNetwork, callback, lead, *, examples: int
    ) -> None:
        self.configs, self.config, self.net, self.callback = configs, configs[0], net, callback
        self.lead, self.examples = lead, examples
        self.last_finite_theta = net.theta.copy()
        self.costs: list = []
        self.iterations: list[int] = []
        self.minibatch_costs: list = []  # chunks (n, *lead): an epoch's batches at a time
        self.minibatch_total = 0  # mini-batch costs kept so far
        self.epoch_cost = 0.0
        # This epoch's batches side by side, until their costs are computed together (see
        # keep_batch): logits (*lead, 1, m) and labels (1, m), the first ``_kept`` columns.
        self._logits = np.empty((*lead, 1, examples))
        self._labels = np.empty((1, examples))
        self._kept = 0
        self._sizes: list[int] = []
        self._penalties: list = []
        self._reductions: dict[tuple, tuple] = {}  # batch sizes -> (starts, sizes, weights)
        self.alive = np.ones(lead, dtype=bool)
        self.recorded = np.zeros(lead, dtype=np.int64)  # each model's number of records
        self.minibatch_count = np.zeros(lead, dtype=np.int64)  # its mini-batch costs kept
        self.messages = [""] * len(configs)
        self.stopped_early = False
        self.elapsed_before = 0.0
        self.initial_params: list[dict[str, np.ndarray]] = [
            net.as_dict(net.theta[k if lead else Ellipsis]) for k in range(len(configs))
        ]

    def is_recorded(self, epoch: int) -> bool:
        return epoch % self.config.record_every == 0 or epoch == self.config.epochs - 1

    def wants_cost(self, epoch: int) -> bool:
        return self.config.record_minibatch_costs or self.is_recorded(epoch)

    def keep_batch(self, ZL: np.ndarray, Y: np.ndarray) -> None:
        """Keep a mini-batch's logits ``ZL`` and labels for its cost. The costs of an epoch's
        batches are computed together once it ends (one call for all, not a few per step);
        L2's term needs the weights of this step, so it is taken now."""
        size = Y.shape[-1]
        kept = slice(self._kept, self._kept + size)
        self._logits[..., kept] = ZL
        self._labels[:, kept] = Y
        self._kept += size
        self._sizes.append(size)
        if self.net.l2:
            self._penalties.append(self.net.l2_penalty(size))

    def _batch_costs(self) -> None:
        """The kept batches' costs: added to the epoch's cost (each weighted by its share of
        the examples) and kept as mini-batch costs when asked."""
        if not self._sizes:
            return
        sizes = tuple(self._sizes)
        reduction = self._reductions.get(sizes)
        if reduction is None:  # an epoch's batch sizes are the same epoch after epoch
            counts = np.asarray(sizes)
            starts = np.concatenate([[0], np.cumsum(counts[:-1])])
            reduction = self._reductions[sizes] = (starts, counts, counts / self.examples)
        starts, counts, weights = reduction
        costs = self.net.batch_costs(
            self._logits[..., : self._kept], self._labels[:, : self._kept], starts, counts
        )  # (*lead, batches)
        if self._penalties:
            costs = costs + np.stack(self._penalties, axis=-1)
        self.epoch_cost = self.epoch_cost + costs @ weights
        if self.config.record_minibatch_costs:
            self.minibatch_costs.append(costs.T)  # (batches, *lead)
            self.minibatch_total += len(sizes)
        self._kept, self._sizes, self._penalties = 0, [], []

    def epoch_done(self, epoch: int) -> bool:
        """Record a recorded epoch; False when training must end: every model's cost or
        parameters stopped being finite, or the callback asked to stop."""
        self._batch_costs()
        cost, self.epoch_cost = self.epoch_cost, 0.0
        if not self.is_recorded(epoch):
            return True
        theta = self.net.theta
        finite = np.isfinite(cost) & np.all(np.isfinite(theta), axis=-1)
        for k in np.flatnonzero(self.alive & ~finite):
            self.messages[k] = (
                f"Training diverged at iteration {epoch}: the cost or the weights "
                f"became infinite or NaN. Lower the learning rate "
                f"(now {self.configs[k].learning_rate:g}) or use a smaller initialization."
            )
            self.minibatch_count[k if self.lead else ()] = self.minibatch_total
        self.alive &= finite
        if not self.alive.any():
            return False
        self.last_finite_theta[self.alive] = theta[self.alive]
        self.recorded[self.alive] += 1
        self.costs.append(cost)
        self.iterations.append(epoch)
        if self.callback is not None:
            progress = TrainProgress(
                epoch, self.config.epochs, cost, self.net.params, self.costs, self.iterations
            )
            if self.callback(progress) is False:
                self.stop(f"Stopped early after {epoch + 1} of {self.config.epochs} iterations.")
                return False
        return True

    def stop(self, message: str) -> None:
        self._batch_costs()  # a stop mid-epoch keeps the costs of the batches it took
        self.stopped_early = True
        for k in range(len(self.configs)):
            if self.alive[k if self.lead else ()]:
                self.messages[k] = message

    def results(self, models: Models, optimizer, batches, dropout, elapsed_s) -> list:
        """One :class:`TrainResult` per model (with its resumable state if it stopped)."""
        self.minibatch_count[self.alive] = self.minibatch_total
        minibatch_costs = (
            np.concatenate(self.minibatch_costs)
            if self.minibatch_costs
            else np.zeros((0, *self.lead))
        )
        results = []
        for k, config in enumerate(self.configs):
            row, pick = models.row(k), (lambda value, k=k: value[k] if self.lead else value)
            alive = bool(self.alive[row])
            theta = self.net.theta[row] if alive else self.last_finite_theta[row]
            count = self.recorded[row]
            state = None
            if self.stopped_early and alive:
                state = self._state(k, config, optimizer, batches, dropout)
            results.append(
                TrainResult(
                    params=self.net.as_dict(theta),
                    costs=np.asarray([pick(cost) for cost in self.costs[:count]]),
                    iterations=np.asarray(self.iterations[:count], dtype=np.int64),
                    diverged=not alive,
                    message=self.messages[k],
                    stopped_early=self.stopped_early and alive,
                    elapsed_s=elapsed_s,
                    minibatch_costs=(
                        minibatch_costs[: self.minibatch_count[row], ..., k].copy()
                        if self.config.record_minibatch_costs and self.lead
                        else minibatch_costs[: self.minibatch_count[row]].copy()
                        if self.config.record_minibatch_costs
                        else None
                    ),
                    initial_params=self.initial_params[k],
                    state=state,
                )
            )
        return results

    def _state(self, k: int, config, optimizer: StackedOptimizer, batches, dropout) -> TrainState:
        row = k if self.lead else Ellipsis
        optimizer_state = optimizer.model_state(k)
        as_dict = self.net.as_dict
        return TrainState(
            config=config,
            epoch=batches.epoch if batches.stopped else self.iterations[-1] + 1,
            batch=batches.batch if batches.stopped else 0,
            params=as_dict(self.net.theta[row]),
            optimizer={
                key: as_dict(value) if isinstance(value, np.ndarray) else value
                for key, value in optimizer_state.items()
            },
            epoch_cost=float(np.broadcast_to(self.epoch_cost, self.lead)[row])
            if batches.stopped
            else 0.0,
            last_finite_params=as_dict(self.last_finite_theta[row]),
            order=None if not batches.stopped or batches.order is None else batches.order.copy(),
            shuffle_rng=batches.rng.bit_generator.state,
            dropout_rng=dropout.state(row),
        )


def restore(resume, configs, models, net, optimizer, batches, dropout, record) -> None:
    """Put a stopped run's state back into the loop's machinery."""
    states = [result.state for result in resume]
    if any(state is None for state in states):
        raise ValueError("Only a run that was stopped early (and did not diverge) can resume.")
    for state, config in zip(states, configs, strict=True):
        if state.config != config:
            raise ValueError("A run resumes only with the configuration it was stopped with.")
    first = states[0]
    if any((state.epoch, state.batch) != (first.epoch, first.batch) for state in states):
        raise ValueError("The results to resume were not stopped together.")
    batches.epoch, batches.batch, batches.order = first.epoch, first.batch, first.order
    batches.rng.bit_generator.state = first.shuffle_rng
    for k, (state, result) in enumerate(zip(states, resume, strict=True)):
        row = models.row(k)
        net.theta[row] = net.as_vector(state.params)
        record.last_finite_theta[row] = net.as_vector(state.last_finite_params)
        optimizer.set_model_state(
            k,
            {
                key: net.as_vector(value) if isinstance(value, dict) else value
                for key, value in state.optimizer.items()
            },
        )
        dropout.restore(row, state.dropout_rng)
        record.initial_params[k] = {
            key: value.copy() for key, value in result.initial_params.items()
        }
    stacked = (lambda values: np.stack(values, axis=-1)) if models.lead else (lambda v: v[0])
    record.costs = [stacked(values) for values in zip(*(r.costs for r in resume), strict=True)]
    record.iterations = [int(i) for i in resume[0].iterations]
    record.recorded[...] = len(record.iterations)
    if resume[0].minibatch_costs is not None:
        kept = [r.minibatch_costs for r in resume]
        record.minibatch_costs = [np.stack(kept, axis=-1) if models.lead else kept[0]]
        record.minibatch_total = len(kept[0])
    record.epoch_cost = stacked([state.epoch_cost for state in states])
    record.elapsed_before = resume[0].elapsed_s

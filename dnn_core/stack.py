"""The training loop's fast passes: one network, or K stacked, in buffers allocated once.

:class:`StackedNetwork` computes what :func:`dnn_core.forward` and :func:`dnn_core.backward`
compute (checked against them in ``tests/core/test_stack.py``). For the course's small
networks a step costs NumPy calls more than arithmetic, so three things make it cheap:

- **The bias rides in the matrix product.** Each layer's parameters are one block
  ``[W | b]`` of shape ``(n_l, n_{l-1} + 1)`` and every activation carries a last row of
  ones, so ``Z = [W | b] @ [A; 1]`` and ``[dW | db] = dZ @ [A; 1].T`` are one call each.
- **The activation's slope is kept.** The forward pass keeps ``gate = g'(Z)`` (ReLU's
  ``(Z > 0)`` as 0/1 numbers, tanh's ``1 - A**2``, sigmoid's ``A (1 - A)``), times inverted
  dropout's ``D / keep_prob`` when there is dropout; the backward pass multiplies by it.
- **Nothing is allocated per step.** Every array lives in a buffer made once per batch
  size and written in place (``out`` given by position: a keyword costs more to parse
  than the arithmetic on these arrays); the backward pass writes ``dA`` over the activations it
  no longer needs.

All parameters sit in one matrix ``theta``: ``(P,)`` for one model or ``(K, P)`` for K (one
model a row), and :attr:`StackedNetwork.params` holds the course's ``W{l}``, ``b{l}`` as
views into it, shaped ``(n_l, n_{l-1})`` (with a leading K when stacked). Per-model
settings (L2's ``lambd``) are scalars or ``(K, 1, 1)`` columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .losses import compute_cost, squared_weights

# 0-d arrays for the constants of the passes: NumPy converts a Python float again on every
# call, which on the course's small networks costs as much as the arithmetic.
_ZERO, _ONE = np.zeros(()), np.ones(())


def with_ones_row(X: np.ndarray) -> np.ndarray:
    """``[X; 1]``: the inputs ``(n_x, m)`` with a row of ones below, for the bias."""
    return np.vstack([X, np.ones((1, X.shape[1]))])


class StackedNetwork:
    """K networks of the same shape (or one), their parameters and their passes' buffers.

    Args:
        layer_dims: ``[n_x, n_1, ..., n_L]``.
        lead: ``()`` for one network, ``(K,)`` for K stacked.
        lambd: L2 strength, a scalar or ``(K, 1, 1)``.
        activation: the hidden layers' ``"relu"``, ``"tanh"`` or ``"sigmoid"``.
    """

    def __init__(
        self, layer_dims: Sequence[int], lead=(), *, lambd=0.0, activation: str = "relu"
    ) -> None:
        self.layer_dims = tuple(int(n) for n in layer_dims)
        self.lead = tuple(lead)
        self.L = len(self.layer_dims) - 1
        self.lambd = lambd
        self.activation = activation
        self._relu = activation == "relu"
        self.l2 = bool(np.any(np.asarray(lambd) != 0))
        shapes = [
            (n, n_prev + 1) for n_prev, n in zip(self.layer_dims, self.layer_dims[1:], strict=False)
        ]
        self.offsets = np.cumsum([0] + [n * columns for n, columns in shapes])
        self.theta = np.zeros((*self.lead, int(self.offsets[-1])))
        self.grad = np.zeros_like(self.theta)
        self.blocks = self.layer_blocks(self.theta)  # [W | b] of each layer, views
        self.grad_blocks = self.layer_blocks(self.grad)
        self.params = self.as_params(self.blocks)
        self.weights = [block[..., :-1] for block in self.blocks]
        self.weights_T = [weights.mT for weights in self.weights]
        self.is_weight = self.as_vector(  # 1 at every weight, 0 at every bias
            {
                key: np.full(view.shape[-2:], key[0] == "W", float)
                for key, view in self.params.items()
            }
        )
        # matmul batches K models. One model's 2-D products are cheapest as ndarray.dot:
        # it skips the __array_function__ dispatch np.dot pays, and matmul's setup.
        self._product = np.matmul if self.lead else np.ndarray.dot
        # dA of the layer below the output, W_L.T @ dZL, is an outer product (one output
        # unit): broadcast, it costs a stack about half of matmul's batched call.
        self._back_products = [self._product] * self.L
        if self.lead and self.layer_dims[-1] == 1:
            self._back_products[-1] = np.multiply
        self._buffers: dict[int, _Buffers] = {}
        self._last: _Buffers | None = None  # the last forward pass's, for the backward pass
        self._l2_scale: dict[int, np.ndarray] = {}

    # --- between the course's dicts and the flat matrix -------------------------------------

    def layer_blocks(self, vector: np.ndarray) -> list[np.ndarray]:
        """Views ``[W | b]`` ``(..., n_l, n_{l-1} + 1)`` of each layer's part of ``vector``."""
        blocks = []
        for layer in range(1, self.L + 1):
            view = vector[..., self.offsets[layer - 1] : self.offsets[layer]].view()
            view.shape = (
                *vector.shape[:-1],
                self.layer_dims[layer],
                self.layer_dims[layer - 1] + 1,
            )
            blocks.append(view)  # assigning .shape raises rather than copy: a true view
        return blocks

    @staticmethod
    def as_params(blocks: list[np.ndarray]) -> dict[str, np.ndarray]:
        """``{"W1": block[..., :-1], "b1": block[..., -1:], ...}`` (views)."""
        params = {}
        for layer, block in enumerate(blocks, start=1):
            params[f"W{layer}"], params[f"b{layer}"] = block[..., :-1], block[..., -1:]
        return params

    def as_vector(self, params: dict[str, np.ndarray]) -> np.ndarray:
        """One model's ``{"W1", "b1", ...}`` as a vector ``(P,)`` in this layout (a copy)."""
        vector = np.empty(self.theta.shape[-1])
        for key, view in self.as_params(self.layer_blocks(vector)).items():
            view[...] = params[key]
        return vector

    def as_dict(self, vector: np.ndarray) -> dict[str, np.ndarray]:
        """A vector ``(P,)`` in this layout as ``{"W1", "b1", ...}`` (copies)."""
        return {key: view.copy() for key, view in self.as_params(self.layer_blocks(vector)).items()}

    # --- the passes ---------------------------------------------------------------------------

    def forward(self, X1: np.ndarray, masks: list[np.ndarray] | None = None):
        """``(AL, ZL)`` of a batch: ``X1 (n_x + 1, b)`` are its inputs with a row of ones
        (:func:`with_ones_row`); ``masks`` the hidden layers' inverted-dropout factors
        ``D / keep_prob`` ``(..., n_l, b)`` (or ``(..., n_l + 1, b)`` with a last row of
        ones, as the training loop gives them), or None without dropout. Both results are buffers,
        overwritten by the next pass."""
        buffers = self._last = self._buffers_for(X1.shape[-1])
        product, blocks = self._product, self.blocks
        A = X1
        for layer in range(1, self.L):
            product(blocks[layer - 1], A, buffers.Z[layer])  # Z = W A + b
            mask = None if masks is None else masks[layer - 1]
            if self._relu:
                _relu_layer(
                    buffers.A[layer],
                    buffers.alive[layer],
                    buffers.alive_bytes[layer],
                    buffers.gate[layer],
                    mask,
                )
            else:
                self._smooth_layer(buffers, layer, mask)
            A = buffers.A[layer]
        product(blocks[-1], A, buffers.ZL)
        return _sigmoid_into(buffers.ZL, buffers.AL), buffers.ZL

    def _smooth_layer(self, buffers: _Buffers, layer: int, mask) -> None:
        """``A = g(Z)`` over Z in place and ``gate = g'(Z)`` for tanh or sigmoid (from A:
        ``1 - A**2``, ``A (1 - A)``), times dropout's factors when there are any."""
        A, slope = buffers.Z[layer], buffers.dZ[layer]  # the units, above the rows of ones
        if self.activation == "tanh":
            np.tanh(A, A)
            np.multiply(A, A, slope)
            np.subtract(_ONE, slope, slope)
        else:
            _sigmoid_into(A, A)
            np.subtract(_ONE, A, slope)
            slope *= A
        if mask is not None:  # inverted dropout, forward and back
            for array in (buffers.A[layer], buffers.gate[layer]):
                units = _units_of(array, mask)
                units *= mask

    def cost(self, AL: np.ndarray, ZL: np.ndarray, Y: np.ndarray):
        """The cost (a float, or ``(K,)``) of a forward pass's ``AL``, from its logits ``ZL``."""
        return compute_cost(AL, Y, self.params, lambd=self.lambd, logits=ZL)

    def batch_costs(
        self, ZL: np.ndarray, Y: np.ndarray, starts: np.ndarray, sizes: np.ndarray
    ) -> np.ndarray:
        """The cross-entropy of consecutive batches, from their logits ``ZL (..., 1, n)``
        and labels ``Y (1, n)`` side by side: ``(..., batches)``, batch i the ``sizes[i]``
        examples from ``starts[i]``.

        As :func:`dnn_core.compute_cost` from logits: ``softplus(-Z) + (1 - Y) * Z``, exact
        for any Z, averaged over each batch (without L2's term: see :meth:`l2_penalty`).
        """
        losses = np.logaddexp(0.0, -ZL)
        losses += (1.0 - Y) * ZL
        return np.add.reduceat(losses[..., 0, :], starts, axis=-1) / sizes

    def l2_penalty(self, m: int):
        """L2's term of the cost on ``m`` examples, ``lambd / (2m) * sum(W**2)``, now: a
        float, or ``(K,)``."""
        lambd = np.reshape(self.lambd, self.lead) if self.lead else self.lambd
        return lambd * squared_weights(self.params) / (2 * m)

    def backward(self, X1: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """The gradient of the last forward pass's cost, written into :attr:`grad`
        (returned)."""
        buffers = self._last
        # d(cost)/dZL for sigmoid + cross-entropy simplifies to (AL - Y) / m.
        dZ = np.subtract(buffers.AL, Y, buffers.dZL)
        dZ *= buffers.inverse_m
        product, grad_blocks = self._product, self.grad_blocks
        for layer in range(self.L - 1, 0, -1):  # from the output layer down to layer 2
            product(dZ, buffers.A_T[layer], grad_blocks[layer])  # [dW | db] of layer + 1
            self._back_products[layer](self.weights_T[layer], dZ, buffers.Z[layer])  # dA
            gate = buffers.gate[layer]
            np.multiply(buffers.A[layer], gate, gate)  # dZ = dA * g'(Z), in the gate's buffer
            dZ = buffers.dZ[layer]
        product(dZ, X1.mT, grad_blocks[0])  # [dW1 | db1]
        if self.l2:  # + lambd / m * W for every weight (biases are not regularized)
            self.grad += np.multiply(self.theta, self._l2_scale_for(Y.shape[-1]), self._scratch)
        return self.grad

    # --- buffers ------------------------------------------------------------------------------

    def _buffers_for(self, batch_size: int) -> _Buffers:
        buffers = self._buffers.get(batch_size)
        if buffers is None:
            buffers = self._buffers[batch_size] = _Buffers(self.layer_dims, self.lead, batch_size)
        return buffers

    def _l2_scale_for(self, m: int) -> np.ndarray:
        """``lambd / m`` at every weight, 0 at every bias: ``(P,)`` or ``(K, P)``."""
        scale = self._l2_scale.get(m)
        if scale is None:
            lambd = np.asarray(self.lambd, dtype=np.float64).reshape(*self.lead, 1)
            scale = self._l2_scale[m] = (lambd / m) * self.is_weight
            self._scratch = np.zeros_like(self.theta)
        return scale


def _relu_layer(
    A: np.ndarray, alive: np.ndarray, alive_bytes: np.ndarray, gate: np.ndarray, mask
) -> None:
    """``A = relu(Z)`` over Z in place (``A (..., n_l + 1, b)`` holds Z above its row of ones)
    and ``gate`` = ReLU's slope, times dropout's factors ``mask`` when there are any;
    ``alive`` is a boolean buffer of A's shape, ``alive_bytes`` the same as ``uint8``."""
    # On whole buffers (see _Buffers): the row of ones stays 1.
    # ReLU's slope, 1 where Z > 0, else 0: compared into booleans, then copied as numbers
    # (comparing straight into numbers casts through a buffer, which costs more than both;
    # the same bytes read as uint8 convert in 60 % of the time booleans take).
    np.greater(A, _ZERO, alive)
    gate[...] = alive_bytes
    if mask is not None:  # dropped units pass nothing, forward or back; the kept
        units = _units_of(gate, mask)  # are scaled by 1 / keep_prob (inverted dropout)
        units *= mask
    A *= gate  # A = relu(Z) (* D / keep_prob)


def _units_of(gate: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The part of ``gate (..., n_l + 1, b)`` that ``mask`` covers: all of it for a mask
    with a row of ones (the loop's), its units ``(..., n_l, b)`` for one without."""
    return gate if mask.shape[-2] == gate.shape[-2] else gate[..., :-1, :]


class _Buffers:
    """The arrays of one batch size's passes: the hidden activations with their row of
    ones ``A[l] (..., n_l + 1, b)``, the gates ``(..., n_l + 1, b)`` (a row of ones too), and
    the output's logits, probabilities and ``dZL``.

    Elementwise steps work on whole buffers, row of ones included (ReLU's slope and
    dropout's factor are 1 there, so it stays 1): one contiguous block per step, which
    costs a stack of K models half what K blocks of ``(n_l, b)`` cost."""

    def __init__(self, layer_dims: tuple[int, ...], lead: tuple, batch_size: int) -> None:
        hidden = layer_dims[1:-1]
        self.A: list[np.ndarray | None] = [None]  # A[0] is the batch itself
        self.gate: list[np.ndarray | None] = [None]
        self.alive: list[np.ndarray | None] = [None]  # ReLU's Z > 0
        for n in hidden:
            A = np.empty((*lead, n + 1, batch_size))
            A[..., -1, :] = 1.0
            self.A.append(A)
            self.gate.append(np.ones((*lead, n + 1, batch_size)))
            self.alive.append(np.ones((*lead, n + 1, batch_size), dtype=bool))
        self.alive_bytes = [None] + [alive.view(np.uint8) for alive in self.alive[1:]]
        # Views made once (a slice costs a call too): the units above the row of ones, where
        # the forward pass writes Z and the backward pass dA; A transposed; dZ in the gates.
        self.Z = [None] + [A[..., :-1, :] for A in self.A[1:]]
        self.A_T = [None] + [A.mT for A in self.A[1:]]
        self.dZ = [None] + [gate[..., :-1, :] for gate in self.gate[1:]]
        self.ZL, self.AL, self.dZL = (np.empty((*lead, 1, batch_size)) for _ in range(3))
        self.inverse_m = np.full((), 1.0 / batch_size)  # 0-d: see optimizers._operand


def _sigmoid_into(Z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-Z))`` written into ``out`` (the caller silences overflow, as
    :func:`dnn_core.sigmoid` does: exp(-Z) = inf gives the correctly rounded 0)."""
    np.negative(Z, out)
    np.exp(out, out)
    out += _ONE
    return np.divide(_ONE, out, out)

"""Training benchmarks in CPU seconds: dnn_core against course-style NumPy, and stacks of
models against the same models trained one by one, all measured in the same run.

Run by hand:  python bench/training_bench.py [--repeat 3] [--scale 0.1]

(a) full-batch training of the course's regularization model ([2, 20, 3, 1], football
    data, lr 0.3, L2 0.7): train() against the course's model()          target <= 0.4x
(b) Adam, mini-batches of 64 ([2, 5, 2, 1] He, moons 300): train() against the course's
    model() with update_parameters_with_adam                             target <= 0.15x
(c) the Optimization lesson's course preset (GD, momentum, Adam; 10000 epochs) as one
    stack against three train() calls                                   target <= 4 s
(d) the Regularization page's 15 models at the course's 30000 iterations (its three models,
    the six-value lambda and keep_prob sweeps) as one stack against 15 train() calls
                                                                         target <= 8 s

--scale shortens every run (epochs x scale); the stacks' targets are then scaled alike.
Each pair runs alternately (A B A B ...) so that load from other processes hits both alike;
medians and the median of the per-pair ratios are printed. One BLAS thread, as in the app.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads its BLAS

import argparse
import math
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core_bench import (
    course_forward_propagation,
    course_model,
)

from dnn_core import course, datasets, train, train_stack

# --- course-style optimization code (the course's opt_utils and model(), as written) -------


def course_initialize_parameters_he(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(
            2.0 / layer_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def course_compute_cost(a3, Y):
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return np.sum(logprobs)


def course_backward_propagation(X, Y, cache):
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    dz3 = 1.0 / m * (a3 - Y)
    dW3 = np.dot(dz3, a2.T)
    db3 = np.sum(dz3, axis=1, keepdims=True)
    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))
    dW2 = np.dot(dz2, a1.T)
    db2 = np.sum(dz2, axis=1, keepdims=True)
    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    dW1 = np.dot(dz1, X.T)
    db1 = np.sum(dz1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}


def course_random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size : (k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size : (k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size :]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size :]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def course_initialize_adam(parameters):
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(L):
        for kind in ("W", "b"):
            name = "d" + kind + str(l + 1)
            v[name] = np.zeros(parameters[kind + str(l + 1)].shape)
            s[name] = np.zeros(parameters[kind + str(l + 1)].shape)
    return v, s


def course_update_parameters_with_adam(
    parameters, grads, v, s, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8
):
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    for l in range(L):
        for kind in ("W", "b"):
            name, key = "d" + kind + str(l + 1), kind + str(l + 1)
            v[name] = beta1 * v[name] + (1 - beta1) * grads[name]
            v_corrected[name] = v[name] / (1 - np.power(beta1, t))
            s[name] = beta2 * s[name] + (1 - beta2) * np.power(grads[name], 2)
            s_corrected[name] = s[name] / (1 - np.power(beta2, t))
            parameters[key] = parameters[key] - learning_rate * v_corrected[name] / (
                np.sqrt(s_corrected[name]) + epsilon
            )
    return parameters, v, s


def course_adam_model(X, Y, layers_dims, learning_rate, mini_batch_size, num_epochs):
    """The course's model(optimizer="adam"), its cost summed over every mini-batch."""
    parameters = course_initialize_parameters_he(layers_dims)
    v, s = course_initialize_adam(parameters)
    t, seed, costs = 0, 10, []
    for i in range(num_epochs):
        seed = seed + 1
        cost_total = 0
        for minibatch_X, minibatch_Y in course_random_mini_batches(X, Y, mini_batch_size, seed):
            a3, caches = course_forward_propagation(minibatch_X, parameters)
            cost_total += course_compute_cost(a3, minibatch_Y)
            grads = course_backward_propagation(minibatch_X, minibatch_Y, caches)
            t = t + 1
            parameters, v, s = course_update_parameters_with_adam(
                parameters, grads, v, s, t, learning_rate
            )
        if i % 1000 == 0:
            costs.append(cost_total / X.shape[1])
    return parameters, costs


# --- harness ------------------------------------------------------------------------------


def cpu_timed(fn):
    start = time.process_time()
    value = fn()
    return time.process_time() - start, value


def alternate(repeat, baseline, ours):
    """CPU seconds of ``baseline`` and ``ours`` run A B A B ...: ``(median A, median B,
    median of the per-pair ratios B/A, last A value, last B value)``."""
    base_times, our_times, ratios = [], [], []
    for _ in range(repeat):
        base_time, base_value = cpu_timed(baseline)
        our_time, our_value = cpu_timed(ours)
        base_times.append(base_time)
        our_times.append(our_time)
        ratios.append(our_time / base_time)
    return (
        statistics.median(base_times),
        statistics.median(our_times),
        statistics.median(ratios),
        base_value,
        our_value,
    )


def max_gap(a: dict, b: dict) -> float:
    return max(float(np.max(np.abs(a[key] - b[key]))) for key in a)


def stacked_row(label, repeat, X, Y, configs, target):
    """A table row: ``configs`` as one stack against the same models trained one by one."""
    base, ours, ratio, alone, stacked = alternate(
        repeat,
        lambda: [train(X, Y, config) for config in configs],
        lambda: train_stack(X, Y, configs),
    )
    gap = max(max_gap(a.params, s.params) for a, s in zip(alone, stacked, strict=True))
    return label, base, ours, ratio, target, f"max |dW| {gap:.0e}"


def regularization_page_models(base):
    """The Regularization page's models: its three, then the lambda and keep_prob sweeps."""
    three = [base, replace(base, lambd=0.7), replace(base, keep_prob=0.86)]
    lambdas = [replace(base, lambd=v) for v in (0.0, 0.1, 0.3, 0.7, 1.5, 3.0)]
    keep_probs = [replace(base, keep_prob=v) for v in (0.5, 0.65, 0.8, 0.86, 0.95, 1.0)]
    return three + lambdas + keep_probs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="pairs per benchmark (default 3)")
    parser.add_argument("--scale", type=float, default=0.1, help="epochs x scale (default 0.1)")
    args = parser.parse_args()
    scaled = lambda epochs: max(1, round(epochs * args.scale))  # noqa: E731

    if course.COURSE_DATA.is_file():
        football, source = datasets.load_mat(course.COURSE_DATA), "the course's football data"
    else:
        football, source = datasets.football(), "football-like data (course file not found)"
    moons = datasets.moons()
    print(f"{source}; moons 300; {args.repeat} pairs each, epochs x {args.scale:g}\n")
    rows = []

    reg = replace(course.REGULARIZATION_RUNS["L2, lambda = 0.7"], num_iterations=scaled(30000))
    X, Y = football.X_train, football.Y_train
    base, ours, ratio, (course_params, _), result = alternate(
        args.repeat,
        lambda: course_model(X, Y, reg.learning_rate, reg.epochs, lambd=reg.lambd),
        lambda: train(X, Y, reg),
    )
    gap = f"max |dW| {max_gap(course_params, result.params):.0e}"
    rows.append((f"(a) full batch, {reg.epochs} it.", base, ours, ratio, "<= 0.4x", gap))

    adam = replace(course.OPTIMIZATION_RUNS["Adam"], num_epochs=scaled(10000))
    X, Y = moons.X_train, moons.Y_train
    base, ours, ratio, (course_params, _), result = alternate(
        args.repeat,
        lambda: course_adam_model(X, Y, adam.layer_dims, adam.learning_rate, 64, adam.epochs),
        lambda: train(X, Y, adam),
    )
    gap = f"max |dW| {max_gap(course_params, result.params):.0e}"
    rows.append((f"(b) Adam, 64, {adam.epochs} ep.", base, ours, ratio, "<= 0.15x", gap))

    three = [replace(c, num_epochs=scaled(10000)) for c in course.OPTIMIZATION_RUNS.values()]
    label = f"(c) 3 optimizers, {three[0].epochs} ep."
    rows.append(stacked_row(label, args.repeat, X, Y, three, f"<= {4 * args.scale:g} s"))

    page = regularization_page_models(replace(course.REGULARIZATION, num_iterations=scaled(30000)))
    label = f"(d) 15 models, {page[0].epochs} it."
    X, Y = football.X_train, football.Y_train
    rows.append(stacked_row(label, args.repeat, X, Y, page, f"<= {8 * args.scale:g} s"))

    print(f"{'benchmark (CPU s, medians)':<28}{'baseline':>10}{'ours':>9}{'ratio':>9}  "
          f"{'target':<10}check")  # fmt: skip
    for name, base, ours, ratio, target, check in rows:
        print(f"{name:<28}{base:>9.2f}s{ours:>8.2f}s{ratio:>8.3f}x  {target:<10}{check}")
    print("\n(a), (b): baseline the course's code; (c), (d): baseline the same models one by one.")


if __name__ == "__main__":
    main()

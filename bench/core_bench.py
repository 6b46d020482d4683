"""Core benchmarks: dnn_core against straightforward course-style NumPy, in the same run.

Run by hand:  python bench/core_bench.py [--repeat 3]

(a) 30000 iterations of the course's regularization model ([2, 20, 3, 1], lr 0.3, L2 0.7)
(b) gradient check of that model: batched (one stacked pass) vs a per-parameter loop
(c) a 200 x 200 decision-grid evaluation (target: under 20 ms)

The course-style baselines below are written the way the course's notebooks write them
(dict of parameters, helper functions, cost every iteration), not deliberately slowed.
Targets: (a) >= 2x, (b) >= 20x, (c) < 20 ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dnn_core import course, datasets, decision_grid, train
from dnn_core.gradcheck import gradient_check

COURSE_RUN = course.REGULARIZATION_RUNS["L2, lambda = 0.7"]


# --- course-style baseline ----------------------------------------------------------------


def course_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def course_relu(x):
    return np.maximum(0, x)


def course_initialize_parameters(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(
            layer_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def course_forward_propagation(X, parameters):
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = course_relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = course_relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = course_sigmoid(Z3)
    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def course_compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cross_entropy_cost = 1.0 / m * np.nansum(logprobs)
    L2_regularization_cost = (
        (1.0 / m)
        * (lambd / 2)
        * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    )
    return cross_entropy_cost + L2_regularization_cost


def course_backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T) + (lambd / m) * W3
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T) + (lambd / m) * W2
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T) + (lambd / m) * W1
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {
        "dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
        "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1,
    }  # fmt: skip


def course_update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for k in range(L):
        W, b = "W" + str(k + 1), "b" + str(k + 1)
        parameters[W] = parameters[W] - learning_rate * grads["d" + W]
        parameters[b] = parameters[b] - learning_rate * grads["d" + b]
    return parameters


def course_model(X, Y, learning_rate=0.3, num_iterations=30000, lambd=0.7):
    costs = []
    parameters = course_initialize_parameters([X.shape[0], 20, 3, 1])
    for i in range(num_iterations):
        a3, cache = course_forward_propagation(X, parameters)
        cost = course_compute_cost_with_regularization(a3, Y, parameters, lambd)
        grads = course_backward_propagation_with_regularization(X, Y, cache, lambd)
        parameters = course_update_parameters(parameters, grads, learning_rate)
        if i % 1000 == 0:
            costs.append(cost)
    return parameters, costs


def course_dictionary_to_vector(parameters):
    keys, theta = [], None
    for key in ["W1", "b1", "W2", "b2", "W3", "b3"]:
        new_vector = np.reshape(parameters[key], (-1, 1))
        keys += [key] * new_vector.shape[0]
        theta = new_vector if key == "W1" else np.concatenate((theta, new_vector), axis=0)
    return theta, keys


def course_vector_to_dictionary(theta, like):
    parameters, start = {}, 0
    for key in ["W1", "b1", "W2", "b2", "W3", "b3"]:
        size = like[key].size
        parameters[key] = theta[start : start + size].reshape(like[key].shape)
        start += size
    return parameters


def course_gradient_check_n(parameters, X, Y, lambd, epsilon=1e-7):
    """The course's loop: two full forward passes per parameter."""
    parameters_values, _ = course_dictionary_to_vector(parameters)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        thetaplus = np.copy(parameters_values)
        thetaplus[i][0] = thetaplus[i][0] + epsilon
        plus = course_vector_to_dictionary(thetaplus, parameters)
        J_plus[i] = course_compute_cost_with_regularization(
            course_forward_propagation(X, plus)[0], Y, plus, lambd
        )
        thetaminus = np.copy(parameters_values)
        thetaminus[i][0] = thetaminus[i][0] - epsilon
        minus = course_vector_to_dictionary(thetaminus, parameters)
        J_minus[i] = course_compute_cost_with_regularization(
            course_forward_propagation(X, minus)[0], Y, minus, lambd
        )
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    return gradapprox


def course_plot_decision_grid(parameters, X, resolution=200):
    """The course's plot_decision_boundary evaluation (meshgrid + predict_dec)."""
    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    xx, yy = np.meshgrid(
        np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    )
    a3, _ = course_forward_propagation(np.c_[xx.ravel(), yy.ravel()].T, parameters)
    return (a3 > 0.5).reshape(xx.shape)


# --- harness ------------------------------------------------------------------------------


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def best_of_pair(repeat, baseline, ours):
    """Best-of-N times of two functions, run alternately so that load from other processes
    hits both alike: ``(baseline_time, baseline_value, ours_time, ours_value)``."""
    base_times, our_times = [], []
    for _ in range(repeat):
        base_time, base_value = timed(baseline)
        our_time, our_value = timed(ours)
        base_times.append(base_time)
        our_times.append(our_time)
    return min(base_times), base_value, min(our_times), our_value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--iterations", type=int, default=COURSE_RUN.epochs)
    args = parser.parse_args()

    if course.COURSE_DATA.is_file():
        data = datasets.load_mat(course.COURSE_DATA)
        source = "course football data"
    else:
        data = datasets.football()
        source = "football-like data (course file not found)"
    X, Y = data.X_train, data.Y_train
    print(f"data: {source}, X {X.shape}; best of {args.repeat}\n")
    rows = []

    config = replace(COURSE_RUN, num_iterations=args.iterations)
    course_time, (course_params, _), ours_time, result = best_of_pair(
        args.repeat,
        lambda: course_model(
            X, Y, config.learning_rate, num_iterations=args.iterations, lambd=config.lambd
        ),
        lambda: train(X, Y, config),
    )
    gap = max(np.max(np.abs(course_params[k] - result.params[k])) for k in course_params)
    label = f"(a) train {args.iterations} it."
    rows.append((label, course_time, ours_time, ">= 2x", f"max |dW| {gap:.1e}"))

    params = result.params
    loop_time, loop_approx, batched_time, report = best_of_pair(
        args.repeat * 5,
        lambda: course_gradient_check_n(params, X, Y, config.lambd),
        lambda: gradient_check(params, X, Y, lambd=config.lambd),
    )
    gap = np.max(np.abs(loop_approx.ravel() - report.gradapprox))
    rows.append(("(b) gradient check", loop_time, batched_time, ">= 20x", f"max |d| {gap:.1e}"))

    grid_course, _, grid_ours, _ = best_of_pair(
        args.repeat * 5,
        lambda: course_plot_decision_grid(params, X),
        lambda: decision_grid(params, X, resolution=200),
    )
    rows.append(("(c) 200x200 grid", grid_course, grid_ours, "< 20 ms", ""))

    print(f"{'benchmark':<22}{'course-style':>14}{'dnn_core':>12}{'ratio':>9}  {'target':<9}check")
    for name, base, ours, target, check in rows:
        print(
            f"{name:<22}{base * 1e3:>11.1f} ms{ours * 1e3:>9.1f} ms{base / ours:>8.1f}x  "
            f"{target:<9}{check}"
        )


if __name__ == "__main__":
    main()

"""Every kind of chart of ui/figures.py on one page, drawn through ui.page.chart from
fixed synthetic data (nothing trains), laid out as the lessons lay them out: the browser
tests read them in both themes, at three sizes, and in presentation mode (``?present=1``
sets the session-state key of the presentation toggle)."""

import numpy as np
import streamlit as st

from dnn_core import datasets, hidden_unit_maps, init_params
from ui import figures, page

st.set_page_config(page_title="Figures · Deep Net Lab", layout="wide")
st.session_state["present"] = st.query_params.get("present") == "1"

rng = np.random.default_rng(0)
data = datasets.load("circles")
xs = np.linspace(-1.3, 1.3, 80)
radius = np.hypot(*np.meshgrid(xs, xs))
probs = 1 / (1 + np.exp(12 * (radius - 0.75)))  # class 1 inside the circle
iterations = np.arange(0, 2000, 10)
decay = np.exp(-iterations / 400)
curves = {
    name: (iterations, 0.05 + 0.65 * decay**rate)
    for name, rate in (
        ("Zeros", 0.0),
        ("Random \N{MULTIPLICATION SIGN} 10", 0.3),
        ("He", 1.0),
        ("Xavier", 0.7),
    )
}

cost_column, map_column = st.columns(2)
page.chart(
    figures.cost_curves_figure(curves, title="Cost by scheme (log scale)", log_y=True),
    key="costs",
    container=cost_column,
)
page.chart(
    figures.decision_boundary_figure(
        xs,
        xs,
        probs,
        data.X_train,
        data.Y_train,
        data.X_test,
        data.Y_test,
        title="Decision boundary",
    ),
    key="boundary",
    container=map_column,
)
for column, (index, title) in zip(
    st.columns(3),
    enumerate(("No regularization", "L2 (λ = 0.7)", "Dropout (keep 0.86)")),
    strict=True,
):
    page.chart(
        figures.decision_boundary_figure(
            xs, xs, probs ** (index + 1), data.X_train, data.Y_train, title=title, compact=True
        ),
        key=f"compact{index}",
        container=column,
    )
params = init_params([2, 10, 5, 1], "he", seed=3)
page.chart(
    figures.layer_histograms_figure(
        {
            f"layer {layer}": {
                "at initialization": rng.normal(0, 1e-3 * layer, 300),
                "after training": rng.normal(0.05, 2e-2, 300),
            }
            for layer in (1, 2, 3)
        },
        title="Weight gradients dW[l]",
        x_title="gradient",
    ),
    key="histograms",
)
weights_column, sweep_column = st.columns(2)
page.chart(
    figures.weights_heatmap_figure(params["W1"], title="W1 trained from He"),
    key="weights",
    container=weights_column,
)
lambdas = np.array([0.0, 0.1, 0.3, 0.7, 1.0, 3.0])
page.chart(
    figures.sweep_figure(
        lambdas,
        np.array([0.95, 0.94, 0.94, 0.93, 0.92, 0.85]),
        np.array([0.91, 0.92, 0.93, 0.93, 0.92, 0.86]),
        x_title="λ",
        title="Accuracy against λ",
        marked=0.7,
    ),
    key="sweep",
    container=sweep_column,
)
epsilon_column, blocks_column = st.columns(2)
epsilons = 10.0 ** -np.arange(1, 12)
page.chart(
    figures.epsilon_sweep_figure(
        epsilons,
        {"float64": epsilons**2 + 1e-16 / epsilons, "float32": epsilons**2 + 1e-7 / epsilons},
        chosen_epsilon=1e-7,
        title="Difference against ε",
    ),
    key="epsilons",
    container=epsilon_column,
)
page.chart(
    figures.per_parameter_difference_figure(
        {"W1": 2e-10, "b1": 0.6, "W2": 0.3, "b2": 3e-6, "W3": 1e-9, "b3": 4e-9},
        {"W1": "great", "b1": "wrong", "W2": "wrong", "b2": "ok", "W3": "great", "b3": "great"},
        title="Relative difference per block",
    ),
    key="blocks",
    container=blocks_column,
)
entries_column, steps_column = st.columns(2)
grad = rng.normal(size=(5, 4))
page.chart(
    figures.entry_difference_heatmap(
        grad,
        grad * (1 + 10.0 ** rng.uniform(-12, 0, grad.shape)),
        name="W2",
        title="Entries of W2",
    ),
    key="entries",
    container=entries_column,
)
page.chart(
    figures.minibatch_costs_figure(
        {name: rng.uniform(0.2, 0.7, 600) * np.linspace(1, 0.3, 600) for name in ("GD", "Adam")},
        title="Cost of every mini-batch",
    ),
    key="steps",
    container=steps_column,
)
page.chart(
    figures.learning_rate_figure(
        np.arange(100), 0.1 / (1 + np.arange(100) // 10), title="Learning rate by epoch"
    ),
    key="rates",
)
landscape_column, bowl_column = st.columns([3, 2])
grid = np.linspace(-3.0, 3.0, 45)
alpha, beta = np.meshgrid(grid, grid)
valley = 0.15 + 0.05 * alpha**2 + 2.0 * (beta - 0.2 * alpha**2 + 1) ** 2  # a curved valley
walk = np.linspace(0.0, 1.0, 30)
page.chart(
    figures.landscape_figure(
        grid,
        grid,
        valley,
        {
            "Gradient descent": (np.c_[2.5 - walk, 1.0 - 1.5 * walk], np.arange(30)),
            "Adam": (np.c_[2.5 - 2.5 * walk, 1.0 - 2.0 * np.sin(3 * walk)], np.arange(30)),
        },
        title="Paths on the cost landscape",
        x_title="1st principal direction",
        y_title="2nd principal direction",
    ),
    key="landscape",
    container=landscape_column,
)
steps = np.linspace(-1.0, 1.0, 61)
page.chart(
    figures.bowl_figure(
        steps,
        {
            "direction 1": {
                "no regularization": 0.2 + 9 * steps**2,
                "L2, λ = 0.7": 0.4 + 3 * steps**2,
            },
            "direction 2": {"no regularization": 0.2 + 4 * steps**4, "L2, λ = 0.7": 0.4 + steps**2},
        },
        title="Cost along two random lines",
        x_title="step",
    ),
    key="bowl",
    container=bowl_column,
)
# Inside the network: every hidden unit's map (He weights), and one unit large.
unit_xs, unit_ys, unit_maps = hidden_unit_maps(
    params, data.X_train, resolution=32, margin=figures.MAP_MARGIN
)
page.chart(
    figures.unit_maps_figure(
        unit_xs, unit_ys, unit_maps, X=data.X_train, Y=data.Y_train, title="Hidden units"
    ),
    key="unit-maps",
)
page.chart(
    figures.unit_map_figure(
        unit_xs, unit_ys, unit_maps[2][4], data.X_train, data.Y_train, title="Layer 2, unit 5"
    ),
    key="unit-map",
    container=st.columns([3, 2])[0],
)

"""Lesson 1: how the initial weights decide whether a deep network learns at all."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from dnn_core import init_params, train
from dnn_core.diagnostics import unit_symmetry
from ui import controls, figures, live

PREFIX = "init"
TIMES = "\N{MULTIPLICATION SIGN}"
SCHEMES = {
    "zeros": "Zeros",
    "random": f"Random {TIMES} scale",
    "he": "He",
    "xavier": "Xavier",
}
CONSTANT_WEIGHT = 0.5
SCALES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 20.0)
# Fast enough to retrain on every change, slow enough to show the lesson.
DEFAULTS = controls.LessonDefaults(
    dataset="circles", hidden_layers=(10, 5), learning_rate=0.1, num_iterations=2000
)
COURSE = controls.LessonDefaults(
    dataset="circles", hidden_layers=(10, 5), learning_rate=0.01, num_iterations=15000
)


def preset(defaults: controls.LessonDefaults) -> dict:
    """Widget values that restore ``defaults`` and the course's random scale."""
    return controls.lesson_settings(PREFIX, defaults) | {controls.key(PREFIX, "scale"): 10.0}


controls.setup_page("Initialization", ":material/casino:")
st.title("Initialization")
st.markdown(
    "Before the first step of gradient descent, every weight needs a value. That choice "
    "decides whether the hidden units learn different things, and whether signals and "
    "gradients keep a useful size as they pass through the layers. Pick a scheme, "
    "watch the network train, then compare all four."
)

sidebar = controls.sidebar(
    PREFIX,
    DEFAULTS,
    controls.SidebarOptions(
        presets={
            "Course settings (15 000 iterations, slower)": preset(COURSE),
            "Quick lesson defaults": preset(DEFAULTS),
        }
    ),
)
if sidebar.architecture_error:
    st.warning(sidebar.architecture_error, icon=":material/warning:")

choice_column, scale_column = st.columns([3, 2])
with choice_column:
    scheme = controls.stateful(
        st.segmented_control,
        "Initialization scheme",
        controls.key(PREFIX, "scheme"),
        "he",
        options=list(SCHEMES),
        format_func=SCHEMES.get,
        required=True,
    )
with scale_column:
    scale = controls.stateful(
        st.select_slider,
        f"Scale of the random scheme ({TIMES})",
        controls.key(PREFIX, "scale"),
        10.0,
        options=SCALES,
        format_func=lambda value: f"{value:g}",
        disabled=scheme != "random",
        help="Random weights are standard normal times this scale (the course uses 10).",
    )

with live.stop_on_error():
    data = live.load_dataset(sidebar.data)
    # Only the random scheme has a scale; the others keep one cache entry whatever it is.
    configs = {name: sidebar.train_config(init=name) for name in SCHEMES}
    configs["random"] = replace(configs["random"], init_scale=float(scale))

    st.header(f"Training from {SCHEMES[scheme]} initialization")
    cost_column, boundary_column = st.columns(2)
    view = live.LiveView(
        cost=cost_column.empty(),
        boundary=boundary_column.empty(),
        data=data,
        show_test=sidebar.show_test,
        key="init-main",
    )
    result = live.train_live(
        data, sidebar.data, configs[scheme], view=view, label=f"Training ({SCHEMES[scheme]})"
    )
live.show_run_status(result)

params = result.params
train_accuracy, test_accuracy = live.accuracies(params, data)
metric_columns = st.columns(4)
metric_columns[0].metric("Train accuracy", f"{train_accuracy:.1%}")
metric_columns[1].metric("Test accuracy", f"{test_accuracy:.1%}")
metric_columns[2].metric("Final cost", f"{result.costs[-1]:.4g}" if result.costs.size else "n/a")
metric_columns[3].metric("Training time", f"{result.elapsed_s:.2f} s")
controls.downloads(
    {SCHEMES[scheme]: (result, configs[scheme])},
    key="init_download",
    name="initialization",
    figures=view.final_figures,
)
controls.explain(
    "**Left:** the cost (cross-entropy) after each step. **Right:** the network's "
    "probability of the blue class over the plane; the dark line is where it is 0.5. "
    "Filled circles are training points, open diamonds test points.",
    look_for="zeros: a flat cost at 0.693 = ln 2 and no boundary at all; large random "
    "weights: a huge first cost and a slow, ragged descent; He and Xavier: a quick drop and "
    "a boundary that follows the rings.",
)

st.header("All four schemes on the same data")
comparison = {}
with live.stop_on_error():
    for name, config in configs.items():
        comparison[name] = live.train_live(
            data, sidebar.data, config, label=f"Comparing schemes: {SCHEMES[name]}"
        )
comparison_key = (sidebar.data, tuple(configs.values()))
curve_column, table_column = st.columns([5, 4])
controls.chart(
    live.memoize(
        ("init comparison costs", comparison_key),
        lambda: figures.cost_curves_figure(
            {
                SCHEMES[name]: (run.iterations, run.costs)
                for name, run in comparison.items()
                if run.costs.size
            },
            title="Cost by scheme (log scale)",
            num_iterations=sidebar.num_iterations,
            log_y=True,
        ),
    ),
    key="init-comparison-costs",
    container=curve_column,
)
notes = {
    "zeros": "fails to break symmetry",
    "random": (
        "too large: saturated output"
        if scale >= 3
        else "too small: signals vanish"
        if scale <= 0.1
        else "workable for this small net"
    ),
    "he": "recommended for ReLU",
    "xavier": "made for tanh, fine here",
}
scores = [live.accuracies(run.params, data) for run in comparison.values()]
table = figures.results_table(
    [SCHEMES[name] for name in comparison],
    [train for train, _ in scores],
    [test for _, test in scores],
    label="initialization",
)
table["comment"] = [
    ("diverged; " if run.diverged else "") + notes[name] for name, run in comparison.items()
]
with table_column:
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "train accuracy": st.column_config.NumberColumn(format="percent"),
            "test accuracy": st.column_config.NumberColumn(format="percent"),
        },
        key="init-comparison-table",
    )
    controls.explain(
        "The course's table, computed live with the sidebar's settings. Random uses the "
        f"scale chosen above ({TIMES} {scale:g}).",
        look_for="the same network, data and learning rate: only the starting weights differ.",
    )
for name, run in comparison.items():
    if name != scheme:
        live.show_run_status(run, what=f"{SCHEMES[name]} initialization")

st.header("Inside the network: activations and gradients per layer")


def layer_figures():
    """Histograms of activations and weight gradients, at initialization and after."""
    activations_start, gradients_start = live.layer_signals(
        result.initial_params, data.X_train, data.Y_train
    )
    activations_end, gradients_end = live.layer_signals(params, data.X_train, data.Y_train)
    activation_figure = figures.layer_histograms_figure(
        {
            layer: {"at initialization": activations_start[layer], "after training": values}
            for layer, values in activations_end.items()
        },
        title="Activations A[l] on the training set",
        x_title="activation",
    )
    gradient_figure = figures.layer_histograms_figure(
        {
            layer: {"at initialization": gradients_start[layer], "after training": values}
            for layer, values in gradients_end.items()
        },
        title="Weight gradients dW[l]",
        x_title="gradient",
    )
    with np.errstate(all="ignore"):  # exploding activations may overflow: shown as inf
        spread = pd.DataFrame(
            {
                "layer": list(activations_start),
                "std of A[l] at start": [np.std(a) for a in activations_start.values()],
                "std of A[l] after": [np.std(a) for a in activations_end.values()],
                "mean |dW[l]| at start": [np.mean(np.abs(g)) for g in gradients_start.values()],
            }
        )
    return activation_figure, gradient_figure, spread


activation_figure, gradient_figure, spread = live.memoize(
    ("init layers", sidebar.data, configs[scheme]), layer_figures
)
controls.chart(activation_figure, key="init-activations")
controls.chart(gradient_figure, key="init-gradients")
spread_column, text_column = st.columns([2, 3])
spread_column.dataframe(
    spread,
    hide_index=True,
    column_config={
        column: st.column_config.NumberColumn(format="%.3g") for column in spread.columns[1:]
    },
    key="init-spread",
)
with text_column:
    controls.explain(
        "Each layer multiplies its input by W[l]. If the weights are too large, activations "
        "grow layer after layer (exploding) and the sigmoid output saturates at 0 or 1; too "
        "small and they shrink towards zero (vanishing), and so do the gradients. He "
        "initialization keeps the spread of ReLU activations about constant:",
        formula=r"W^{[l]} \sim \mathcal{N}(0, 1)\cdot\sqrt{\frac{2}{n^{[l-1]}}}"
        r"\qquad\text{(Xavier: }\sqrt{1/n^{[l-1]}}\text{)}",
        look_for="with zeros every histogram is a single spike at 0 and the gradients are "
        f"exactly zero; with random {TIMES} 10 the activations reach the tens or hundreds; "
        "with He the spread stays similar from layer to layer.",
    )

st.header("Why zeros fail: symmetry")
# A constant non-zero start shows the symmetry itself: the units move, but all together.
he_config = configs["he"]
constant_start = {
    name: np.full_like(value, CONSTANT_WEIGHT) if name.startswith("W") else value
    for name, value in init_params(he_config.layer_dims, "zeros").items()
}
with live.stop_on_error():
    constant_run = live.run_cached(
        ("constant start", sidebar.data, he_config, CONSTANT_WEIGHT),
        lambda callback: train(
            data.X_train,
            data.Y_train,
            he_config,
            callback=callback,
            initial_params=constant_start,
        ),
        label=f"Training from constant weights ({CONSTANT_WEIGHT:g})",
    )
symmetry_runs = {
    "zeros": (comparison["zeros"], configs["zeros"]),
    f"all {CONSTANT_WEIGHT:g}": (constant_run, he_config),
    "He": (comparison["he"], he_config),
}
symmetry_columns = st.columns(len(symmetry_runs))
for index, (name, (run, config)) in enumerate(symmetry_runs.items()):
    column = symmetry_columns[index]
    W1 = run.params["W1"]
    controls.chart(
        live.memoize(
            ("init symmetry", name, sidebar.data, config),
            lambda W1=W1, name=name: figures.weights_heatmap_figure(
                W1, title=f"W1 trained from {name}"
            ),
        ),
        key=f"init-symmetry-{index}",
        container=column,
    )
    symmetry = unit_symmetry(W1)
    if not symmetry.identical:
        shown, verdict = f"{symmetry.spread:.3g}", "Distinct units: each row learns its own."
    elif symmetry.spread == 0:
        shown, verdict = "0", "Identical units: every row is exactly the same."
    else:
        shown = "\N{ALMOST EQUAL TO} 0"
        verdict = (
            f"Identical units: the rows differ by at most {symmetry.spread:.1e}, "
            f"floating-point round-off next to weights of size {symmetry.scale:.2g} (the "
            "computer added the same numbers in a slightly different order)."
        )
    column.metric(
        "Largest difference between two rows",
        shown,
        help="0 means every hidden unit of layer 1 computes exactly the same function. "
        "Differences below a billionth of the weights' size are round-off, not learning.",
    )
    column.caption(f"{verdict} Train accuracy {live.accuracies(run.params, data)[0]:.1%}.")
controls.explain(
    "Each row of W1 is one hidden unit. When all weights start equal, every unit of a layer "
    "computes the same value and receives the same gradient, so the rows stay identical "
    "however long you train: the layer behaves like a single unit. With zeros the gradients "
    "are even exactly zero, so the weights never move and the network predicts one class "
    "everywhere (50 % accuracy). Random starts break the symmetry.",
    formula=r"W^{[1]}_{1,:} = W^{[1]}_{2,:} \;\Rightarrow\; a^{[1]}_1 = a^{[1]}_2 "
    r"\;\Rightarrow\; dW^{[1]}_{1,:} = dW^{[1]}_{2,:}",
    look_for="identical stripes in the first two maps (all white for zeros), distinct rows for He.",
)

"""Lesson 4: mini-batches, momentum and Adam, and learning-rate decay."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dnn_core import accuracy, train
from dnn_core.optimizers import epoch_learning_rate
from ui import controls, figures, live

PREFIX = "opt"
TIMES = "\N{MULTIPLICATION SIGN}"
ALPHA = "\N{GREEK SMALL LETTER ALPHA}"
CHOICES = controls.OPTIMIZER_CHOICES
# The course trains 10 000 epochs at alpha = 0.0007. Ten times the rate for a tenth of the
# epochs ends in about the same place; 0.01 for 500 epochs is quicker still and already
# separates Adam from the others.
DEFAULTS = controls.LessonDefaults(
    dataset="moons", hidden_layers=(5, 2), learning_rate=0.01, num_iterations=500
)
COURSE = replace(DEFAULTS, learning_rate=0.0007, num_iterations=10_000)
COURSE_BATCH_SIZE = 64
# Steps (mini-batches) per optimizer the page will train: the course's run is 50 000.
MAX_STEPS = 100_000


def preset(defaults: controls.LessonDefaults) -> dict:
    """Widget values (``key -> value``) that restore ``defaults`` with the course's
    optimizer settings."""
    return controls.lesson_settings(PREFIX, defaults) | {
        controls.key(PREFIX, "batch_size"): COURSE_BATCH_SIZE,
        controls.key(PREFIX, "beta"): 0.9,
        controls.key(PREFIX, "beta1"): 0.9,
        controls.key(PREFIX, "beta2"): 0.999,
        controls.key(PREFIX, "adam_epsilon"): 1e-8,
        controls.key(PREFIX, "decay"): "none",
    }


controls.setup_page("Optimization", ":material/speed:")
st.title("Optimization")
st.markdown(
    "Gradient descent on the whole training set takes one careful step per pass over the "
    "data. **Mini-batches** take many cheaper, noisier steps per pass. **Momentum** "
    "averages recent gradients so the steps stop zig-zagging, and **Adam** also scales "
    "each parameter's step by how large its gradients have been. Same network, same "
    "starting weights: only the way of stepping differs."
)

sidebar = controls.sidebar(
    PREFIX,
    DEFAULTS,
    controls.SidebarOptions(
        presets={
            "Course settings (10 000 epochs, slower)": preset(COURSE),
            "Quick lesson defaults": preset(DEFAULTS),
        },
        iterations_label="Epochs",
        iterations_help="Passes over the training set. Each pass takes one step per "
        "mini-batch (one step in all for batch gradient descent).",
    ),
)
if sidebar.architecture_error:
    st.warning(sidebar.architecture_error, icon=":material/warning:")

settings = controls.optimization_controls(PREFIX)
with st.expander("The update rules"):
    controls.explain(
        f"For every weight matrix (and likewise every bias), with learning rate {ALPHA} and t "
        "the number of steps so far:",
        formula=r"\text{GD: } W := W - \alpha\, dW \qquad "
        r"\text{Momentum: } v := \beta v + (1-\beta)\, dW,\;\; W := W - \alpha v",
    )
    st.latex(
        r"\text{Adam: } v := \beta_1 v + (1-\beta_1)\, dW,\;\; "
        r"s := \beta_2 s + (1-\beta_2)\, dW^2,\;\; "
        r"W := W - \alpha\, \frac{v / (1-\beta_1^t)}{\sqrt{s / (1-\beta_2^t)} + \varepsilon}"
    )
if not settings.optimizers:
    st.info("Pick at least one optimizer to compare.", icon=":material/info:")
    st.stop()

with live.stop_on_error():
    data = live.load_dataset(sidebar.data)
    configs = {
        choice: sidebar.train_config(**settings.overrides(choice)) for choice in settings.optimizers
    }
    problems = sorted({problem for config in configs.values() for problem in config.problems()})
    if problems:
        raise ValueError(" ".join(problems))
m = data.X_train.shape[1]
epochs = sidebar.num_iterations
steps_per_epoch = math.ceil(m / settings.mini_batch_size)
uses_mini_batches = any(choice != "batch" for choice in settings.optimizers)
if uses_mini_batches and epochs * steps_per_epoch > MAX_STEPS:
    st.error(
        f"{epochs:,} epochs {TIMES} {steps_per_epoch:,} mini-batches of "
        f"{settings.mini_batch_size} = {epochs * steps_per_epoch:,} steps per optimizer; "
        f"this page trains at most {MAX_STEPS:,} (the course's run is 50,000). Use "
        "fewer epochs or larger mini-batches.",
        icon=":material/error:",
    )
    st.stop()

st.header("Cost while training")
cost_place = st.empty()
runs = {}
frame_numbers = itertools.count()


def draw_costs(curves: dict, *, final: bool) -> go.Figure:
    """The cost per epoch of every optimizer in one chart; while training, each frame is
    a new chart with its own key (the finished one keeps a stable key)."""
    figure = figures.cost_curves_figure(
        curves, title="Cost per epoch", num_iterations=epochs, x_title="epoch"
    )
    controls.chart(
        figure,
        key="opt-costs" if final else f"opt-costs-frame{next(frame_numbers)}",
        container=cost_place,
        filename="optimization cost per epoch",
    )
    return figure


def finished_curves() -> dict:
    return {CHOICES[choice]: (run.iterations, run.costs) for choice, run in runs.items()}


for choice, config in configs.items():
    name = CHOICES[choice]

    def show_progress(progress, name=name) -> None:
        draw_costs(
            finished_curves() | {name: (list(progress.iterations), list(progress.costs))},
            final=False,
        )

    with live.stop_on_error():
        runs[choice] = live.run_cached(
            ("train", sidebar.data, config),
            lambda callback, config=config: train(
                data.X_train, data.Y_train, config, callback=callback
            ),
            label=f"Training with {name}",
            on_frame=show_progress,
        )
cost_figure = draw_costs(finished_curves(), final=True)
for choice, run in runs.items():
    live.show_run_status(run, what=CHOICES[choice])

curve_column, text_column = st.columns([3, 2])
minibatch_figure = live.memoize(
    ("opt minibatch costs", sidebar.data, tuple(configs.values())),
    lambda: figures.minibatch_costs_figure(
        {CHOICES[choice]: run.minibatch_costs for choice, run in runs.items()},
        title="Cost of each mini-batch step",
    ),
)
controls.chart(minibatch_figure, key="opt-minibatch-costs", container=curve_column)
with text_column:
    controls.explain(
        "**Above:** the cost on the whole training set after each epoch. **Left:** the cost "
        "of every single step, measured on the mini-batch that step used.",
        look_for="Adam's cost falls fastest and lowest; with a small learning rate momentum "
        "follows mini-batch GD closely (it smooths the steps, it doesn't lengthen them). "
        "Per step, mini-batch costs are noisy: each batch is a different sample, so the "
        "cost jumps even while the trend goes down. Batch GD is smooth but takes one step "
        "per epoch, so it lags far behind per epoch.",
    )
    st.caption(
        f"{m} training points; mini-batches of {settings.mini_batch_size} make "
        f"{steps_per_epoch} steps per epoch, {epochs * steps_per_epoch:,} in all."
    )
controls.downloads(
    {CHOICES[choice]: (run, configs[choice]) for choice, run in runs.items()},
    key="opt_download",
    name="optimization",
    figures={"Cost per epoch": cost_figure, "Cost per step": minibatch_figure},
    title="Download these runs",
)

st.header("Decision boundaries")
# Two maps per row: narrower ones would shrink the moons to a strip.
boundary_columns = [column for _ in range(0, len(runs), 2) for column in st.columns(2)]
for index, (choice, run) in enumerate(runs.items()):
    controls.chart(
        live.memoize(
            ("opt boundary", sidebar.data, configs[choice], sidebar.show_test),
            lambda run=run, choice=choice: live.boundary_figure(
                run.params, data, show_test=sidebar.show_test, title=CHOICES[choice]
            ),
        ),
        key=f"opt-boundary-{choice}",
        container=boundary_columns[index],
    )

table = figures.results_table(
    [CHOICES[choice] for choice in runs],
    [accuracy(data.X_train, data.Y_train, run.params) for run in runs.values()],
    [accuracy(data.X_test, data.Y_test, run.params) for run in runs.values()],
    label="optimizer",
)
table["final cost"] = [float(run.costs[-1]) if run.costs.size else np.nan for run in runs.values()]
table["training time (s)"] = [run.elapsed_s for run in runs.values()]
table_column, note_column = st.columns([3, 2])
table_column.dataframe(
    table,
    hide_index=True,
    column_config={
        "train accuracy": st.column_config.NumberColumn(format="percent"),
        "test accuracy": st.column_config.NumberColumn(format="percent"),
        "final cost": st.column_config.NumberColumn(format="%.4f"),
        "training time (s)": st.column_config.NumberColumn(format="%.2f"),
    },
    key="opt-table",
)
with note_column:
    controls.explain(
        f"With the course's settings ({ALPHA} = 0.0007, mini-batches of 64, 10 000 epochs) the "
        "course reports 79.7 % training accuracy for mini-batch GD and momentum and 94 % "
        "for Adam. Times are those of the first run: results are kept, so coming back to "
        "the same settings is instant.",
        look_for="the same starting weights, yet different boundaries: the slower "
        "optimizers are still nearly straight where Adam already follows the moons.",
    )

if settings.decay != "none":
    st.header("Learning-rate decay")
    schedule_column, decay_text_column = st.columns([3, 2])
    epoch_axis = np.arange(epochs)
    rates = np.array(
        [
            epoch_learning_rate(
                sidebar.learning_rate,
                int(epoch),
                settings.decay,
                settings.decay_rate,
                settings.decay_interval,
            )
            for epoch in epoch_axis
        ]
    )
    controls.chart(
        figures.learning_rate_figure(epoch_axis, rates, title="Learning rate by epoch"),
        key="opt-learning-rate",
        container=schedule_column,
    )
    with decay_text_column:
        controls.explain(
            "Large steps early move fast; smaller steps later let the optimizer settle "
            "into a minimum instead of bouncing around it. As in the course, the rate is "
            "lowered after each epoch's steps, so the first two epochs both use "
            f"{ALPHA}₀ and epoch e trains at the rate computed after epoch e - 1:",
            formula=r"\alpha_{\text{after epoch } e} = \frac{\alpha_0}{1 + \text{rate}\cdot e}"
            if settings.decay == "inverse"
            else r"\alpha_{\text{after epoch } e} = \frac{\alpha_0}{1 + \text{rate}\cdot"
            r"\lfloor e / \text{interval} \rfloor}",
            look_for=f"decaying every epoch shrinks {ALPHA} very fast (after 100 epochs "
            f"with rate 1 it is {ALPHA}₀/100): the cost curve flattens early. The scheduled form "
            "decays in steps and keeps learning longer.",
        )

"""Lesson 4: mini-batches, momentum and Adam, and learning-rate decay."""

from __future__ import annotations

import streamlit as st

from ui import (
    budgets,
    figures,
    lesson_controls,
    optimization_view,
    page,
    pin_view,
    replay_view,
    runs,
    sidebar,
)
from ui import landscape_view as landscape
from ui.i18n import N_, _

PREFIX = "opt"
CHOICES = lesson_controls.OPTIMIZER_CHOICES

config = page.lesson_header(
    "Optimization",
    ":material/speed:",
    _(
        "Gradient descent on the whole training set takes one careful step per pass over the "
        "data. **Mini-batches** take many cheaper, noisier steps per pass. **Momentum** "
        "averages recent gradients so the steps stop zig-zagging, and **Adam** also scales "
        "each parameter's step by how large its gradients have been. Same network, same "
        "starting weights: only the way of stepping differs."
    ),
    PREFIX,
    sidebar.OPTIMIZATION_DEFAULTS,
    sidebar.SidebarOptions(
        presets=lesson_controls.optimization_presets(PREFIX),
        iterations_label=N_("Epochs"),
        iterations_help=N_(
            "Passes over the training set. Each pass takes one step per "
            "mini-batch (one step in all for batch gradient descent)."
        ),
    ),
)
settings = lesson_controls.optimization_controls(PREFIX)
if not settings.optimizers:
    st.info(_("Pick at least one optimizer to compare."), icon=":material/info:")
    st.stop()

with page.stop_on_error():
    data = runs.load_dataset(config.data)
    m = data.X_train.shape[1]
    config = page.cap_epochs(config, settings, m)
    configs = settings.configs(config)
    budgets.check_page_budget(data, list(configs.values()))
epochs = config.num_iterations

# Both cost charts side by side, above the fold on a laptop or projector.
epoch_column, step_column = st.columns(2)
with epoch_column, page.stop_on_error():
    optimizer_runs = runs.train_compared(data, config.data, configs, CHOICES, epochs=epochs)
cost_figure = optimizer_runs.final_figure
for choice, run in optimizer_runs.results.items():
    page.show_run_status(run, what=CHOICES[choice])
results = optimizer_runs.results

minibatch_figure = runs.memoize(
    ("opt minibatch costs", config.data, tuple(configs.values())),
    lambda: figures.minibatch_costs_figure(
        {CHOICES[choice]: run.minibatch_costs for choice, run in results.items()},
        title=_("Cost of each mini-batch step"),
    ),
)
page.chart(minibatch_figure, key="opt-minibatch-costs", container=step_column)
page.explain(
    _(
        "**Left:** the cost on the whole training set after each epoch. **Right:** the cost "
        "of every single step, measured on the mini-batch that step used."
    ),
    look_for=_(
        "Adam's cost falls first; momentum's averaged steps part from mini-batch "
        "GD's early on, then meet them (it smooths the steps, it doesn't lengthen them). "
        "Per step, mini-batch costs are noisy: each batch is a different sample, so the "
        "cost jumps even while the trend goes down. Batch GD is smooth but takes one step "
        "per epoch, so it lags far behind per epoch."
    ),
)
steps = settings.steps_per_epoch(m)
page.caption(
    _(
        "{points} training points; mini-batches of {size} make {steps} steps per epoch, "
        "{total} in all."
    ).format(points=m, size=settings.mini_batch_size, steps=steps, total=f"{epochs * steps:,}")
)
with st.expander(_("The update rules")):
    page.explain(
        _(
            "For every weight matrix (and likewise every bias), with learning rate α and t "  # noqa: RUF001
            "the number of steps so far:"
        ),
        formula=r"\text{GD: } W := W - \alpha\, dW \qquad "
        r"\text{Momentum: } v := \beta v + (1-\beta)\, dW,\;\; W := W - \alpha v",
    )
    page.latex(
        r"\text{Adam: } v := \beta_1 v + (1-\beta_1)\, dW,\;\; "
        r"s := \beta_2 s + (1-\beta_2)\, dW^2,\;\; "
        r"W := W - \alpha\, \frac{v / (1-\beta_1^t)}{\sqrt{s / (1-\beta_2^t)} + \varepsilon}"
    )
shown = {CHOICES[choice]: (run, configs[choice]) for choice, run in results.items()}
pin_view.pin_section(PREFIX, config, settings, shown, data)
page.downloads(
    shown,
    key="opt_download",
    name="optimization",
    figures={_("Cost per epoch"): cost_figure, _("Cost per step"): minibatch_figure},
    title=_("Download these runs"),
)

optimization_view.boundaries(config, data, configs, results)
landscape.show_optimizer_paths(data, config.data, configs, results, CHOICES)
replay_view.replay_section(
    data,
    config.data,
    {choice: (configs[choice], run) for choice, run in results.items()},
    prefix=PREFIX,
    names=CHOICES,
    default="adam",
    show_test=config.show_test,
    unit="epoch",
)

if settings.decay != "none":
    optimization_view.learning_rate_decay(config, settings, epochs)

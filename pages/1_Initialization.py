"""Lesson 1: how the initial weights decide whether a deep network learns at all."""

from __future__ import annotations

import streamlit as st

from ui import (
    budgets,
    figures,
    initialization_view,
    lesson_controls,
    live_view,
    page,
    pin_view,
    replay_view,
    runs,
    sidebar,
    units_view,
)
from ui.i18n import _

PREFIX = "init"
TIMES = "\N{MULTIPLICATION SIGN}"
SCHEMES = lesson_controls.SCHEMES

config = page.lesson_header(
    "Initialization",
    ":material/casino:",
    _(
        "Before the first step of gradient descent, every weight needs a value. That choice "
        "decides whether the hidden units learn different things, and whether signals and "
        "gradients keep a useful size as they pass through the layers. Pick a scheme, "
        "watch the network train, then compare all four."
    ),
    PREFIX,
    sidebar.INITIALIZATION_DEFAULTS,
    sidebar.SidebarOptions(presets=lesson_controls.initialization_presets(PREFIX)),
)
settings = lesson_controls.initialization_controls(PREFIX)
configs = settings.configs(config.train_config())
scheme = settings.scheme

with page.stop_on_error():
    data = runs.load_dataset(config.data)
    budgets.check_page_budget(data, [*configs.values(), configs["he"]])  # + the constant start
    st.header(_("Training from {scheme} initialization").format(scheme=SCHEMES[scheme]))
    view = live_view.LiveView.in_columns(
        data, show_test=config.show_test, key="init-main", activation=config.activation
    )
    # Every scheme and a constant start train at once, as one stack of networks.
    trained = runs.train_together(
        data,
        config.data,
        {**configs, "constant": configs["he"]},
        starts={"constant": runs.constant_start(configs["he"], lesson_controls.CONSTANT_WEIGHT)},
        label=_("Training every scheme"),
        on_frame=view.follow(scheme),
    )
    result = trained[scheme]
    view.draw_run(result, configs[scheme], config.data)
page.show_run_status(result)
page.explain_stall(result.params, data.X_train, activation=config.activation)
train_accuracy, test_accuracy = runs.accuracies(result.params, data, activation=config.activation)
page.accuracy_metrics(
    train_accuracy,
    test_accuracy,
    **{_("Final cost"): page.final_cost(result), _("Training time"): f"{result.elapsed_s:.2f} s"},
)
shown = {SCHEMES[scheme]: (result, configs[scheme])}
pin_view.pin_section(PREFIX, config, settings, shown, data)
page.downloads(
    shown,
    key="init_download",
    name="initialization",
    figures=view.final_figures,
)
page.explain(
    _(
        "**Left:** the cost (cross-entropy) after each step. **Right:** the network's "
        "probability of the blue class over the plane; the dark line is where it is 0.5. "
        "Filled circles are training points, open diamonds test points."
    ),
    look_for=_(
        "zeros: a flat cost at 0.693 = ln 2 and no boundary at all; large random "
        "weights: a huge first cost and a slow, ragged descent; He and Xavier: a quick drop "
        "and a boundary that follows the rings."
    ),
)
replay_view.replay_section(
    data,
    config.data,
    {scheme: (configs[scheme], result)},
    prefix=PREFIX,
    names=SCHEMES,
    title=_("Replay: {name} initialization"),
    show_test=config.show_test,
)

st.header(_("All four schemes on the same data"))
comparison = {name: trained[name] for name in configs}
curve_column, table_column = st.columns([5, 4])
page.chart(
    runs.memoize(
        ("init comparison costs", config.data, tuple(configs.values())),
        lambda: figures.cost_curves_figure(
            {
                SCHEMES[name]: (run.iterations, run.costs)
                for name, run in comparison.items()
                if run.costs.size
            },
            title=_("Cost by scheme (log scale)"),
            num_iterations=config.num_iterations,
            log_y=True,
        ),
    ),
    key="init-comparison-costs",
    container=curve_column,
)
with table_column:
    page.results_table(
        runs.accuracy_table(
            comparison, data, names=SCHEMES, label="initialization", activation=config.activation
        ).assign(comment=lesson_controls.scheme_comments(comparison, settings.scale)),
        key="init-comparison-table",
    )
    page.explain(
        _(
            "The course's table, computed live with the sidebar's settings. Random uses the "
            "scale chosen above ({scale})."
        ).format(scale=f"{TIMES} {settings.scale:g}"),
        look_for=_("the same network, data and learning rate: only the starting weights differ."),
    )
for name, run in comparison.items():
    if name != scheme:
        page.show_run_status(run, what=_("{scheme} initialization").format(scheme=SCHEMES[name]))

initialization_view.layer_signals(config, data, configs[scheme], result)
initialization_view.symmetry(config, data, trained, configs)

units_view.initialization_unit_maps(PREFIX, data, config.data, scheme, trained, configs)

"""Lesson 2: L2 regularization and dropout against overfitting."""

from __future__ import annotations

import streamlit as st

from ui import (
    budgets,
    landscape_view,
    lesson_controls,
    live_view,
    page,
    pin_view,
    regularization_view,
    replay_view,
    runs,
    sidebar,
    units_view,
)
from ui.i18n import _

PREFIX = "reg"

config = page.lesson_header(
    "Regularization",
    ":material/tune:",
    _(
        "A big network can memorise its training set, noise included, and then do worse on "
        "new points: it **overfits**. L2 regularization keeps the weights small; dropout "
        "switches hidden units off at random while training so no unit can rely on another. "
        "Both trade a little training accuracy for a better test accuracy."
    ),
    PREFIX,
    sidebar.REGULARIZATION_DEFAULTS,
    sidebar.SidebarOptions(presets=lesson_controls.regularization_presets(PREFIX)),
)
settings = lesson_controls.regularization_controls(PREFIX)
base = config.train_config(init="xavier")
networks = settings.networks(base)
with page.stop_on_error():
    data = runs.load_dataset(config.data)
    budgets.check_page_budget(data, list(networks.values()))
    st.header(_("Train and watch"))
    view = live_view.LiveView.in_columns(
        data, show_test=config.show_test, key="reg-main", activation=config.activation
    )
    # The run to watch, the course's models and every swept value train as one stack.
    trained = runs.train_together(
        data,
        config.data,
        networks,
        label=_("Training"),
        on_frame=view.follow("main"),
        scored=True,
    )
    result = trained["main"].result
    view.draw_run(result, networks["main"], config.data)
page.show_run_status(result)
page.explain_stall(result.params, data.X_train, activation=config.activation)

train_accuracy, test_accuracy = runs.accuracies(result.params, data, activation=config.activation)
GAP = _("Gap (train - test)")
page.metric_row(
    {
        _("Train accuracy"): page.percent(train_accuracy),
        _("Test accuracy"): page.percent(test_accuracy),
        GAP: _("{gap} pts").format(gap=f"{(train_accuracy - test_accuracy) * 100:+.1f}"),
        _("Final cost"): page.final_cost(result),
    },
    helps={GAP: _("A large positive gap is the signature of overfitting.")},
)
shown = {lesson_controls.MODES[settings.mode]: (result, settings.config(base))}
pin_view.pin_section(PREFIX, config, settings, shown, data)
page.downloads(
    shown,
    key="reg_download",
    name="regularization",
    figures=view.final_figures,
)
explain_left, explain_right = st.columns(2)
with explain_left:
    page.explain(
        _(
            "**L2** adds the squared size of every weight to the cost, so gradient descent "
            "also pulls each weight towards zero (*weight decay*):"
        ),
        formula=r"J_{L2} = J_{\text{cross-entropy}} + "
        r"\frac{\lambda}{2m}\sum_{l}\lVert W^{[l]}\rVert_F^2",
        look_for=_(
            "a smoother boundary that ignores isolated points; the cost curve ends "
            "higher because it includes the penalty."
        ),
    )
with explain_right:
    page.explain(
        _(
            "**Dropout** keeps each hidden unit with probability *keep_prob* in every "
            "training step and scales the survivors up, so the expected activation is "
            "unchanged (*inverted dropout*). Predictions use the whole network."
        ),
        formula=r"d^{[l]} \sim \text{Bernoulli}(\text{keep\_prob}),\qquad "
        r"a^{[l]} \leftarrow \frac{a^{[l]} \odot d^{[l]}}{\text{keep\_prob}}",
        look_for=_(
            "a noisy cost curve (each step trains a different thinned network) and "
            "a boundary less tied to single points."
        ),
    )
replay_view.replay_section(
    data,
    config.data,
    {"main": (networks["main"], trained["main"])},
    prefix=PREFIX,
    names={"main": lesson_controls.MODES[settings.mode]},
    title=_("Replay with regularization: {name}"),
    show_test=config.show_test,
    scored=True,
)

course_configs, course_runs = regularization_view.course_models(
    config, data, settings, base, trained
)
regularization_view.sweeps(config, data, settings, base, trained)
regularization_view.weight_decay(config, base, course_runs)

bowl = landscape_view.l2_networks(settings, base, trained)
landscape_view.show_regularization_bowl(data, config.data, bowl)
units_view.regularization_unit_maps(PREFIX, data, config.data, course_runs, course_configs)

"""Lesson 2: L2 regularization and dropout against overfitting."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dnn_core import course
from ui import (
    budgets,
    figures,
    landscape_view,
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

PREFIX = "reg"
LAMBDA = lesson_controls.LAMBDA
COURSE_LAMBDA = lesson_controls.COURSE_LAMBDA
PUBLISHED = course.PUBLISHED_REGULARIZATION

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

st.header(_("The course's three models"))
course_configs = settings.course_configs(base)
course_runs = {name: trained[name].result for name in course_configs}
for index, (column, (name, run)) in enumerate(
    zip(st.columns(len(course_runs)), course_runs.items(), strict=True)
):
    page.chart(
        runs.memoize(
            ("reg course boundary", config.data, course_configs[name], config.show_test),
            lambda run=run, name=name: figures.boundary_figure(
                run.params,
                data,
                show_test=config.show_test,
                title=lesson_controls.course_model_label(name),
                compact=True,
                activation=config.activation,
            ),
        ),
        key=f"reg-course-{index}",
        container=column,
    )
cost_column, table_column = st.columns([3, 2])
page.chart(
    runs.memoize(
        ("reg train test costs", config.data, tuple(course_configs.values())),
        lambda: figures.train_test_costs_figure(
            {
                lesson_controls.course_model_label(name): trained[name].curves
                for name in course_configs
            },
            num_iterations=base.epochs,
        ),
    ),
    key="reg-train-test-costs",
    container=cost_column,
)
with table_column:
    page.results_table(
        figures.with_gap(
            runs.accuracy_table(
                course_runs,
                data,
                names={name: lesson_controls.course_model_label(name) for name in course_runs},
                activation=config.activation,
            )
        ),
        key="reg-course-table",
        formats={"gap (pts)": "%+.1f"},
    )
    page.explain(
        _(
            "Computed live with the sidebar's settings (the course trains {iterations} "
            "iterations on its own football data: {plain} without regularization, {l2} "
            "with L2)."
        ).format(
            iterations=lesson_controls.spaced(course.REGULARIZATION.epochs),
            plain=page.course_percent(*PUBLISHED["no regularization"]),
            l2=page.course_percent(*PUBLISHED["L2, lambda = 0.7"]),
        ),
        look_for=_(
            "without regularization the training cost keeps falling while the test "
            "cost turns up, and the gap is large: the network learns the training set's "
            "mislabelled patches. L2 and dropout give up a little training accuracy and "
            "close the gap. Here dropout draws fresh masks every step, as real dropout does."
        ),
    )
for name, run in course_runs.items():
    page.show_run_status(
        run,
        what=_("The model with {name}").format(name=lesson_controls.course_model_label(name)),
    )

st.header(_("How strong? Sweeping λ and keep_prob"))
for column, (name, (values, x_title, marked)) in zip(
    st.columns(2), settings.sweeps().items(), strict=True
):
    with column:
        swept = runs.sweep_scores(
            [trained[lesson_controls.swept_name(name, value)].result for value in values],
            data,
            activation=config.activation,
        )
        page.chart(
            runs.memoize(
                ("reg sweep", config.data, base, name, values, marked),
                lambda swept=swept, values=values, x_title=x_title, marked=marked: (
                    figures.sweep_figure(
                        np.asarray(values),
                        swept.train_accuracy,
                        swept.test_accuracy,
                        x_title=x_title,
                        title=_("Accuracy against {setting}").format(setting=x_title),
                        marked=marked,
                    )
                ),
            ),
            key=f"reg-sweep-{name}",
        )
        page.show_run_status(swept, what=_("The {setting} sweep").format(setting=x_title))
page.explain(
    _(
        "Each point is a separate network trained with that setting (all trained together). "
        "The dotted line marks your current setting when it is in use."
    ),
    look_for=_(
        "train accuracy falls as λ grows or keep_prob shrinks; test accuracy first holds or "
        "rises, then falls once the network is too constrained (underfitting)."
    ),
)

st.header(_("Weight decay: L2 keeps weights small"))
L2_NAME = f"L2, {LAMBDA} = {COURSE_LAMBDA:g}"
plain_run, l2_run = course_runs["no regularization"], course_runs[L2_NAME]
page.chart(
    runs.memoize(
        ("reg weights", config.data, base),
        lambda: figures.weight_magnitudes_figure(
            {_("no regularization"): plain_run.params, L2_NAME: l2_run.params}
        ),
    ),
    key="reg-weights",
)
norm_left, norm_right, norm_text = st.columns([2, 2, 3])
page.weight_norm_metrics(
    {
        _("without regularization"): plain_run.params,
        _("with L2 ({setting})").format(setting=L2_NAME[4:]): l2_run.params,
    },
    (norm_left, norm_right),
)
with norm_text:
    page.explain(
        _(
            "Every L2 step first shrinks each weight by a constant factor, then takes the "
            "usual gradient step, so a large weight needs a good reason to stay large."
        ),
        formula=r"W^{[l]} \leftarrow \Big(1 - \frac{\alpha\lambda}{m}\Big)W^{[l]} - "
        r"\alpha\, dW^{[l]}_{\text{cross-entropy}}",
        look_for=_("the L2 histograms are squeezed towards zero and lose their long tail."),
    )

bowl = landscape_view.l2_networks(settings, base, trained)
landscape_view.show_regularization_bowl(data, config.data, bowl)
units_view.regularization_unit_maps(PREFIX, data, config.data, course_runs, course_configs)

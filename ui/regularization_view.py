"""What the Regularization lesson shows below its main run: the course's three models, the
lambda and keep_prob sweeps, and how L2 keeps the weights small."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import streamlit as st

from dnn_core import TrainConfig, course
from dnn_core.datasets import Dataset

from . import figures, lesson_controls, page, runs
from .i18n import _
from .sidebar import SidebarConfig

LAMBDA = lesson_controls.LAMBDA
COURSE_LAMBDA = lesson_controls.COURSE_LAMBDA
PUBLISHED = course.PUBLISHED_REGULARIZATION


def course_models(
    config: SidebarConfig,
    data: Dataset,
    settings: lesson_controls.RegularizationSettings,
    base: TrainConfig,
    trained: Mapping[str, runs.Scored],
) -> tuple[dict[str, TrainConfig], dict[str, Any]]:
    """The course's three models: their boundaries, train and test costs and table;
    returns their configurations and results by name."""
    st.header(_("The course's three models"))
    course_configs = settings.course_configs(base)
    course_runs = {name: trained[name].result for name in course_configs}
    for index, (column, (name, run)) in enumerate(
        zip(st.columns(len(course_runs)), course_runs.items(), strict=True)
    ):
        page.boundary_chart(
            ("reg course boundary", config.data, course_configs[name], config.show_test),
            run.params,
            data,
            key=f"reg-course-{index}",
            title=lesson_controls.course_model_label(name),
            show_test=config.show_test,
            activation=config.activation,
            compact=True,
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
    return course_configs, course_runs


def sweeps(
    config: SidebarConfig,
    data: Dataset,
    settings: lesson_controls.RegularizationSettings,
    base: TrainConfig,
    trained: Mapping[str, runs.Scored],
) -> None:
    """The lambda and keep_prob sweeps: accuracy against each setting."""
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


def weight_decay(config: SidebarConfig, base: TrainConfig, course_runs: Mapping[str, Any]) -> None:
    """How L2 keeps the weights small: their magnitudes and norms with and without it."""
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

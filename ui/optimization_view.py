"""What the Optimization lesson shows of its runs beyond the cost charts: each optimizer's
decision boundary with the course's table, and the learning-rate schedule when it decays."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from dnn_core import TrainConfig, TrainResult, course
from dnn_core.datasets import Dataset

from . import figures, lesson_controls, page, runs
from .i18n import _
from .sidebar import SidebarConfig

CHOICES = lesson_controls.OPTIMIZER_CHOICES
PUBLISHED = course.PUBLISHED_OPTIMIZATION


def boundaries(
    config: SidebarConfig,
    data: Dataset,
    configs: Mapping[str, TrainConfig],
    results: Mapping[str, TrainResult],
) -> None:
    """Each optimizer's decision boundary, then the course's table of the runs ``results``
    (optimizer -> result, trained from ``configs``) with what the course reports."""
    st.header(_("Decision boundaries"))
    # Two maps per row: narrower ones would shrink the moons to a strip.
    boundary_columns = [column for _ in range(0, len(results), 2) for column in st.columns(2)]
    for index, (choice, run) in enumerate(results.items()):
        page.boundary_chart(
            ("opt boundary", config.data, configs[choice], config.show_test),
            run.params,
            data,
            key=f"opt-boundary-{choice}",
            title=CHOICES[choice],
            show_test=config.show_test,
            activation=config.activation,
            container=boundary_columns[index],
        )
    table = runs.accuracy_table(
        results, data, names=CHOICES, label="optimizer", activation=config.activation
    ).assign(
        **{
            "final cost": [
                float(run.costs[-1]) if run.costs.size else None for run in results.values()
            ],
            "training time (s)": [run.elapsed_s for run in results.values()],
        }
    )
    table_column, note_column = st.columns([3, 2])
    page.results_table(
        table,
        key="opt-table",
        formats={"final cost": "%.4f", "training time (s)": "%.2f"},
        container=table_column,
    )
    with note_column:
        page.explain(
            _(
                "With the course's settings (α = {rate}, mini-batches of {size}, {epochs} "  # noqa: RUF001
                "epochs) the course reports {gd} training accuracy for mini-batch GD, "
                "{momentum} for momentum and {adam} for Adam. Times are those of the first "
                "run: results are kept, so coming back to the same settings is instant."
            ).format(
                rate=f"{course.OPTIMIZATION.learning_rate:g}",
                size=course.OPTIMIZATION.mini_batch_size,
                epochs=lesson_controls.spaced(course.OPTIMIZATION.epochs),
                gd=page.course_percent(PUBLISHED["gradient descent"]),
                momentum=page.course_percent(PUBLISHED["momentum"]),
                adam=page.course_percent(PUBLISHED["Adam"]),
            ),
            look_for=_(
                "the same starting weights, yet different boundaries: the slower "
                "optimizers are still nearly straight where Adam already follows the moons."
            ),
        )


def learning_rate_decay(
    config: SidebarConfig, settings: lesson_controls.OptimizationSettings, epochs: int
) -> None:
    """The learning rate by epoch of the chosen decay, and its rule."""
    st.header(_("Learning-rate decay"))
    schedule_column, decay_text_column = st.columns([3, 2])
    page.chart(
        figures.learning_rate_figure(
            *settings.learning_rates(config.learning_rate, epochs),
            title=_("Learning rate by epoch"),
        ),
        key="opt-learning-rate",
        container=schedule_column,
    )
    with decay_text_column:
        page.explain(
            _(
                "Large steps early move fast; smaller steps later let the optimizer settle "
                "into a minimum instead of bouncing around it. As in the course, the rate is "
                "lowered after each epoch's steps, so the first two epochs both use "
                "α₀ and epoch e trains at the rate computed after epoch e - 1:"
            ),
            formula=r"\alpha_{\text{after epoch } e} = \frac{\alpha_0}{1 + \text{rate}\cdot e}"
            if settings.decay == "inverse"
            else r"\alpha_{\text{after epoch } e} = \frac{\alpha_0}{1 + \text{rate}\cdot"
            r"\lfloor e / \text{interval} \rfloor}",
            look_for=_(
                "decaying every epoch shrinks α very fast (after 100 epochs "  # noqa: RUF001
                "with rate 1 it is α₀/100): the cost curve flattens early. The scheduled form "
                "decays in steps and keeps learning longer."
            ),
        )

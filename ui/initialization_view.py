"""What the Initialization lesson shows inside the network: each layer's activations and
gradients at the start and after training, and why a symmetric start never learns."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from dnn_core import TrainConfig, TrainResult, diagnostics
from dnn_core.datasets import Dataset

from . import figures, lesson_controls, page, runs
from .i18n import _
from .sidebar import SidebarConfig


def layer_signals(
    config: SidebarConfig, data: Dataset, run_config: TrainConfig, result: TrainResult
) -> None:
    """Histograms of each layer's activations and weight gradients of ``result`` (the run of
    ``run_config``), at initialization and after training, and their spread."""
    st.header(_("Inside the network: activations and gradients per layer"))
    activation_figure, gradient_figure, spread = runs.memoize(
        ("init layers", config.data, run_config),
        lambda: figures.layer_signal_figures(
            diagnostics.layer_signals(
                result.initial_params, data.X_train, data.Y_train, activation=config.activation
            ),
            diagnostics.layer_signals(
                result.params, data.X_train, data.Y_train, activation=config.activation
            ),
        ),
    )
    page.chart(activation_figure, key="init-activations")
    page.chart(gradient_figure, key="init-gradients")
    spread_column, text_column = st.columns([2, 3])
    page.results_table(
        spread,
        key="init-spread",
        formats=dict.fromkeys(spread.columns[1:], "%.3g"),
        container=spread_column,
    )
    with text_column:
        page.explain(
            _(
                "Each layer multiplies its input by W[l]. If the weights are too large, "
                "activations grow layer after layer (exploding) and the sigmoid output saturates "
                "at 0 or 1; too small and they shrink towards zero (vanishing), and so do the "
                "gradients. He initialization keeps the spread of ReLU activations about constant:"
            ),
            formula=r"W^{[l]} \sim \mathcal{N}(0, 1)\cdot\sqrt{\frac{2}{n^{[l-1]}}}"
            r"\qquad\text{(Xavier: }\sqrt{1/n^{[l-1]}}\text{)}",
            look_for=_(
                "with zeros every histogram is a single spike at 0 and the gradients are "
                "exactly zero; with random × 10 the activations reach the tens or hundreds; "  # noqa: RUF001
                "with He the spread stays similar from layer to layer."
            ),
        )


def symmetry(
    config: SidebarConfig,
    data: Dataset,
    trained: Mapping[str, TrainResult],
    configs: Mapping[str, TrainConfig],
) -> None:
    """W1 trained from zeros, from a constant and from He, side by side: a symmetric start's
    rows stay identical (``trained`` holds every scheme and ``"constant"``)."""
    st.header(_("Why zeros fail: symmetry"))
    # A constant non-zero start shows the symmetry itself: the units move, but all together.
    constant_run = trained["constant"]
    symmetry_runs = {
        _("zeros"): (trained["zeros"], configs["zeros"]),
        _("all {weight}").format(weight=f"{lesson_controls.CONSTANT_WEIGHT:g}"): (
            constant_run,
            configs["he"],
        ),
        "He": (trained["he"], configs["he"]),
    }
    for index, (column, (name, (run, run_config))) in enumerate(
        zip(st.columns(len(symmetry_runs)), symmetry_runs.items(), strict=True)
    ):
        W1 = run.params["W1"]
        page.chart(
            runs.memoize(
                ("init symmetry", name, config.data, run_config),
                lambda W1=W1, name=name: figures.weights_heatmap_figure(
                    W1, title=_("W1 trained from {start}").format(start=name)
                ),
            ),
            key=f"init-symmetry-{index}",
            container=column,
        )
        with column:
            page.symmetry_metric(
                diagnostics.unit_symmetry(W1),
                runs.accuracies(run.params, data, activation=config.activation)[0],
            )
    page.explain(
        _(
            "Each row of W1 is one hidden unit. When all weights start equal, every unit of a "
            "layer computes the same value and receives the same gradient, so the rows stay "
            "identical however long you train: the layer behaves like a single unit. With zeros "
            "the gradients are even exactly zero, so the weights never move and the network "
            "predicts one class everywhere (50 % accuracy). Random starts break the symmetry."
        ),
        formula=r"W^{[1]}_{1,:} = W^{[1]}_{2,:} \;\Rightarrow\; a^{[1]}_1 = a^{[1]}_2 "
        r"\;\Rightarrow\; dW^{[1]}_{1,:} = dW^{[1]}_{2,:}",
        look_for=_(
            "identical stripes in the first two maps (all white for zeros), distinct rows for He."
        ),
    )

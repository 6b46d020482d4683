"""Lesson 2: L2 regularization and dropout against overfitting."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from dnn_core.sweep import sweep
from ui import controls, figures, live

PREFIX = "reg"
LAMBDA = "\N{GREEK SMALL LETTER LAMDA}"
MODES = {
    "none": "None",
    "l2": "L2",
    "dropout": "Dropout",
    "both": "L2 + dropout",
}
COURSE_LAMBDA = 0.7
COURSE_KEEP_PROB = 0.86
LAMBDA_SWEEP = (0.0, 0.1, 0.3, 0.7, 1.5, 3.0)
KEEP_PROB_SWEEP = (0.5, 0.65, 0.8, 0.86, 0.95, 1.0)
# The course trains 30 000 iterations; 3000 keep every change quick and show the effect.
DEFAULTS = controls.LessonDefaults(
    dataset="football", hidden_layers=(20, 3), learning_rate=0.3, num_iterations=3000
)
COURSE = replace(DEFAULTS, num_iterations=30000)


def preset(defaults: controls.LessonDefaults) -> dict:
    """Widget values that restore ``defaults`` and the course's regularization strengths."""
    return controls.lesson_settings(PREFIX, defaults) | {
        controls.key(PREFIX, "lambd"): COURSE_LAMBDA,
        controls.key(PREFIX, "keep_prob"): COURSE_KEEP_PROB,
    }


def percent(value: float) -> str:
    return f"{value:.1%}"


controls.setup_page("Regularization", ":material/tune:")
st.title("Regularization")
st.markdown(
    "A big network can memorise its training set, noise included, and then do worse on "
    "new points: it **overfits**. L2 regularization keeps the weights small; dropout "
    "switches hidden units off at random while training so no unit can rely on another. "
    "Both trade a little training accuracy for a better test accuracy."
)

sidebar = controls.sidebar(
    PREFIX,
    DEFAULTS,
    controls.SidebarOptions(
        presets={
            "Course settings (30 000 iterations, slower)": preset(COURSE),
            "Quick lesson defaults": preset(DEFAULTS),
        }
    ),
)
if sidebar.architecture_error:
    st.warning(sidebar.architecture_error, icon=":material/warning:")

mode_column, lambda_column, keep_column = st.columns([2, 2, 2])
with mode_column:
    mode = controls.stateful(
        st.segmented_control,
        "Regularization",
        controls.key(PREFIX, "mode"),
        "l2",
        options=list(MODES),
        format_func=MODES.get,
        required=True,
    )
uses_l2 = mode in ("l2", "both")
uses_dropout = mode in ("dropout", "both")
with lambda_column:
    lambd = controls.stateful(
        st.slider,
        f"L2 strength {LAMBDA}",
        controls.key(PREFIX, "lambd"),
        COURSE_LAMBDA,
        min_value=0.0,
        max_value=3.0,
        step=0.05,
        disabled=not uses_l2,
        help="Adds λ/(2m)·Σ‖W‖² to the cost; the course uses 0.7.",
    )
with keep_column:
    keep_prob = controls.stateful(
        st.slider,
        "Dropout keep_prob",
        controls.key(PREFIX, "keep_prob"),
        COURSE_KEEP_PROB,
        min_value=0.3,
        max_value=1.0,
        step=0.01,
        disabled=not uses_dropout,
        help="Probability of keeping each hidden unit in a training step; the course uses "
        "0.86. Predictions always use every unit.",
    )

base = sidebar.train_config(init="xavier")
config = replace(
    base,
    lambd=float(lambd) if uses_l2 else 0.0,
    keep_prob=float(keep_prob) if uses_dropout else 1.0,
)
with live.stop_on_error():
    data = live.load_dataset(sidebar.data)
    st.header("Train and watch")
    cost_column, boundary_column = st.columns(2)
    view = live.LiveView(
        cost=cost_column.empty(),
        boundary=boundary_column.empty(),
        data=data,
        show_test=sidebar.show_test,
        key="reg-main",
    )
    result = live.train_live(data, sidebar.data, config, view=view, label="Training")
live.show_run_status(result)

train_accuracy, test_accuracy = live.accuracies(result.params, data)
metric_columns = st.columns(4)
metric_columns[0].metric("Train accuracy", percent(train_accuracy))
metric_columns[1].metric("Test accuracy", percent(test_accuracy))
metric_columns[2].metric(
    "Gap (train - test)",
    f"{(train_accuracy - test_accuracy) * 100:+.1f} pts",
    help="A large positive gap is the signature of overfitting.",
)
metric_columns[3].metric("Final cost", f"{result.costs[-1]:.4g}" if result.costs.size else "n/a")
controls.downloads(
    {MODES[mode]: (result, config)},
    key="reg_download",
    name="regularization",
    figures=view.final_figures,
)
explain_left, explain_right = st.columns(2)
with explain_left:
    controls.explain(
        "**L2** adds the squared size of every weight to the cost, so gradient descent also "
        "pulls each weight towards zero (*weight decay*):",
        formula=r"J_{L2} = J_{\text{cross-entropy}} + "
        r"\frac{\lambda}{2m}\sum_{l}\lVert W^{[l]}\rVert_F^2",
        look_for="a smoother boundary that ignores isolated points; the cost curve ends "
        "higher because it includes the penalty.",
    )
with explain_right:
    controls.explain(
        "**Dropout** keeps each hidden unit with probability *keep_prob* in every training "
        "step and scales the survivors up, so the expected activation is unchanged "
        "(*inverted dropout*). Predictions use the whole network.",
        formula=r"d^{[l]} \sim \text{Bernoulli}(\text{keep\_prob}),\qquad "
        r"a^{[l]} \leftarrow \frac{a^{[l]} \odot d^{[l]}}{\text{keep\_prob}}",
        look_for="a noisy cost curve (each step trains a different thinned network) and "
        "a boundary less tied to single points.",
    )

st.header("The course's three models")
course_configs = {
    "no regularization": base,
    f"L2, {LAMBDA} = {COURSE_LAMBDA:g}": replace(base, lambd=COURSE_LAMBDA),
    f"dropout, keep_prob = {COURSE_KEEP_PROB:g}": replace(base, keep_prob=COURSE_KEEP_PROB),
}
course_runs = {}
with live.stop_on_error():
    for name, course_config in course_configs.items():
        course_runs[name] = live.train_live(
            data, sidebar.data, course_config, label=f"Training the course's models: {name}"
        )
course_columns = st.columns(len(course_runs))
for index, (name, run) in enumerate(course_runs.items()):
    column = course_columns[index]
    controls.chart(
        live.memoize(
            ("reg course boundary", sidebar.data, course_configs[name], sidebar.show_test),
            lambda run=run, name=name: live.boundary_figure(
                run.params, data, show_test=sidebar.show_test, title=name, compact=True
            ),
        ),
        key=f"reg-course-{index}",
        container=column,
    )
table_column, text_column = st.columns([3, 2])
course_scores = [live.accuracies(run.params, data) for run in course_runs.values()]
table_column.dataframe(
    figures.results_table(
        list(course_runs),
        [train for train, _ in course_scores],
        [test for _, test in course_scores],
    ),
    hide_index=True,
    column_config={
        "train accuracy": st.column_config.NumberColumn(format="percent"),
        "test accuracy": st.column_config.NumberColumn(format="percent"),
    },
    key="reg-course-table",
)
with text_column:
    controls.explain(
        "The course's comparison, computed live with the sidebar's settings (the course "
        "trains 30 000 iterations on its own football data: 94.8 % / 91.5 % without "
        "regularization, 93.8 % / 93 % with L2).",
        look_for="regularization lowers train accuracy a little and raises test accuracy. "
        "Here dropout draws fresh masks every step, as real dropout does.",
    )
for name, run in course_runs.items():
    live.show_run_status(run, what=f"The model with {name}")

st.header("How strong? Sweeping λ and keep_prob")
sweep_specs = {
    "lambd": (LAMBDA_SWEEP, f"L2 strength {LAMBDA}", float(lambd) if uses_l2 else None),
    "keep_prob": (KEEP_PROB_SWEEP, "keep_prob", float(keep_prob) if uses_dropout else None),
}
for column, (name, (values, x_title, marked)) in zip(
    st.columns(2), sweep_specs.items(), strict=True
):
    with column, live.stop_on_error():
        swept = live.run_cached(
            ("sweep", sidebar.data, base, name, values),
            lambda callback, name=name, values=values: sweep(
                data.X_train,
                data.Y_train,
                base,
                name,
                values,
                X_test=data.X_test,
                Y_test=data.Y_test,
                callback=callback,
            ),
            label=f"Sweeping {x_title} ({len(values)} models at once)",
        )
        controls.chart(
            live.memoize(
                ("reg sweep", sidebar.data, base, name, values, marked),
                lambda swept=swept, x_title=x_title, marked=marked: figures.sweep_figure(
                    swept.values,
                    swept.train_accuracy,
                    swept.test_accuracy,
                    x_title=x_title,
                    title=f"Accuracy against {x_title}",
                    marked=marked,
                ),
            ),
            key=f"reg-sweep-{name}",
        )
        live.show_run_status(swept, what=f"The {x_title} sweep")
controls.explain(
    "Each point is a separate network trained with that setting (all trained together). "
    "The dotted line marks your current setting when it is in use.",
    look_for=f"train accuracy falls as {LAMBDA} grows or keep_prob shrinks; test accuracy "
    "first holds or rises, then falls once the network is too constrained (underfitting).",
)

st.header("Weight decay: L2 keeps weights small")
plain_run = course_runs["no regularization"]
l2_name = f"L2, {LAMBDA} = {COURSE_LAMBDA:g}"
l2_run = course_runs[l2_name]
controls.chart(
    live.memoize(
        ("reg weights", sidebar.data, base),
        lambda: figures.layer_histograms_figure(
            {
                f"|W{layer}|": {
                    "no regularization": np.abs(plain_run.params[f"W{layer}"]),
                    l2_name: np.abs(l2_run.params[f"W{layer}"]),
                }
                for layer in range(1, len(base.layer_dims))
            },
            title="Weight magnitudes after training, per layer",
            x_title="|weight|",
            bins=30,
        ),
    ),
    key="reg-weights",
)
with np.errstate(all="ignore"):  # a diverged run's weights may overflow: shown as inf
    norms = [
        float(sum(np.sum(run.params[f"W{layer}"] ** 2) for layer in range(1, len(base.layer_dims))))
        for run in (plain_run, l2_run)
    ]
norm_left, norm_right, norm_text = st.columns([1, 1, 3])
norm_left.metric("Σ‖W‖² without regularization", f"{norms[0]:.3g}")
norm_right.metric(
    f"Σ‖W‖² with L2 ({LAMBDA} = {COURSE_LAMBDA:g})",
    f"{norms[1]:.3g}",
    delta=f"{(norms[1] / norms[0] - 1) * 100:+.0f} %" if norms[0] > 0 else None,
    delta_color="off",
)
with norm_text:
    controls.explain(
        "Every L2 step first shrinks each weight by a constant factor, then takes the usual "
        "gradient step, so a large weight needs a good reason to stay large.",
        formula=r"W^{[l]} \leftarrow \Big(1 - \frac{\alpha\lambda}{m}\Big)W^{[l]} - "
        r"\alpha\, dW^{[l]}_{\text{cross-entropy}}",
        look_for="the L2 histograms are squeezed towards zero and lose their long tail.",
    )

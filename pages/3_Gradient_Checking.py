"""Lesson 3: gradient checking, backprop's gradient against two-sided differences."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from dnn_core import TrainConfig, forward, gradcheck
from dnn_core.training import initial_parameters
from ui import controls, export, figures, live, markdown, share

PREFIX = "gc"
MINUS = "\N{MINUS SIGN}"
TIMES = "\N{MULTIPLICATION SIGN}"
DEFAULTS = controls.LessonDefaults(dataset="moons", hidden_layers=(20, 3), weight_seed=3)
# Bigger networks would make the page wait: the check costs 2 cost evaluations per parameter.
MAX_CHECKED_PARAMETERS = 3000
# The course's loop of full forward passes runs by itself up to this much work (params x points).
AUTO_LOOP_WORK = 60_000
SWEEP_EPSILONS = 10.0 ** -np.arange(1.0, 12.01, 0.25)
DEMO_KEEP_PROB = 0.8
DEMO_LAMBDA = 0.7
MASK_SEED = 0
# How each verdict level is shown: badge colour, icon and a one-word title.
VERDICT_BADGES = {
    "great": ("green", ":material/check_circle:", "Correct"),
    "ok": ("yellow", ":material/check:", "Probably fine"),
    "suspicious": ("orange", ":material/help:", "Suspicious"),
    "wrong": ("red", ":material/cancel:", "Wrong"),
    "error": ("gray", ":material/block:", "Not finite"),
}

# Curved functions for the 1-D lesson, J(theta, x) and its exact derivative dJ/dtheta:
# unlike theta * x their two-sided difference has a truncation error (about eps^2).
CURVED = {
    "cubic": (lambda theta, x: theta**3 * x, lambda theta, x: 3 * theta**2 * x),
    "sine": (lambda theta, x: np.sin(theta * x), lambda theta, x: x * np.cos(theta * x)),
}
FORMULAS = {
    "linear": r"J(\theta) = \theta x, \qquad \frac{dJ}{d\theta} = x",
    "cubic": r"J(\theta) = \theta^3 x, \qquad \frac{dJ}{d\theta} = 3\theta^2 x",
    "sine": r"J(\theta) = \sin(\theta x), \qquad \frac{dJ}{d\theta} = x\cos(\theta x)",
}


def one_d_check(
    function: str, x: float, theta: float, epsilons: np.ndarray, dtype
) -> tuple[float, np.ndarray, np.ndarray]:
    """``(grad, gradapprox (n,), difference (n,))`` of the 1-D check for ``epsilons (n,)``,
    computed in ``dtype`` arithmetic (the course's linear J comes from the core)."""
    if function == "linear":
        checks = [gradcheck.gradient_check_1d(x, theta, eps, dtype) for eps in epsilons]
        return (
            checks[0].grad,
            np.array([check.gradapprox for check in checks]),
            np.array([check.difference for check in checks]),
        )
    J, dJ = CURVED[function]
    x_typed, theta_typed = dtype(x), dtype(theta)
    eps = np.asarray(epsilons, dtype=dtype)
    gradapprox = (J(theta_typed + eps, x_typed) - J(theta_typed - eps, x_typed)) / (2 * eps)
    grad = dJ(theta_typed, x_typed)
    denominator = np.abs(grad) + np.abs(gradapprox)
    difference = np.divide(
        np.abs(grad - gradapprox), denominator, out=np.zeros_like(denominator),
        where=denominator > 0,
    )  # fmt: skip
    return float(grad), gradapprox.astype(np.float64), difference.astype(np.float64)


def show_verdict(difference: float, *, advice: str | None = None) -> str:
    """The course's verdict on ``difference`` as a coloured badge and its advice (or
    ``advice``); returns the level. Not an error box: a failing check is the lesson, not a
    fault of the page."""
    level, course_advice = gradcheck.verdict(difference)
    color, icon, title = VERDICT_BADGES[level]
    st.markdown(f":{color}-badge[{icon} {title}] {advice or course_advice}")
    return level


@st.cache_data(max_entries=32, show_spinner=False)
def sidebar_case(
    data: controls.DataChoice, layer_dims: tuple[int, ...], weight_seed: int, points: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """``X (2, points)``, ``Y (1, points)`` drawn at random from the training set, and the
    network's He-initialized parameters."""
    dataset = live.load_dataset(data)
    m = dataset.X_train.shape[1]
    chosen = np.sort(np.random.default_rng(0).choice(m, size=min(points, m), replace=False))
    config = TrainConfig(layer_dims=layer_dims, init="he", seed=weight_seed, course_seeding=True)
    return dataset.X_train[:, chosen], dataset.Y_train[:, chosen], initial_parameters(config)


@st.cache_data(max_entries=64, show_spinner=False)
def run_check(
    case_key,
    _X: np.ndarray,
    _Y: np.ndarray,
    _params: dict[str, np.ndarray],
    *,
    bugs: tuple[str, ...] = (),
    epsilon: float = 1e-7,
    lambd: float = 0.0,
    cost_lambd: float | None = None,
    keep_prob: float = 1.0,
    fixed_masks: bool = True,
    batch_size: int | None = None,
) -> gradcheck.GradCheckReport:
    """The gradient check of the case ``case_key`` (which identifies ``_X, _Y, _params``)."""
    masks, rng = None, None
    if keep_prob < 1.0:
        if fixed_masks:
            _, cache = forward(
                _X, _params, keep_prob=keep_prob, rng=np.random.default_rng(MASK_SEED)
            )
            masks = {name: value for name, value in cache.items() if name.startswith("D")}
        else:
            rng = np.random.default_rng(MASK_SEED)
    return gradcheck.gradient_check(
        _params,
        _X,
        _Y,
        epsilon=epsilon,
        lambd=lambd,
        cost_lambd=cost_lambd,
        keep_prob=keep_prob,
        masks=masks,
        rng=rng,
        backward_fn=gradcheck.buggy_backward(bugs) if bugs else None,
        batch_size=batch_size,
    )


@st.cache_data(max_entries=32, show_spinner=False)
def timed_check(
    case_key,
    _X: np.ndarray,
    _Y: np.ndarray,
    _params: dict[str, np.ndarray],
    *,
    epsilon: float,
    batch_size: int | None,
    repeats: int,
) -> gradcheck.GradCheckReport:
    """The plain check of case ``case_key`` run ``repeats`` times; the report of the
    fastest run (one run is at the mercy of whatever else the machine is doing)."""
    runs = [
        gradcheck.gradient_check(_params, _X, _Y, epsilon=epsilon, batch_size=batch_size)
        for _ in range(repeats)
    ]
    return min(runs, key=lambda report: report.elapsed_s)


def per_block_levels(report: gradcheck.GradCheckReport) -> dict[str, str]:
    return {name: gradcheck.verdict(value)[0] for name, value in report.per_param.items()}


def kinks_per_layer(X: np.ndarray, params: dict[str, np.ndarray], epsilon: float) -> dict[int, int]:
    """Hidden layer -> how many pre-activations ``Z[l] (n_l, m)`` lie within one nudge
    (ε times the largest input to the layer) of ReLU's kink at 0, where the two-sided
    difference averages the slopes 0 and 1 while backprop takes one of them."""
    _, cache = forward(X, params)
    counts = {}
    for layer in range(1, len(params) // 2):
        reach = epsilon * max(1.0, float(np.max(np.abs(cache[f"A{layer - 1}"]))))
        counts[layer] = int(np.sum(np.abs(cache[f"Z{layer}"]) <= reach))
    return counts


def entries_csv(report: gradcheck.GradCheckReport, params: dict[str, np.ndarray]) -> bytes:
    """Every parameter's backprop gradient, two-sided difference and relative difference:
    columns ``parameter, row, column, grad, gradapprox, difference``."""
    rows = []
    for name, span in report.slices.items():
        shape = params[name].shape
        grad, approx = report.grad[span], report.gradapprox[span]
        denominator = np.abs(grad) + np.abs(approx)
        difference = np.divide(
            np.abs(grad - approx), denominator, out=np.zeros_like(grad), where=denominator > 0
        )
        row, column = np.unravel_index(np.arange(grad.size), shape)
        rows.append(
            pd.DataFrame(
                {
                    "parameter": name,
                    "row": row,
                    "column": column,
                    "grad": grad,
                    "gradapprox": approx,
                    "difference": difference,
                }
            )
        )
    return pd.concat(rows).to_csv(index=False, float_format="%.17g").encode()


def check_downloads(
    report: gradcheck.GradCheckReport, params: dict[str, np.ndarray], charts: dict
) -> None:
    """Downloads of the network check: the checked parameters, the entry-by-entry
    comparison and the charts (files are built only when clicked)."""
    with st.expander("Download this check", icon=":material/download:"):
        data_column, chart_column = st.columns(2)
        with data_column:
            st.markdown("**The check**: parameters checked and every entry compared")
            files = {
                "params.npz": ("Parameters (.npz)", "application/octet-stream", export.params_npz),
                "params.json": ("Parameters (.json)", "application/json", export.params_json),
                "entries.csv": ("Gradients entry by entry (.csv)", "text/csv", None),
            }
            for file_name, (label, mime, builder) in files.items():
                st.download_button(
                    label,
                    partial(builder, params) if builder else partial(entries_csv, report, params),
                    file_name=f"gradient-check-{file_name}",
                    mime=mime,
                    key=f"{PREFIX}_download_{file_name}",
                    on_click="ignore",
                    icon=":material/download:",
                )
        with chart_column:
            st.markdown("**Charts** as interactive pages")
            for index, (label, figure) in enumerate(charts.items()):
                export.download_figure(
                    figure,
                    key=f"{PREFIX}_download_figure{index}",
                    name=f"gradient check {label}",
                    label=f"{label} (.html)",
                )


controls.setup_page("Gradient checking", ":material/rule:")
st.title("Gradient checking")
st.markdown(
    "Backpropagation is easy to get subtly wrong, and a wrong gradient often still lowers "
    "the cost, just worse. Gradient checking compares backprop's gradient with a numerical "
    "one, nudging each parameter by ±ε and watching the cost. It is slow, so you run it "
    "once to trust backprop, then switch it off for training."
)
controls.explain(
    "For each parameter θᵢ, the two-sided difference and the check's relative difference:",
    formula=r"d\theta_{\text{approx}}[i] = \frac{J(\theta + \varepsilon e_i) - "
    r"J(\theta - \varepsilon e_i)}{2\varepsilon}, \qquad \text{difference} = "
    r"\frac{\lVert d\theta - d\theta_{\text{approx}} \rVert_2}"
    r"{\lVert d\theta \rVert_2 + \lVert d\theta_{\text{approx}} \rVert_2}",
)

sidebar = controls.sidebar(
    PREFIX,
    DEFAULTS,
    controls.SidebarOptions(show_test_toggle=False, show_training=False),
)

# The open tab is in the URL too (?gc_tab=Network+check), so a link can open at it.
one_d_tab, network_tab, pitfalls_tab, cost_tab = st.tabs(
    ["1-D check", "Network check", "Dropout and L2", "What it costs"],
    key=controls.key(PREFIX, "tab"),
    bind=share.BIND,
)

# --- 1-D ------------------------------------------------------------------------------

with one_d_tab:
    settings_column, chart_column = st.columns([2, 3])
    with settings_column:
        one_d = controls.one_d_check_controls(PREFIX)
        st.latex(FORMULAS[one_d.function])
    if one_d.x == 0.0:
        settings_column.warning(
            "With x = 0, J does not depend on θ: both gradients are 0 and the relative "
            "difference (0/0) means nothing. Pick another x."
        )
    else:
        grad, gradapprox, difference = one_d_check(
            one_d.function, one_d.x, one_d.theta, np.array([one_d.epsilon]), np.float64
        )
        *_, difference32 = one_d_check(
            one_d.function, one_d.x, one_d.theta, np.array([one_d.epsilon]), np.float32
        )
        with settings_column:
            first, second = st.columns(2)
            first.metric("grad (exact)", f"{grad:.10g}")
            second.metric("gradapprox", f"{gradapprox[0]:.10g}")
            first.metric("Difference (float64)", f"{difference[0]:.3e}")
            second.metric("Difference (float32)", f"{difference32[0]:.3e}")
            show_verdict(
                float(difference[0]),
                advice="by the course's thresholds on the relative difference: below 1e-7 "
                "correct, below 1e-5 probably fine, from 1e-2 wrong.",
            )
            if grad == 0.0:
                st.caption(
                    "The exact derivative is 0 here, so any nonzero gradapprox gives a "
                    "relative difference of 1: relative checks need a nonzero gradient."
                )
        curves = {
            precision: one_d_check(one_d.function, one_d.x, one_d.theta, SWEEP_EPSILONS, dtype)[2]
            for precision, dtype in (("float64", np.float64), ("float32", np.float32))
        }
        with chart_column:
            controls.chart(
                figures.epsilon_sweep_figure(
                    SWEEP_EPSILONS,
                    curves,
                    chosen_epsilon=one_d.epsilon,
                    title="Relative difference against ε (ε shrinks to the right)",
                ),
                key="gc-epsilon-sweep",
            )
            controls.explain(
                "Two errors pull in opposite directions. **Truncation:** the two-sided "
                "difference is exact only for straight lines; for a curve it is off by "
                f"about ε²·J‴/6, which falls as ε shrinks. **Round-off:** J(θ+ε) and J(θ{MINUS}ε) "
                "agree in more and more digits, and their difference keeps only the few "
                "that are left, so the error grows like (machine precision)/ε.",
                look_for="for θ³x or sin(θx), a V: the left arm is truncation, the right "
                "arm round-off, the bottom is the best ε (near 1e-5 in float64, 1e-2 in "
                "float32). θx is linear: no truncation arm, only round-off. In float32, "
                "below ε ≈ 1e-7 θ+ε rounds back to θ: gradapprox is 0 and the difference 1.",
            )

# --- Network --------------------------------------------------------------------------

with network_tab:
    settings_column, result_column = st.columns([2, 3])
    with settings_column:
        check = controls.network_check_controls(PREFIX)
    if check.course_case:
        X, Y, params = gradcheck.course_test_case()
        case_key = ("course",)
        case_label = "the course's test case (layers 4-5-3-1, 3 examples)"
    else:
        if sidebar.architecture_error:
            result_column.warning(sidebar.architecture_error)
        with live.stop_on_error():
            X, Y, params = sidebar_case(
                sidebar.data, sidebar.layer_dims, sidebar.weight_seed, check.sample_size
            )
        case_key = ("sidebar", sidebar.data, sidebar.layer_dims, sidebar.weight_seed, X.shape[1])
        layers = "-".join(str(units) for units in sidebar.layer_dims)
        # Shown as Markdown: the label may be an uploaded file's name.
        case_label = f"{markdown.escape(sidebar.data.label)}, {X.shape[1]} points, layers {layers}"
    num_params = sum(value.size for value in params.values())
    too_big = num_params > MAX_CHECKED_PARAMETERS
    if too_big:
        result_column.error(
            f"This network has {num_params:,} parameters; the page checks networks with up "
            f"to {MAX_CHECKED_PARAMETERS:,} so that it answers at once. Use fewer or "
            "smaller hidden layers in the sidebar."
        )
    else:
        report = run_check(
            case_key,
            X,
            Y,
            params,
            bugs=check.bugs,
            epsilon=check.epsilon,
            lambd=check.lambd,
            cost_lambd=check.cost_lambd,
            keep_prob=check.keep_prob,
            fixed_masks=check.fixed_masks,
        )
        levels = per_block_levels(report)
        with result_column:
            st.caption(f"Checking {case_label}: {report.num_params:,} parameters.")
            first, second, third = st.columns(3)
            first.metric("Relative difference", f"{report.difference:.3e}")
            second.metric("Verdict", VERDICT_BADGES[gradcheck.verdict(report.difference)[0]][2])
            flagged = [name for name in report.per_param if levels[name] in ("suspicious", "wrong")]
            third.metric("Blocks above 1e-5", ", ".join(flagged) or "none")
            show_verdict(report.difference)
            kinks = {
                layer: count
                for layer, count in kinks_per_layer(X, params, check.epsilon).items()
                if count
            }
            if kinks:
                where = ", ".join(f"{count} in layer {layer}" for layer, count in kinks.items())
                st.markdown(
                    f":orange-badge[:material/warning: ReLU kinks] {sum(kinks.values())} "
                    f"hidden pre-activations lie within a nudge of ReLU's kink at Z = 0 "
                    f"({where}), typically because all their inputs and their bias are 0. "
                    "Across the kink the two-sided difference averages the slopes 0 and 1 "
                    "while backprop takes one of them, so W and b of those layers can fail "
                    "the check **although backprop is right**. Try another weight seed or "
                    "more units per layer."
                )
            per_block_figure = figures.per_parameter_difference_figure(
                report.per_param, levels, title="Relative difference per parameter block"
            )
            controls.chart(per_block_figure, key="gc-per-block")
            controls.explain(
                "The same difference, computed for each block of parameters on its own. "
                "Colours follow the thresholds: green below 1e-7, yellow below 1e-5, orange "
                "below 1e-2, red above.",
                look_for="the course's bugs light up exactly b1 and W2; a forgotten ReLU "
                "mask breaks every layer below the output; a missing 1/m breaks them all "
                "by the same factor; a forgotten L2 term breaks only the W blocks.",
            )
        st.subheader("Entry by entry")
        block_column, heatmap_column = st.columns([1, 3])
        worst = max(report.per_param, key=report.per_param.get)
        blocks = list(report.per_param)
        with block_column:
            block = controls.stateful(
                st.selectbox,
                "Parameter block",
                controls.key(PREFIX, "block"),
                worst,
                options=blocks,
            )
            controls.explain(
                f"Each cell is one parameter's |dθ {MINUS} dθ_approx| / (|dθ| + |dθ_approx|).",
                look_for=f"a whole block uniformly off (a scaling bug such as dW2 {TIMES} 2) "
                "versus scattered cells (a kink, or a bug that hits some units only).",
            )
        shape = params[block].shape
        span = report.slices[block]
        entries_figure = figures.entry_difference_heatmap(
            report.grad[span].reshape(shape),
            report.gradapprox[span].reshape(shape),
            name=block,
            title=f"{block}: relative difference per entry",
        )
        controls.chart(entries_figure, key="gc-entries", container=heatmap_column)
        check_downloads(
            report,
            params,
            {"Difference per block": per_block_figure, f"{block} per entry": entries_figure},
        )

# --- Dropout and L2 -------------------------------------------------------------------

with pitfalls_tab:
    if too_big:
        st.error("The network is too large to check; see the Network check tab.")
    else:
        scenarios = {
            "dropout, fresh masks": {"keep_prob": DEMO_KEEP_PROB, "fixed_masks": False},
            "dropout, fixed mask": {"keep_prob": DEMO_KEEP_PROB, "fixed_masks": True},
            "L2 in gradient only": {"lambd": DEMO_LAMBDA, "cost_lambd": 0.0},
            "L2 in cost only": {"lambd": DEMO_LAMBDA, "bugs": ("l2_forgotten",)},
            "L2 in both": {"lambd": DEMO_LAMBDA},
        }
        details = {
            "dropout, fresh masks": "every cost evaluation drops different units",
            "dropout, fixed mask": "the mask of one forward pass, reused everywhere",
            "L2 in gradient only": "backprop adds λ/m·W, the cost has no λ/2m·ΣW²",
            "L2 in cost only": "the cost has the L2 term, backprop forgets λ/m·W",
            "L2 in both": "cost and gradient describe the same function",
        }
        reports = {
            name: run_check(case_key, X, Y, params, epsilon=check.epsilon, **arguments)
            for name, arguments in scenarios.items()
        }
        differences = {name: found.difference for name, found in reports.items()}
        levels = {name: gradcheck.verdict(value)[0] for name, value in differences.items()}
        # Two-line tick labels stay horizontal and readable.
        tick_labels = {
            name: name.replace(", ", ",<br>").replace(" in ", "<br>in ") for name in scenarios
        }
        chart_column, text_column = st.columns([3, 2])
        with chart_column:
            controls.chart(
                figures.per_parameter_difference_figure(
                    {tick_labels[name]: value for name, value in differences.items()},
                    {tick_labels[name]: level for name, level in levels.items()},
                    title="Overall relative difference per setting",
                    x_title="setting",
                ),
                key="gc-pitfalls",
            )
        with text_column:
            controls.explain(
                f"Correct backprop on {case_label}, checked under five settings "
                f"(keep_prob = {DEMO_KEEP_PROB}, λ = {DEMO_LAMBDA}). The check compares "
                "backprop with the cost function: both must describe the **same** function.",
                look_for="with fresh dropout masks the cost changes at random between the "
                "two nudges, so the check fails although backprop is right; hold the mask "
                "fixed (or set keep_prob = 1 while checking) and it passes. The L2 term must "
                "be in the cost *and* in the gradient, else the check fails either way.",
            )
        st.dataframe(
            pd.DataFrame(
                {
                    "setting": list(scenarios),
                    "what happens": [details[name] for name in scenarios],
                    "relative difference": [differences[name] for name in scenarios],
                    "verdict": [levels[name] for name in scenarios],
                }
            ),
            hide_index=True,
            column_config={
                "relative difference": st.column_config.NumberColumn(format="%.2e"),
            },
            key="gc-pitfalls-table",
        )

# --- Cost -----------------------------------------------------------------------------

with cost_tab:
    if too_big:
        st.error("The network is too large to check; see the Network check tab.")
    else:
        small = num_params * X.shape[1] <= AUTO_LOOP_WORK
        batched = timed_check(
            case_key, X, Y, params, epsilon=check.epsilon, batch_size=None, repeats=3
        )
        run_loop = small or controls.stateful(
            st.toggle,
            "Time the course's per-parameter loop too (a few seconds for this network)",
            controls.key(PREFIX, "time_loop"),
            False,
        )
        columns = st.columns(4)
        columns[0].metric("Parameters P", f"{num_params:,}")
        columns[1].metric("Cost evaluations", f"{2 * num_params:,}")
        columns[2].metric("Batched check", f"{batched.elapsed_s * 1e3:.1f} ms")
        if run_loop:
            looped = timed_check(
                case_key,
                X,
                Y,
                params,
                epsilon=check.epsilon,
                batch_size=1,
                repeats=3 if small else 1,
            )
            columns[3].metric(
                "Per-parameter loop",
                f"{looped.elapsed_s * 1e3:.1f} ms",
                delta=f"{looped.elapsed_s / max(batched.elapsed_s, 1e-9):.1f}{TIMES} slower",
                delta_color="off",
                delta_arrow="off",
            )
            gap = float(np.max(np.abs(looped.gradapprox - batched.gradapprox)))
            st.caption(
                "Both ways compute the same gradapprox "
                + (
                    f"(up to {gap:.1e}: round-off from a different order of operations)"
                    if gap
                    else "(identical to the last digit)"
                )
                + "; only the time differs. Each time is the fastest of 3 runs"
                + ("." if small else " (1 for the loop).")
            )
        controls.explain(
            "Each parameter needs two evaluations of the cost, each a forward pass over "
            "the examples: 2P passes for one check, against one forward and one backward "
            "pass for backprop. The course loops over the parameters; the lab batches "
            "them, and for a parameter in layer l reuses the unperturbed layers below it.",
            look_for="even batched, one check costs hundreds or thousands of forward "
            "passes: run it once to trust backprop, never inside the training loop.",
        )

"""What the gradient-checking lesson shows of its checks: verdict badges, the 1-D and
network results, the dropout and L2 pitfalls and what a check costs."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dnn_core import gradcheck

from . import check_controls, check_runs, figures, i18n
from .check_controls import DEMO_KEEP_PROB, DEMO_LAMBDA, PITFALLS
from .i18n import N_, _
from .page import chart, explain, latex
from .runs import memoize
from .state import bound_widget, key

TIMES = "\N{MULTIPLICATION SIGN}"
# How each verdict level is shown: badge colour, icon and a one-word title.
VERDICT_BADGES = {
    "great": ("green", ":material/check_circle:", N_("Correct")),
    "ok": ("yellow", ":material/check:", N_("Probably fine")),
    "suspicious": ("orange", ":material/help:", N_("Suspicious")),
    "wrong": ("red", ":material/cancel:", N_("Wrong")),
    "error": ("gray", ":material/block:", N_("Not finite")),
}

TOO_BIG_ELSEWHERE = N_(
    "Nothing to show for a network too large to check: the Network check tab says what to change."
)


def show_verdict(difference: float, *, advice: str | None = None) -> str:
    """The course's verdict on ``difference`` as a coloured badge and its advice (or
    ``advice``); returns the level. Not an error box: a failing check is the lesson, not a
    fault of the page."""
    level, course_advice = gradcheck.verdict(difference)
    color, icon, title = VERDICT_BADGES[level]
    st.markdown(f":{color}-badge[{icon} {_(title)}] {advice or i18n.core_message(course_advice)}")
    return level


def report_key(report: gradcheck.GradCheckReport) -> str:
    """A digest of a check's gradients, naming its figures in the shared cache (every
    student of a class sees the same check: its charts are built once)."""
    digest = hashlib.blake2b(report.grad.tobytes(), digest_size=16)
    digest.update(report.gradapprox.tobytes())
    return digest.hexdigest()


def per_block_levels(report: gradcheck.GradCheckReport) -> dict[str, str]:
    return {name: gradcheck.verdict(value)[0] for name, value in report.per_param.items()}


def one_d_results(one_d: check_controls.OneDCheckSettings) -> None:
    """The 1-D check at the chosen ε in float64 and float32, and its verdict."""
    epsilons = np.array([one_d.epsilon])
    grad, gradapprox, difference = gradcheck.one_d_check(
        one_d.function, one_d.x, one_d.theta, epsilons, np.float64
    )
    *_unused, difference32 = gradcheck.one_d_check(
        one_d.function, one_d.x, one_d.theta, epsilons, np.float32
    )
    first, second = st.columns(2)
    first.metric(_("grad (exact)"), f"{grad:.10g}")
    second.metric("gradapprox", f"{gradapprox[0]:.10g}")
    first.metric(_("Difference (float64)"), f"{difference[0]:.3e}")
    second.metric(_("Difference (float32)"), f"{difference32[0]:.3e}")
    show_verdict(
        float(difference[0]),
        advice=_(
            "by the course's thresholds on the relative difference: below 1e-7 "
            "correct, below 1e-5 probably fine, from 1e-2 wrong."
        ),
    )
    if grad == 0.0:
        st.caption(
            _(
                "The exact derivative is 0 here, so any nonzero gradapprox gives a "
                "relative difference of 1: relative checks need a nonzero gradient."
            )
        )


def epsilon_sweep(one_d: check_controls.OneDCheckSettings, epsilons: np.ndarray) -> go.Figure:
    """The 1-D check's relative difference against ε, in float64 and float32 (built once
    per setting for everyone)."""

    def build() -> go.Figure:
        curves = {
            precision: gradcheck.one_d_check(one_d.function, one_d.x, one_d.theta, epsilons, dtype)[
                2
            ]
            for precision, dtype in (("float64", np.float64), ("float32", np.float32))
        }
        return figures.epsilon_sweep_figure(
            epsilons,
            curves,
            chosen_epsilon=one_d.epsilon,
            title=_("Relative difference against ε (ε shrinks to the right)"),
        )

    return memoize(("gc epsilon sweep", one_d, epsilons.tobytes()), build)


def entries_figure(
    report: gradcheck.GradCheckReport, block: str, shape: tuple[int, ...]
) -> go.Figure:
    """Block ``block``'s entry-by-entry relative differences (built once per check)."""
    span = report.slices[block]
    return memoize(
        ("gc entries", report_key(report), block),
        lambda: figures.entry_difference_heatmap(
            report.grad[span].reshape(shape),
            report.gradapprox[span].reshape(shape),
            name=block,
            title=_("{block}: relative difference per entry").format(block=block),
        ),
    )


def network_check_results(
    report: gradcheck.GradCheckReport, case: check_runs.CheckCase, kinks: dict[int, int]
) -> go.Figure:
    """The network check's difference, verdict, flagged blocks, ReLU-kink warning and the
    per-block chart (returned, e.g. for downloads)."""
    levels = per_block_levels(report)
    st.caption(
        _("Checking {case}: {count} parameters.").format(
            case=case.label, count=f"{report.num_params:,}"
        )
    )
    first, second, third = st.columns(3)
    first.metric(_("Relative difference"), f"{report.difference:.3e}")
    second.metric(_("Verdict"), _(VERDICT_BADGES[gradcheck.verdict(report.difference)[0]][2]))
    flagged = [name for name in report.per_param if levels[name] in ("suspicious", "wrong")]
    third.metric(_("Blocks above 1e-5"), ", ".join(flagged) or _("none"))
    show_verdict(report.difference)
    kinks = {layer: count for layer, count in kinks.items() if count}
    if kinks:
        in_layer = _("{count} in layer {layer}")
        where = ", ".join(
            in_layer.format(count=count, layer=layer) for layer, count in kinks.items()
        )
        badge = _("ReLU kinks")
        text = _(
            "{count} hidden pre-activations lie within a nudge of ReLU's kink at Z = 0 "
            "({where}), typically because all their inputs and their bias are 0. "
            "Across the kink the two-sided difference averages the slopes 0 and 1 "
            "while backprop takes one of them, so W and b of those layers can fail "
            "the check **although backprop is right**. Try another weight seed or "
            "more units per layer."
        ).format(count=sum(kinks.values()), where=where)
        st.markdown(f":orange-badge[:material/warning: {badge}] {text}")
    figure = memoize(
        ("gc per block", report_key(report)),
        lambda: figures.per_parameter_difference_figure(
            report.per_param, levels, title=_("Relative difference per parameter block")
        ),
    )
    chart(figure, key="gc-per-block")
    explain(
        _(
            "The same difference, computed for each block of parameters on its own. "
            "Colours follow the thresholds: green below 1e-7, yellow below 1e-5, orange "
            "below 1e-2, red above."
        ),
        look_for=_(
            "the course's bugs light up exactly b1 and W2; a forgotten ReLU "
            "mask breaks every layer below the output; a missing 1/m breaks them all "
            "by the same factor; a forgotten L2 term breaks only the W blocks."
        ),
    )
    return figure


def pitfalls(reports: dict[str, gradcheck.GradCheckReport], case_label: str) -> None:
    """Correct backprop checked under each of :data:`ui.check_controls.PITFALLS`."""
    differences = {name: found.difference for name, found in reports.items()}
    levels = {name: gradcheck.verdict(value)[0] for name, value in differences.items()}
    # Two-line tick labels stay horizontal and readable.
    tick_labels = {name: _tick_label(_(name)) for name in PITFALLS}
    chart_column, text_column = st.columns([3, 2])
    with chart_column:
        figure = memoize(
            ("gc pitfalls", tuple(differences.items())),
            lambda: figures.per_parameter_difference_figure(
                {tick_labels[name]: value for name, value in differences.items()},
                {tick_labels[name]: level for name, level in levels.items()},
                title=_("Overall relative difference per setting"),
                x_title=_("setting"),
            ),
        )
        chart(figure, key="gc-pitfalls")
    with text_column:
        explain(
            _(
                "Correct backprop on {case}, checked under five settings "
                "(keep_prob = {keep_prob}, λ = {lambd}). The check compares backprop with "
                "the cost function: both must describe the **same** function."
            ).format(case=case_label, keep_prob=DEMO_KEEP_PROB, lambd=DEMO_LAMBDA),
            look_for=_(
                "with fresh dropout masks the cost changes at random between the "
                "two nudges, so the check fails although backprop is right; hold the mask "
                "fixed (or set keep_prob = 1 while checking) and it passes. The L2 term must "
                "be in the cost *and* in the gradient, else the check fails either way."
            ),
        )
    relative = _("relative difference")
    st.dataframe(
        pd.DataFrame(
            {
                _("setting"): [_(name) for name in PITFALLS],
                _("what happens"): [_(detail) for _arguments, detail in PITFALLS.values()],
                relative: [differences[name] for name in PITFALLS],
                _("verdict"): [_(VERDICT_BADGES[levels[name]][2]) for name in PITFALLS],
            }
        ),
        hide_index=True,
        column_config={relative: st.column_config.NumberColumn(format="%.2e")},
        key="gc-pitfalls-table",
    )


def _tick_label(name: str) -> str:
    """A setting's name on two lines, so the axis labels stay horizontal and readable."""
    if i18n.language() == "zh":  # Chinese: two lines at the (full-width) comma
        comma = "\N{FULLWIDTH COMMA}"
        return name.replace(comma, f"{comma}<br>")
    return name.replace(", ", ",<br>").replace(" in ", "<br>in ")


def check_costs(case: check_runs.CheckCase, epsilon: float, prefix: str) -> None:
    """How long the batched check takes and, for a small network or on request, the
    course's per-parameter loop beside it."""
    small = case.num_params * case.X.shape[1] <= check_runs.AUTO_LOOP_WORK
    batched = check_runs.timed_gradient_check(case, epsilon=epsilon, batch_size=None, repeats=3)
    run_loop = small or bound_widget(
        st.toggle,
        _("Time the course's per-parameter loop too (a few seconds for this network)"),
        key(prefix, "time_loop"),
        False,
    )
    columns = st.columns(4)
    columns[0].metric(_("Parameters P"), f"{case.num_params:,}")
    columns[1].metric(_("Cost evaluations"), f"{2 * case.num_params:,}")
    columns[2].metric(_("Batched check"), f"{batched.elapsed_s * 1e3:.1f} ms")
    if run_loop:
        looped = check_runs.timed_gradient_check(
            case,
            epsilon=epsilon,
            batch_size=1,
            repeats=3 if small else 1,
        )
        columns[3].metric(
            _("Per-parameter loop"),
            f"{looped.elapsed_s * 1e3:.1f} ms",
            delta=_("{ratio} slower").format(
                ratio=f"{looped.elapsed_s / max(batched.elapsed_s, 1e-9):.1f}{TIMES}"
            ),
            delta_color="off",
            delta_arrow="off",
        )
        gap = float(np.max(np.abs(looped.gradapprox - batched.gradapprox)))
        agreement = (
            _("(up to {gap}: round-off from a different order of operations)").format(
                gap=f"{gap:.1e}"
            )
            if gap
            else _("(identical to the last digit)")
        )
        runs = (
            _("Each time is the fastest of 3 runs.")
            if small
            else _("Each time is the fastest of 3 runs (1 for the loop).")
        )
        st.caption(
            _("Both ways compute the same gradapprox {agreement}; only the time differs.").format(
                agreement=agreement
            )
            + " "
            + runs
        )


SWEEP_EPSILONS = 10.0 ** -np.arange(1.0, 12.01, 0.25)
"""The 1-D check's sweep of epsilon: 1e-1 to 1e-12, four points a decade."""


def one_d_tab(prefix: str) -> None:
    """The 1-D check's tab: its function and settings, the check's numbers, and the
    difference against epsilon with what pulls it each way."""
    settings_column, chart_column = st.columns([2, 3])
    with settings_column:
        one_d = check_controls.one_d_check_controls(prefix)
        latex(check_controls.ONE_D_FORMULAS[one_d.function])
    if one_d.x == 0.0:
        settings_column.warning(
            _(
                "With x = 0, J does not depend on θ: both gradients are 0 and the relative "
                "difference (0/0) means nothing. Pick another x."
            )
        )
    else:
        with settings_column:
            one_d_results(one_d)
        with chart_column:
            chart(epsilon_sweep(one_d, SWEEP_EPSILONS), key="gc-epsilon-sweep")
            explain(
                _(
                    "Two errors pull in opposite directions. **Truncation:** the two-sided "
                    "difference is exact only for straight lines; for a curve it is off by "
                    "about ε²·J‴/6, which falls as ε shrinks. **Round-off:** J(θ+ε) and "
                    "J(θ−ε) agree in more and more digits, and their difference keeps only "  # noqa: RUF001
                    "the few that are left, so the error grows like (machine precision)/ε."
                ),
                look_for=_(
                    "for θ³x or sin(θx), a V: the left arm is truncation, the right "
                    "arm round-off, the bottom is the best ε (near 1e-5 in float64, 1e-2 in "
                    "float32). θx is linear: no truncation arm, only round-off. In float32, "
                    "below ε ≈ 1e-7 θ+ε rounds back to θ: gradapprox is 0 and the difference 1."
                ),
            )

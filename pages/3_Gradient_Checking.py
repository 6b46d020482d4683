"""Lesson 3: gradient checking, backprop's gradient against two-sided differences."""

from __future__ import annotations

import streamlit as st

from dnn_core import diagnostics
from ui import check_controls, check_runs, check_view, export, page, sidebar, state
from ui.i18n import N_, Labels, _

PREFIX = "gc"
MINUS = "\N{MINUS SIGN}"
TIMES = "\N{MULTIPLICATION SIGN}"
TAB_KEY = f"{PREFIX}_tab"
# Identifier (the URL's ?gc_tab= value) -> label.
TABS = Labels(
    {
        "network": N_("Network check"),
        "one_d": N_("1-D check"),
        "pitfalls": N_("Dropout and L2"),
        "cost": N_("What it costs"),
    }
)

config = page.lesson_header(
    "Gradient checking",
    ":material/rule:",
    _(
        "Backpropagation is easy to get subtly wrong, and a wrong gradient often still "
        "lowers the cost, just worse. Gradient checking compares backprop's gradient with a "
        "numerical one, nudging each parameter by ±ε and watching the cost. It is slow, so "
        "you run it once to trust backprop, then switch it off for training."
    ),
    PREFIX,
    sidebar.GRADIENT_CHECKING_DEFAULTS,
    sidebar.SidebarOptions(
        show_test_toggle=False,
        show_training=False,
        # Greyed out where they change nothing (tabs rerun the page: they are URL-bound).
        unused_reason=check_controls.sidebar_unused_reason(
            PREFIX, TAB_KEY, {"one_d", TABS.english["one_d"], TABS["one_d"]}
        ),
    ),
    warn_architecture=False,  # it matters only for the sidebar's network: said there
)
page.explain(
    _("For each parameter θᵢ, the two-sided difference and the check's relative difference:"),
    formula=r"d\theta_{\text{approx}}[i] = \frac{J(\theta + \varepsilon e_i) - "
    r"J(\theta - \varepsilon e_i)}{2\varepsilon}, \qquad \text{difference} = "
    r"\frac{\lVert d\theta - d\theta_{\text{approx}} \rVert_2}"
    r"{\lVert d\theta \rVert_2 + \lVert d\theta_{\text{approx}} \rVert_2}",
)
# The open tab is in the URL too (?gc_tab=one_d), so a link can open at it. The
# network check, with the course's planted bugs, is the lesson's headline: it opens first.
network_tab, one_d_tab, pitfalls_tab, cost_tab = state.bound_tabs(TABS, TAB_KEY, "network")

with one_d_tab:
    check_view.one_d_tab(PREFIX)

with network_tab:
    settings_column, result_column = st.columns([2, 3])
    with settings_column:
        check = check_controls.network_check_controls(PREFIX)
    if not check.course_case and config.architecture_error:
        result_column.warning(config.architecture_error)
    with page.stop_on_error():
        case = check_runs.check_case(config, check)
    if case.too_big:
        result_column.error(case.too_big_message)  # translated
    else:
        report = check_runs.gradient_check_run(case, **check.check_arguments())
        with result_column:
            per_block_figure = check_view.network_check_results(
                report,
                case,
                diagnostics.relu_kinks(
                    case.X, case.params, check.epsilon, activation=case.activation
                ),
            )
        st.subheader(_("Entry by entry"))
        block_column, heatmap_column = st.columns([1, 3])
        with block_column:
            block = check_controls.block_choice(PREFIX, report)
            page.explain(
                _("Each cell is one parameter's |dθ − dθ_approx| / (|dθ| + |dθ_approx|)."),  # noqa: RUF001
                look_for=_(
                    "a whole block uniformly off (a scaling bug such as dW2 × 2) "  # noqa: RUF001
                    "versus scattered cells (a kink, or a bug that hits some units only)."
                ),
            )
        entries_figure = check_view.entries_figure(report, block, case.params[block].shape)
        page.chart(entries_figure, key="gc-entries", container=heatmap_column)
        page.downloads(
            {},
            key=f"{PREFIX}_download",
            name="gradient check",
            files={
                "params.npz": (_("Parameters (.npz)"), lambda: export.params_npz(case.params)),
                "params.json": (
                    _("Parameters (.json)"),
                    lambda: export.params_json(case.params),
                ),
                "entries.csv": (
                    _("Gradients entry by entry (.csv)"),
                    lambda: export.entries_csv(report, case.params),
                ),
            },
            figures={
                _("Difference per block"): per_block_figure,
                _("{block} per entry").format(block=block): entries_figure,
            },
            files_title=_("**The check**: parameters checked and every entry compared"),
            title=_("Download this check"),
        )

with pitfalls_tab:
    if case.too_big:
        st.info(_(check_view.TOO_BIG_ELSEWHERE), icon=":material/info:")
    else:
        check_view.pitfalls(
            {
                name: check_runs.gradient_check_run(case, epsilon=check.epsilon, **arguments)
                for name, (arguments, _) in check_controls.PITFALLS.items()
            },
            case.label,
        )

with cost_tab:
    if case.too_big:
        st.info(_(check_view.TOO_BIG_ELSEWHERE), icon=":material/info:")
    else:
        check_view.check_costs(case, check.epsilon, PREFIX)
        page.explain(
            _(
                "Each parameter needs two evaluations of the cost, each a forward pass over "
                "the examples: 2P passes for one check, against one forward and one backward "
                "pass for backprop. The course loops over the parameters; the lab batches "
                "them, and for a parameter in layer l reuses the unperturbed layers below it."
            ),
            look_for=_(
                "even batched, one check costs hundreds or thousands of forward "
                "passes: run it once to trust backprop, never inside the training loop."
            ),
        )

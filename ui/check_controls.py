"""The gradient-checking lesson's widgets (the 1-D check, the network check, the block
to inspect) read into frozen settings, and the settings its "Dropout and L2" tab compares."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dnn_core import gradcheck

from .i18n import N_, Labels, _
from .state import bound_widget, key

NETWORK_LABELS = Labels({"course": N_("Course's test case"), "sidebar": N_("Sidebar's network")})

CHECK_EPSILONS = tuple(float(f"1e-{power}") for power in range(1, 13))
# Short option labels: they are what a shared link shows (``?gc_function=θ³x``).
ONE_D_LABELS = dict(zip(gradcheck.ONE_D_FUNCTIONS, ("θx", "θ³x", "sin(θx)"), strict=True))
MAX_CHECK_POINTS = 300
MAX_CHECK_LAMBDA = 10.0


@dataclass(frozen=True)
class OneDCheckSettings:
    """The 1-D check: which ``J(θ)``, its input ``x``, the point ``θ`` and the step ``ε``."""

    function: str
    x: float
    theta: float
    epsilon: float


@dataclass(frozen=True)
class NetworkCheckSettings:
    """The network check: what to check and under which conditions.

    ``cost_lambd`` is the L2 strength the cost uses (0 when the L2 term is left out of
    the cost while backprop still adds it); ``fixed_masks`` holds one dropout mask for
    every cost evaluation instead of drawing fresh ones.
    """

    course_case: bool
    sample_size: int
    epsilon: float
    bugs: tuple[str, ...]
    lambd: float
    l2_in_cost: bool
    keep_prob: float
    fixed_masks: bool

    @property
    def cost_lambd(self) -> float:
        return self.lambd if self.l2_in_cost else 0.0

    def check_arguments(self) -> dict[str, Any]:
        """The gradient check's keyword arguments for these settings."""
        return {
            "bugs": self.bugs,
            "epsilon": self.epsilon,
            "lambd": self.lambd,
            "cost_lambd": self.cost_lambd,
            "keep_prob": self.keep_prob,
            "fixed_masks": self.fixed_masks,
        }


def block_choice(prefix: str, report: gradcheck.GradCheckReport) -> str:
    """The parameter block to show entry by entry (starts at the worst one)."""
    return bound_widget(
        st.selectbox,
        _("Parameter block"),
        key(prefix, "block"),
        max(report.per_param, key=report.per_param.get),
        options=list(report.per_param),
    )


def _format_epsilon(value: float) -> str:
    return f"{value:.0e}"


def one_d_check_controls(prefix: str) -> OneDCheckSettings:
    """Widgets of the 1-D check (in the current container)."""
    function = bound_widget(
        st.radio,
        _("Function"),
        key(prefix, "function"),
        "linear",
        options=list(ONE_D_LABELS),
        format_func=ONE_D_LABELS.get,
        captions=[_("the course's"), "", ""],
        horizontal=True,
        help=_(
            "θx is linear, so its two-sided difference has no truncation error; the "
            "curved functions show both kinds of error."
        ),
    )
    x_column, theta_column = st.columns(2)
    with x_column:
        x = bound_widget(
            st.number_input,
            "x",
            key(prefix, "x"),
            2.0,
            min_value=-10.0,
            max_value=10.0,
            step=0.5,
        )
    with theta_column:
        theta = bound_widget(
            st.number_input,
            "θ",
            key(prefix, "theta"),
            4.0,
            min_value=-10.0,
            max_value=10.0,
            step=0.5,
        )
    epsilon = bound_widget(
        st.select_slider,
        _("ε (step of the two-sided difference)"),
        key(prefix, "epsilon"),
        1e-7,
        options=CHECK_EPSILONS,
        format_func=_format_epsilon,
        help=_("The course uses 1e-7."),
    )
    return OneDCheckSettings(function, float(x), float(theta), float(epsilon))


def network_check_controls(prefix: str) -> NetworkCheckSettings:
    """Widgets of the network check (in the current container): the network, the planted
    bugs, and the L2 and dropout conditions."""
    source = bound_widget(
        st.radio,
        _("Network to check"),
        key(prefix, "source"),
        "course",
        options=["course", "sidebar"],
        format_func=NETWORK_LABELS.get,
        captions=[
            _("4 inputs, 3 examples, layers 4-5-3-1"),
            _("the sidebar's data set and hidden layers, He initialization"),
        ],
    )
    course_case = source == "course"
    sample_size = bound_widget(
        st.slider,
        _("Training points used"),
        key(prefix, "points"),
        50,
        min_value=5,
        max_value=MAX_CHECK_POINTS,
        step=5,
        disabled=course_case,
        help=_(
            "A random subset keeps the check instant; the cost is the same function of "
            "the weights whatever the number of points."
        ),
    )
    epsilon = bound_widget(
        st.select_slider,
        "ε",
        key(prefix, "net_epsilon"),
        1e-7,
        options=CHECK_EPSILONS,
        format_func=_format_epsilon,
    )
    st.markdown(_("**Plant bugs in backprop**"))
    bugs = []
    for name in (*gradcheck.COURSE_BUGS, *gradcheck.OTHER_BUGS):
        label = _(gradcheck.BUGS[name])  # message ids: ui.i18n.CORE_MESSAGES
        if bound_widget(
            st.checkbox, label, key(prefix, f"bug_{name}"), name in gradcheck.COURSE_BUGS
        ):
            bugs.append(name)
    st.markdown(_("**Regularization while checking**"))
    lambd = bound_widget(
        st.number_input,
        _("L2 strength λ"),
        key(prefix, "lambd"),
        0.0,
        min_value=0.0,
        max_value=MAX_CHECK_LAMBDA,
        step=0.1,
        help=_("Backprop adds λ/m · W to every dW."),
    )
    l2_in_cost = bound_widget(
        st.checkbox,
        _("L2 term in the cost too"),
        key(prefix, "l2_in_cost"),
        True,
        help=_("Untick to check a gradient with L2 against a cost without it."),
    )
    keep_prob = bound_widget(
        st.slider,
        _("Dropout keep_prob"),
        key(prefix, "keep_prob"),
        1.0,
        min_value=0.5,
        max_value=1.0,
        step=0.05,
        help=_("1 means no dropout."),
    )
    masks = bound_widget(
        st.radio,
        _("Dropout masks"),
        key(prefix, "masks"),
        "fixed",
        options=["fixed", "fresh"],
        format_func={"fixed": _("Fixed"), "fresh": _("Fresh")}.get,
        captions=[
            _("one mask for every cost evaluation"),
            _("a new mask at every cost evaluation"),
        ],
        disabled=keep_prob >= 1.0,
    )
    return NetworkCheckSettings(
        course_case=course_case,
        sample_size=int(sample_size),
        epsilon=float(epsilon),
        bugs=tuple(bugs),
        lambd=float(lambd),
        l2_in_cost=bool(l2_in_cost),
        keep_prob=float(keep_prob),
        fixed_masks=masks == "fixed",
    )


ONE_D_FORMULAS = {
    "linear": r"J(\theta) = \theta x, \qquad \frac{dJ}{d\theta} = x",
    "cubic": r"J(\theta) = \theta^3 x, \qquad \frac{dJ}{d\theta} = 3\theta^2 x",
    "sine": r"J(\theta) = \sin(\theta x), \qquad \frac{dJ}{d\theta} = x\cos(\theta x)",
}
DEMO_KEEP_PROB = 0.8
DEMO_LAMBDA = 0.7
# The "Dropout and L2" tab: setting -> (gradient-check arguments, what happens). The
# English names and texts are message ids, translated where shown.
PITFALLS = {
    N_("dropout, fresh masks"): (
        {"keep_prob": DEMO_KEEP_PROB, "fixed_masks": False},
        N_("every cost evaluation drops different units"),
    ),
    N_("dropout, fixed mask"): (
        {"keep_prob": DEMO_KEEP_PROB, "fixed_masks": True},
        N_("the mask of one forward pass, reused everywhere"),
    ),
    N_("L2 in gradient only"): (
        {"lambd": DEMO_LAMBDA, "cost_lambd": 0.0},
        N_("backprop adds λ/m·W, the cost has no λ/2m·ΣW²"),
    ),
    N_("L2 in cost only"): (
        {"lambd": DEMO_LAMBDA, "bugs": ("l2_forgotten",)},
        N_("the cost has the L2 term, backprop forgets λ/m·W"),
    ),
    N_("L2 in both"): (
        {"lambd": DEMO_LAMBDA},
        N_("cost and gradient describe the same function"),
    ),
}


def _current(widget_key: str) -> Any:
    """A widget's value before it is drawn this run: its session value, else its link's."""
    if widget_key in st.session_state:
        return st.session_state[widget_key]
    return st.query_params.get(widget_key)


def sidebar_unused_reason(prefix: str, tab_key: str, one_d_tab: Collection[str]) -> str:
    """Why the shared sidebar changes nothing on the gradient-checking page right now (the
    1-D check is open, or the network check checks the course's test case), or ``""`` when
    it is in use: the sidebar is drawn before the tabs and the network choice, so this
    reads their current values (from the session, or the link that opened the page).
    ``one_d_tab``: what names the 1-D check's tab (its identifier, its labels)."""
    if _current(tab_key) in one_d_tab:
        return _("The 1-D check uses none of these settings: they apply to the network check.")
    source = _current(key(prefix, "source"))
    if source not in ("sidebar", NETWORK_LABELS.english["sidebar"]):
        return _(
            "The network check checks the course's test case: these settings apply when "
            "**{network}** is chosen under *Network to check*."
        ).format(network=NETWORK_LABELS["sidebar"])
    return ""

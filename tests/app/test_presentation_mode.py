"""AppTests of presentation mode (``?present=1`` or the toggle by the title): the
explanations and the intro are left out and the flag is kept for the session (the sidebar
and font sizes: tests/e2e/test_presentation.py); and of the gradient-checking sidebar,
greyed out where it changes nothing."""

from __future__ import annotations

import pytest

from tests.app.apptest_tools import assert_clean, open_page
from ui import page, state

INIT = "pages/1_Initialization.py"
CHECK = "pages/3_Gradient_Checking.py"
LOOK_FOR = "What to look for"


def texts(app) -> str:
    """Every Markdown text and caption of the main area, joined."""
    return "\n".join(
        [item.value for item in app.main.get("markdown")]
        + [item.value for item in app.main.get("caption")]
    )


def formulas(app) -> int:
    """How many formulas (``ui.page.latex``) the main area shows."""
    return sum(item.value.startswith("$" + page.DISPLAY_STYLE) for item in app.main.get("markdown"))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        (["1"], True),
        (["true"], True),
        (["Yes"], True),
        (["on"], True),
        (["0"], False),
        (["false"], False),
        (["maybe"], None),
        (["1", "0"], False),  # the last value counts, as Streamlit reads it
    ],
)
def test_present_flag_reads_what_a_teacher_types(values, expected):
    assert state.present_from_url(values) is expected


def test_present_1_turns_presentation_mode_on_and_hides_the_long_texts():
    normal = open_page(INIT).run()
    presenting = open_page(INIT, query={"present": "1"}).run()

    assert_clean(presenting)
    assert normal.toggle(key="present").value is False
    assert presenting.toggle(key="present").value is True
    assert presenting.session_state["present"] is True
    assert presenting.query_params["present"] == "true"  # Streamlit's spelling
    assert LOOK_FOR in texts(normal)
    assert LOOK_FOR not in texts(presenting)
    assert "Before the first step" in texts(normal)  # the intro
    assert "Before the first step" not in texts(presenting)
    # The charts and formulas stay.
    assert len(presenting.get("plotly_chart")) == len(normal.get("plotly_chart"))
    assert formulas(presenting) == formulas(normal) > 0


def test_presentation_mode_stays_on_across_a_setting_change_and_a_lesson_switch():
    app = open_page(INIT, query={"present": "1"}).run()
    app.segmented_control(key="init_scheme").set_value("xavier").run()
    assert app.session_state["present"] is True
    assert LOOK_FOR not in texts(app)

    app.switch_page("pages/2_Regularization.py").run()
    assert_clean(app)
    assert app.toggle(key="present").value is True
    assert LOOK_FOR not in texts(app)


def test_the_toggle_turns_it_off_again():
    app = open_page(INIT, query={"present": "1"}).run()
    app.toggle(key="present").set_value(False).run()
    assert LOOK_FOR in texts(app)
    app.run()  # and it stays off (the session's memory of it follows the toggle)
    assert app.toggle(key="present").value is False


def test_gradient_checking_greys_the_sidebar_out_where_it_changes_nothing():
    course_case = open_page(CHECK).run()
    own_network = open_page(CHECK, query={"gc_source": "sidebar"}).run()
    one_d = open_page(CHECK, query={"gc_source": "sidebar", "gc_tab": "1-D check"}).run()

    def greyed(app) -> bool:
        return all(app.sidebar.get(kind)[0].proto.disabled for kind in ("selectbox", "text_input"))

    assert greyed(course_case)
    assert "course's test case" in course_case.sidebar.info[0].value
    assert not greyed(own_network)
    assert not own_network.sidebar.info
    assert greyed(one_d)
    assert "1-D check" in one_d.sidebar.info[0].value

"""Deep Net Lab: the home page (run with ``streamlit run app.py``).

Lessons live in ``pages/`` (Streamlit's folder convention; see DESIGN.md for why there is
no ``st.navigation``).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dnn_core import datasets
from ui import figures, i18n, page, runs, sidebar
from ui.i18n import N_, _

ABOUT = {
    "Initialization": N_(
        "Zeros, large random, He and Xavier starts: why the first weights decide "
        "whether a deep network learns at all (symmetry, vanishing and exploding signals)."
    ),
    "Regularization": N_(
        "L2 and dropout against overfitting: smoother boundaries, smaller "
        "weights, and the trade between train and test accuracy."
    ),
    "Gradient checking": N_(
        "Compare backpropagation with numerical derivatives to catch bugs, "
        "including the course's planted ones."
    ),
    "Optimization": N_(
        "Mini-batches, momentum and Adam: how the path to a minimum gets faster and smoother."
    ),
}
LESSONS = [page for page in page.PAGES if page.title in ABOUT]

page.setup_page(page.PAGES[0].title, page.PAGES[0].icon)
page.title_row("Deep Net Lab")
st.markdown(
    _(
        "An interactive lab for the practical side of training deep networks. Each lesson "
        "trains small networks **live** on two-dimensional data, so you can change one "
        "setting and watch the cost curve and the decision boundary respond. The network is "
        "the course's: ReLU hidden layers, a sigmoid output, cross-entropy cost, written in "
        "plain NumPy."
    )
)

st.header(_("Lessons"))
installed = page.installed_pages()
for column, lesson in zip(st.columns(len(LESSONS)), LESSONS, strict=True):
    with column.container(border=True, height="stretch"):
        st.subheader(_(lesson.title))
        st.markdown(_(ABOUT[lesson.title]))
        if lesson in installed:
            page.page_link(lesson, label=_("Open {lesson}").format(lesson=_(lesson.title).lower()))
        else:
            st.caption(_("This lesson is not installed."))

st.header(_("The data sets"))
picker_column, preview_column = st.columns([1, 2])
with picker_column:
    choice = sidebar.dataset_picker("home", "football")
    with page.stop_on_error():
        data = runs.load_dataset(choice)
    spec = datasets.CATALOG[choice.name]
    st.markdown(i18n.core_message(spec.about))
    train_size, test_size = data.Y_train.shape[1], data.Y_test.shape[1]
    st.markdown(
        _(
            "**{train}** training and **{test}** test points; {share} of the training points "
            "are class 1."
        ).format(train=train_size, test=test_size, share=f"{np.mean(data.Y_train):.0%}")
    )
    st.caption(
        _(
            "Each lesson has its own data-set choice in the sidebar; its default is the one "
            "the course uses for that lesson."
        )
    )
page.chart(
    runs.memoize(
        ("home scatter", choice),
        lambda: figures.scatter_figure(
            data.X_train,
            data.Y_train,
            data.X_test,
            data.Y_test,
            title=choice.label,  # the legend tells train from test
            height=520,
        ),
    ),
    key="home-preview",
    container=preview_column,
)
with st.sidebar:
    st.caption(
        _(
            "Pick a lesson. Every lesson keeps its own settings while you move between pages, "
            "and its address holds them: copy the link to share a configuration. The lesson's "
            "sidebar also has a button to return to its defaults."
        )
    )

"""A small app that puts ui/share.py, ui/export.py and ui/upload.py on one page, so the
browser tests can check what only a browser does: the address bar, the clipboard, downloads."""

import plotly.graph_objects as go
import streamlit as st

from dnn_core import TrainConfig, datasets, train
from ui.export import download_figure, download_run, plotly_config
from ui.share import copy_link_button
from ui.state import bound_widget
from ui.upload import dataset_uploader

SCHEMES = {"he": "He", "xavier": "Xavier", "zeros": "Zeros"}


def use_course_settings() -> None:
    st.session_state["lr"] = 0.3
    st.session_state["init"] = "xavier"


with st.sidebar:
    noise = bound_widget(st.slider, "Noise", "noise", 0.2, min_value=0.0, max_value=0.5)
    learning_rate = bound_widget(
        st.select_slider, "Learning rate", "lr", 0.1, options=[0.01, 0.03, 0.1, 0.3, 1.0]
    )
    init = bound_widget(
        st.selectbox, "Initialization", "init", "he", options=list(SCHEMES), format_func=SCHEMES.get
    )
    seed = bound_widget(st.number_input, "Seed", "seed", 3, min_value=0, max_value=10_000)
    st.button("Course settings", on_click=use_course_settings)
    uploaded = dataset_uploader("upload")

data = uploaded or datasets.load("moons", noise=noise, seed=int(seed))
config = TrainConfig(
    layer_dims=(2, 5, 1), init=init, learning_rate=learning_rate, num_iterations=200, seed=3
)
result = train(data.X_train, data.Y_train, config)
st.metric("Final cost", f"{result.costs[-1]:.4f}")
st.write(f"settings: noise={noise} lr={learning_rate} init={init} seed={seed}")
fig = go.Figure(go.Scatter(x=result.iterations, y=result.costs, name="cost"))
st.plotly_chart(fig, config=plotly_config("cost curve"), key="cost_chart")
copy_link_button(key="settings")
download_run(result, key="run", name="moons run", config=config)
download_figure(fig, key="figure", name="cost curve")

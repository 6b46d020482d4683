"""Streamlit and Plotly helpers shared by the lab's pages.

``figures`` builds Plotly figures from arrays (no Streamlit), ``controls`` turns sidebar
widgets into frozen configuration dataclasses, ``live`` trains with live redraws and a
bounded result cache.
"""

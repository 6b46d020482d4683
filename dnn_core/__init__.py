"""Deep Net Lab's NumPy core: the course's deep-learning practice, readable and fast.

Pure NumPy (float64); never imports Streamlit or Plotly.
"""

from . import datasets, landscape
from .gradcheck import GradCheckReport, gradient_check
from .initializers import init_params
from .landscape import (
    Plane,
    Surface,
    cost_surface,
    costs_at,
    filter_normalized_direction,
    project,
    random_plane,
    trajectory_plane,
)
from .losses import compute_cost, relu, sigmoid
from .network import (
    accuracy,
    backward,
    decision_grid,
    forward,
    hidden_unit_maps,
    predict,
    predict_proba,
)
from .training import TrainConfig, TrainProgress, TrainResult, TrainState, train, train_stack

__all__ = [
    "GradCheckReport",
    "Plane",
    "Surface",
    "TrainConfig",
    "TrainProgress",
    "TrainResult",
    "TrainState",
    "accuracy",
    "backward",
    "compute_cost",
    "cost_surface",
    "costs_at",
    "datasets",
    "decision_grid",
    "filter_normalized_direction",
    "forward",
    "gradient_check",
    "hidden_unit_maps",
    "init_params",
    "landscape",
    "predict",
    "predict_proba",
    "project",
    "random_plane",
    "relu",
    "sigmoid",
    "train",
    "train_stack",
    "trajectory_plane",
]

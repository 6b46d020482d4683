"""Deep Net Lab's NumPy core: the course's deep-learning practice, readable and fast.

Pure NumPy (float64); never imports Streamlit or Plotly.
"""

from . import datasets
from .gradcheck import GradCheckReport, gradient_check
from .initializers import init_params
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
    "TrainConfig",
    "TrainProgress",
    "TrainResult",
    "TrainState",
    "accuracy",
    "backward",
    "compute_cost",
    "datasets",
    "decision_grid",
    "forward",
    "gradient_check",
    "hidden_unit_maps",
    "init_params",
    "predict",
    "predict_proba",
    "relu",
    "sigmoid",
    "train",
    "train_stack",
]

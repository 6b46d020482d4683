"""The course's settings, its published figures and where its data lives: one source.

The command line (``python -m dnn_core reproduce``), the parity tests, the lessons' presets
and the benchmarks all read their course numbers from here, so a setting is changed once.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .training import TrainConfig

REPO_ROOT = Path(__file__).resolve().parent.parent
COURSE_DATA = REPO_ROOT.parent / "shared" / "course-data" / "data.mat"
"""Where the course's football data (keys X, y, Xval, yval) is looked for by default."""

# --- the lessons' constants -----------------------------------------------------------------

COURSE_LAMBDA = 0.7  # L2 strength of the regularization lesson
COURSE_KEEP_PROB = 0.86  # dropout's probability of keeping a hidden unit
COURSE_MINI_BATCH_SIZE = 64  # the optimization lesson's mini-batches
COURSE_INIT_SCALE = 10.0  # "random x 10": large random weights
COURSE_WEIGHT_SEED = 3  # np.random.seed(3) before drawing W1, W2, ...
COURSE_1D_X, COURSE_1D_THETA = 2.0, 4.0  # the 1-D check J(theta) = theta * x

# --- the course's settings ------------------------------------------------------------------

# What every lesson shares: the course's legacy seeding, a cost recorded every 1000 epochs.
_COURSE_RUN = TrainConfig(seed=COURSE_WEIGHT_SEED, course_seeding=True, record_every=1000)

INITIALIZATION = replace(
    _COURSE_RUN, layer_dims=(2, 10, 5, 1), init="he", learning_rate=0.01, num_iterations=15000
)
INITIALIZATION_RUNS = {
    "zeros": replace(INITIALIZATION, init="zeros"),
    "random x10": replace(INITIALIZATION, init="random", init_scale=COURSE_INIT_SCALE),
    "He": replace(INITIALIZATION, init="he"),
}

REGULARIZATION = replace(
    _COURSE_RUN, layer_dims=(2, 20, 3, 1), init="xavier", learning_rate=0.3, num_iterations=30000
)
REGULARIZATION_RUNS = {
    "no regularization": REGULARIZATION,
    "L2, lambda = 0.7": replace(REGULARIZATION, lambd=COURSE_LAMBDA),
    "dropout 0.86, course's fixed mask": replace(
        REGULARIZATION, keep_prob=COURSE_KEEP_PROB, course_dropout=True
    ),
    "dropout 0.86, fresh masks": replace(REGULARIZATION, keep_prob=COURSE_KEEP_PROB),
}

OPTIMIZATION = replace(
    _COURSE_RUN,
    layer_dims=(2, 5, 2, 1),
    init="he",
    learning_rate=0.0007,
    mini_batch_size=COURSE_MINI_BATCH_SIZE,
    num_epochs=10000,
)
OPTIMIZATION_RUNS = {
    "gradient descent": replace(OPTIMIZATION, optimizer="gd"),
    "momentum": replace(OPTIMIZATION, optimizer="momentum"),
    "Adam": replace(OPTIMIZATION, optimizer="adam"),
}

# The 2021 version of the lesson adds learning-rate decay (decay rate 1, 5000 epochs).
DECAY = replace(OPTIMIZATION, learning_rate=0.1, num_epochs=5000, decay_rate=1.0)
DECAY_RUNS = {
    "GD, inverse decay": replace(DECAY, optimizer="gd", decay="inverse"),
    "GD, scheduled decay": replace(DECAY, optimizer="gd", decay="scheduled"),
    "momentum, scheduled decay": replace(DECAY, optimizer="momentum", decay="scheduled"),
    "Adam, scheduled decay": replace(
        DECAY, optimizer="adam", learning_rate=0.01, decay="scheduled"
    ),
}

# --- the course's published figures, as printed (their precision is the match precision) ----

PUBLISHED_INITIALIZATION = {  # (first cost, train accuracy, test accuracy)
    "zeros": ("0.6931471805599453", "0.5", "0.5"),
    "random x10": ("inf", "0.83", "0.86"),
    "He": ("0.8830537463419761", "0.9933", "0.96"),
}
PUBLISHED_REGULARIZATION = {  # (train accuracy, test accuracy); None: the course has none
    "no regularization": ("0.9479", "0.915"),
    "L2, lambda = 0.7": ("0.9384", "0.93"),
    "dropout 0.86, course's fixed mask": ("0.9289", "0.95"),
    "dropout 0.86, fresh masks": (None, None),
}
PUBLISHED_GRADCHECK_1D = "2.919335883291695e-10"
PUBLISHED_GRADCHECK_BUGGY = "0.2850931567761623"
PUBLISHED_GRADCHECK_FIXED = "1.19e-07"
COURSE_GRADCHECK_PASS = 2e-7  # the course prints "works perfectly fine" below this
PUBLISHED_OPTIMIZATION = {  # train accuracy
    "gradient descent": "0.797",
    "momentum": "0.797",
    "Adam": "0.94",
}
PUBLISHED_DECAY = {  # train accuracy
    "GD, inverse decay": "0.6533",
    "GD, scheduled decay": "0.9433",
    "momentum, scheduled decay": "0.9533",
    "Adam, scheduled decay": "0.94",
}

"""Initializers: shapes, zeros, the scale of He / Xavier / random, and the course's seeding."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_core import init_params
from dnn_core.initializers import SCHEMES, weight_std
from tests.core.reference import course_global_seed


@pytest.mark.parametrize("scheme", SCHEMES)
def test_shapes_and_zero_biases(scheme):
    params = init_params((4, 7, 3, 1), scheme)
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert params["W1"].shape == (7, 4) and params["b1"].shape == (7, 1)
    assert params["W2"].shape == (3, 7) and params["b2"].shape == (3, 1)
    assert params["W3"].shape == (1, 3) and params["b3"].shape == (1, 1)
    for key, value in params.items():
        assert value.dtype == np.float64
        if key[0] == "b":
            assert not value.any()


def test_zeros_are_zeros():
    for value in init_params((2, 10, 5, 1), "zeros").values():
        assert not value.any()


@pytest.mark.parametrize(
    ("scheme", "scale", "expected_std"),
    [
        ("he", 10.0, np.sqrt(2 / 400)),
        ("xavier", 10.0, np.sqrt(1 / 400)),
        ("random", 10.0, 10.0),
        ("random", 0.5, 0.5),
    ],
)
def test_weight_scale_statistically(scheme, scale, expected_std):
    # 240 000 draws: the sample standard deviation is within ~0.3% of the true one.
    W = init_params((400, 600, 1), scheme, scale=scale, seed=0)["W1"]
    assert abs(W.mean()) < 0.01 * expected_std
    assert W.std() == pytest.approx(expected_std, rel=0.01)
    assert weight_std(scheme, 400, scale) == pytest.approx(expected_std)


def test_unknown_scheme_and_bad_layers_are_refused():
    with pytest.raises(ValueError, match="Unknown initialization 'glorot'"):
        init_params((2, 3, 1), "glorot")
    with pytest.raises(ValueError, match="at least an input and an output"):
        init_params((2,))
    with pytest.raises(ValueError, match="at least an input and an output"):
        init_params((2, 0, 1))


COURSE_SCALES = {  # the course's factor on randn for a layer fed by n units
    "he": lambda n: np.sqrt(2.0 / n),
    "xavier": lambda n: 1.0 / np.sqrt(n),
    "random": lambda n: 10.0,
}


@pytest.mark.parametrize("scheme", COURSE_SCALES)
def test_course_seeding_equals_seed_then_randn_in_order(scheme):
    dims = (2, 10, 5, 1)
    with course_global_seed(3) as legacy:
        expected = [legacy.randn(dims[layer], dims[layer - 1]) for layer in range(1, 4)]
        next_draw = legacy.get_state()
        params = init_params(dims, scheme, seed=3, course=True)
        # The core's legacy draw uses a private RandomState: the global state is untouched.
        assert legacy.get_state()[2] == next_draw[2]
        np.testing.assert_array_equal(legacy.get_state()[1], next_draw[1])
    for layer in range(1, 4):
        scale = COURSE_SCALES[scheme](dims[layer - 1])
        np.testing.assert_allclose(params[f"W{layer}"], expected[layer - 1] * scale, rtol=1e-15)


def test_generator_seeding_is_deterministic_and_seed_dependent():
    a = init_params((2, 20, 3, 1), "he", seed=7)
    b = init_params((2, 20, 3, 1), "he", seed=7)
    c = init_params((2, 20, 3, 1), "he", seed=8)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["W1"], c["W1"])
    assert not np.array_equal(a["W1"], init_params((2, 20, 3, 1), "he", seed=7, course=True)["W1"])

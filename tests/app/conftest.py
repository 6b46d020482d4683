"""Every AppTest starts from empty result and figure caches, so it trains what it checks."""

from __future__ import annotations

import pytest

from tests.app.apptest_tools import clear_caches


@pytest.fixture(autouse=True)
def fresh_caches():
    clear_caches()

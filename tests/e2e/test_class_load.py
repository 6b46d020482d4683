"""A class on one link, on a real server: 30 students opening the same lesson at once all get
the whole page, with the same results, and no error. The visits are websocket clients
(``tools.protocol_client``) rather than 30 chromium tabs, which would spend the machine's
CPU on drawing instead of serving."""

from __future__ import annotations

import asyncio

import pytest

from tools.protocol_client import open_page

pytestmark = pytest.mark.e2e

CLASS_SIZE = 30
# A data seed no other test opens, so the class is the first to ask for these runs.
LINK_QUERY = "reg_football_seed=4242&reg_iterations=400"


async def class_opens(server_url: str) -> list:
    visits = (open_page(server_url, "Regularization", LINK_QUERY) for _ in range(CLASS_SIZE))
    return await asyncio.gather(*visits)


def test_a_class_of_30_opening_one_link_at_once_all_see_the_same_lesson(app_server):
    visits = asyncio.run(class_opens(app_server.url))

    assert all(visit.finished for visit in visits), [visit.exceptions for visit in visits]
    assert not [visit.exceptions for visit in visits if visit.exceptions]
    first = visits[0]
    # The lesson's maps, curves and sweeps, and its accuracy metrics.
    assert first.elements["plotly_chart"] >= 6
    assert [label for label, _ in first.metrics][:2] == ["Train accuracy", "Test accuracy"]
    assert all(visit.metrics == first.metrics for visit in visits)

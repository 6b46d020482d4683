"""A browser tab without the browser: opens a page of a running Streamlit server over its
websocket, as the frontend does, and waits for the script run to finish.

For load checks on one machine: a headless chromium tab costs a core's worth of rendering
(its own GPU process included), so 30 of them on a 2-core machine measure the clients, not
the server. This client sends the same message a tab sends when it opens a link (a
``rerun_script`` request with the page's name and query string) and reads the server's
replies until "script finished". It draws nothing; what a student's own computer spends
drawing the charts is not the server's cost.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STREAM_PATH = "/_stcore/stream"


@dataclass
class Visit:
    """What one opening of a page took and received."""

    seconds: float = float("nan")  # from connecting until the script run finished
    bytes_received: int = 0
    elements: Counter = field(default_factory=Counter)  # element type -> deltas received
    exceptions: list[str] = field(default_factory=list)  # st.exception / uncaught errors
    metrics: list[tuple[str, str]] = field(default_factory=list)  # (label, value) as shown
    finished: bool = False


def _element_type(message: ForwardMsg) -> str | None:
    if message.WhichOneof("type") != "delta":
        return None
    delta = message.delta
    if delta.WhichOneof("type") != "new_element":
        return None
    return delta.new_element.WhichOneof("type")


async def open_page(
    base_url: str, page_name: str = "", query: str = "", *, timeout_s: float = 300.0
) -> Visit:
    """Open ``<base_url>/<page_name>?<query>`` like a new tab and wait for its run to end.

    Args:
        base_url: the server, e.g. ``"http://127.0.0.1:8501"``.
        page_name: the page's URL path without a slash (``"Regularization"``); ``""`` for
            the home page.
        query: the link's query string without ``?`` (``"reg_lambd=0.7"``).

    Raises:
        TimeoutError: when the run has not finished within ``timeout_s``.
    """
    visit = Visit()
    origin = base_url.rstrip("/")
    started = time.perf_counter()
    async with asyncio.timeout(timeout_s):
        async with websockets.connect(
            origin.replace("http", "ws", 1) + STREAM_PATH,
            subprotocols=["streamlit"],
            origin=origin,
            max_size=None,  # a chart's figure can be megabytes
        ) as socket:
            request = BackMsg()
            request.rerun_script.query_string = query
            request.rerun_script.page_name = page_name
            await socket.send(request.SerializeToString())
            async for frame in socket:
                visit.bytes_received += len(frame)
                message = ForwardMsg()
                message.ParseFromString(frame)
                element = _element_type(message)
                if element is not None:
                    visit.elements[element] += 1
                    if element == "exception":
                        exception = message.delta.new_element.exception
                        visit.exceptions.append(f"{exception.type}: {exception.message}")
                    elif element == "metric":
                        metric = message.delta.new_element.metric
                        visit.metrics.append((metric.label, metric.body))
                if message.WhichOneof("type") == "script_finished":
                    status = message.script_finished
                    if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue  # the page reran itself (a cleaned link): keep waiting
                    visit.finished = status == ForwardMsg.FINISHED_SUCCESSFULLY
                    if not visit.finished:
                        visit.exceptions.append(f"script ended with status {status}")
                    break
    visit.seconds = time.perf_counter() - started
    return visit

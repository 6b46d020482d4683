"""Real-browser harness: a fresh ``streamlit run`` server and Debian's chromium driven by
Playwright, plus helpers that wait for Streamlit's reruns instead of sleeping.

Used by the e2e fixtures (``tests/e2e/conftest.py``) and by ``bench/load_check.py``.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf.message import DecodeError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.source_util import page_icon_and_name

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO_ROOT / "tests" / "e2e" / "screenshots"
SERVER_START_TIMEOUT_S = 60.0
RUN_TIMEOUT_MS = 120_000  # a lesson's first run trains several networks

APP = '[data-testid="stApp"]'
SIDEBAR = '[data-testid="stSidebar"]'
PLOTLY_CHART = '[data-testid="stPlotlyChart"]'
METRIC = '[data-testid="stMetric"]'
EXCEPTION = '[data-testid="stException"]'
SKELETON = '[data-testid="stSkeleton"]'


def lesson_pages(root: Path = REPO_ROOT) -> dict[str, str]:
    """``{"1_Initialization.py": "Initialization", ...}``: each file in ``pages/`` and the URL
    path Streamlit serves it at (the name without its number prefix)."""
    return {
        path.name: page_icon_and_name(path)[1] for path in sorted((root / "pages").glob("*.py"))
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StreamlitServer:
    """A running ``streamlit run`` process; ``url`` has no trailing slash."""

    process: subprocess.Popen
    port: int
    log_path: Path
    url: str = field(init=False)

    def __post_init__(self) -> None:
        self.url = f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory of the server process (``VmRSS`` in ``/proc``), in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        return int(match.group(1)) / 1024 if match else float("nan")

    def cpu_s(self) -> float:
        """CPU seconds the server has used so far, all its threads (user + system)."""
        return process_cpu_s(self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system, every thread) process ``pid`` has used, from /proc."""
    # The command name (field 2) may hold spaces: count the fields after its ")".
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def streamlit_server(
    script: str | Path = "app.py", *, cwd: Path = REPO_ROOT, log_dir: Path | None = None
) -> Iterator[StreamlitServer]:
    """Start ``streamlit run <script>`` headless on a free local port, wait until
    ``/_stcore/health`` answers, yield the server and stop it afterwards.

    Raises:
        RuntimeError: when the server exits or stays unhealthy (the message has its log).
    """
    script_path = Path(cwd) / script
    if not script_path.is_file():
        raise RuntimeError(f"No Streamlit script at {script_path}.")
    port = free_port()
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    log_path = log_dir / f"streamlit-{port}.log"
    command = [
        *(sys.executable, "-m", "streamlit", "run", str(script)),
        *("--server.headless", "true", "--server.port", str(port)),
        *("--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"),
    ]
    # The repository on the path, so a script outside its root (tests/e2e/apps) imports ui.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = StreamlitServer(process, port, log_path)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(server: StreamlitServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with {server.process.returncode}:\n{server.log()}"
            )
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"streamlit was not healthy after {SERVER_START_TIMEOUT_S:.0f} s:\n{server.log()}"
    )


def launch_chromium(playwright):
    """Debian's chromium (never a Playwright-downloaded browser), headless."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


# --- waiting for Streamlit ------------------------------------------------------------


class RunCounter:
    """Counts the app's completed script runs, read from the messages the server sends over
    the page's websocket. (The DOM can't tell: a quick rerun may start and end within one
    frame and never show as running.)"""

    def __init__(self) -> None:
        self.finished = 0

    def attach(self, page) -> None:
        """Start counting; call before the page opens the app."""
        page.on("websocket", lambda socket: socket.on("framereceived", self._on_frame))

    def _on_frame(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes) and is_finished_run(payload):
            self.finished += 1


def is_finished_run(payload: bytes) -> bool:
    """Whether a websocket frame is Streamlit's "script run finished successfully"."""
    message = ForwardMsg()
    try:
        message.ParseFromString(payload)
    except DecodeError:
        return False
    return (
        message.WhichOneof("type") == "script_finished"
        and message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
    )


def run_counter(page) -> RunCounter:
    """The page's run counter, attached on first use (``open_app`` does that)."""
    if not hasattr(page, "dnl_run_counter"):
        page.dnl_run_counter = RunCounter()
        page.dnl_run_counter.attach(page)
    return page.dnl_run_counter


def finished_runs(page) -> int:
    """How many runs of the script have finished for this page since it opened the app."""
    return run_counter(page).finished


# (selector, state) pairs that together mean "idle": the app is connected, its script has
# run and stopped running, and every element is drawn (Streamlit shows a skeleton while an
# element's code loads).
IDLE_WAITS = (
    (f'{APP}[data-test-connection-state="CONNECTED"]', "attached"),
    (f'{APP}[data-test-script-state="notRunning"]', "attached"),
    (SKELETON, "detached"),
)


def wait_for_idle(page, timeout_ms: float = RUN_TIMEOUT_MS) -> None:
    """Wait until the app is idle (see ``IDLE_WAITS``)."""
    for selector, state in IDLE_WAITS:
        page.wait_for_selector(selector, state=state, timeout=timeout_ms)


def rerun_after(page, action: Callable[[], object], timeout_ms: float = RUN_TIMEOUT_MS) -> None:
    """Do ``action`` (a widget change) and wait for the rerun it starts to finish and be
    drawn.

    Raises:
        TimeoutError: when no run finishes within ``timeout_ms``.
    """
    wait_for_idle(page, timeout_ms)
    before = finished_runs(page)
    action()
    deadline = time.monotonic() + timeout_ms / 1000
    while finished_runs(page) <= before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no script run finished within {timeout_ms / 1000:.0f} s")
        page.wait_for_timeout(50)  # lets Playwright deliver the websocket events
    wait_for_idle(page, timeout_ms)


def open_app(page, server: StreamlitServer, path: str = "", query: str = "") -> None:
    """Open ``/<path>?<query>`` and wait for its first run to finish."""
    run_counter(page)
    page.goto(f"{server.url}/{path}" + (f"?{query}" if query else ""))
    wait_for_idle(page)


def slider(page, label: str):
    """The slider labelled ``label``. (Streamlit 1.67 names the thumb itself "<label>
    <label>"; the group around it carries the plain label.)"""
    return page.get_by_role("group", name=label, exact=True).get_by_role("slider")


def move_slider(page, label: str, steps: int) -> None:
    """Move the slider ``label`` by ``steps`` steps with the keyboard (negative: left), one
    rerun per step, and wait for the last rerun to finish."""
    key = "ArrowRight" if steps > 0 else "ArrowLeft"
    for _ in range(abs(steps)):
        rerun_after(page, lambda: (slider(page, label).focus(), page.keyboard.press(key)))


def download(page, label: str, timeout_ms: float = 60_000) -> tuple[str, bytes]:
    """Click the download button ``label``; returns (suggested file name, bytes).

    Raises:
        AssertionError: when no download starts, with what the button showed instead
            (Streamlit writes a failed deferred download under its button).
    """
    button = page.get_by_role("button", name=label)
    try:
        with page.expect_download(timeout=timeout_ms) as info:
            button.click()
    except PlaywrightTimeoutError:
        errors = page.locator('[data-testid="stDownloadButtonError"]').all_inner_texts()
        raise AssertionError(
            f"no download from {label!r} within {timeout_ms / 1000:.0f} s; "
            f"button disabled: {button.is_disabled()}; errors shown: {errors}"
        ) from None
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def exceptions(page) -> list[str]:
    """Text of every exception element on the page (should be none)."""
    return page.locator(EXCEPTION).all_inner_texts()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as ``tests/e2e/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

"""Load check: N students at once on one Streamlit server.

Run by hand (needs Debian's chromium at /usr/bin/chromium):

    python bench/load_check.py --scenario class --sessions 1 10 30 --page Regularization
    python bench/load_check.py                      # sliders: N = 1, 5, 20 on /Initialization
    python bench/load_check.py --sessions 1 5 --changes 3 --page Regularization
    python bench/load_check.py --port 8501 --pid 1234   # a server already running
    python bench/load_check.py --scenario class --client protocol --sessions 1 10 30
    python bench/load_check.py --scenario class --client protocol --browsers 3 --sessions 30
    python bench/load_check.py --scenario class --client protocol --browsers 1 \
        --sessions 30 30 30 30 30 --page Regularization    # one student's tab among 30

Starts a fresh ``streamlit run app.py`` (or uses the one on ``--port``), then for each N opens
N browser tabs (separate contexts in one headless chromium, driven concurrently):

- ``class`` (a class on one link): every tab opens the same deep link at the same moment,
  timed from opening it until its page has finished running and its charts are drawn;
- ``sliders``: each tab opens the lesson, picks its own data seed (so no tab is served from
  another tab's cache), then moves the slider ``--slider`` one step right ``--changes``
  times, each timed from the key press until the rerun it caused has finished.

Reports each N as it finishes: errors (exceptions on the page, JavaScript errors, timeouts),
p50 and p95 time with their ratio to the first N (the baseline of this run), wall time, the
server's CPU seconds over the round, and its resident memory (VmRSS) before, at its peak and
after. The class scenario uses a new data seed each round, so no round is served from the
one before.

``--client protocol`` (class scenario) opens the link with :mod:`tools.protocol_client`
instead of chromium tabs (but for ``--browsers K`` of them, timed apart): the same request a
tab sends, timed until the run has finished and every chart has reached the client, without
drawing anything. On one small machine, headless tabs spend more CPU drawing than the
server spends serving, so this is the figure for the server's share of "time to charts"; it
also reports the megabytes each visit received. With ``--browsers 1`` and several rounds,
each round times one student's real tab among the class (drawing on the server's own cores
here, so a pessimistic figure), and the tabs of all rounds are summed up at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools import protocol_client
from tools.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    IDLE_WAITS,
    PLOTLY_CHART,
    RunCounter,
    StreamlitServer,
    process_cpu_s,
    streamlit_server,
)

FIRST_SEED = 100  # tab k uses data seed --first-seed + k (round k, in the class scenario)
# Each lesson's default data set's seed parameter, for the class scenario's links.
DEFAULT_SEED_PARAMETERS = {
    "Initialization": "init_circles_seed",
    "Regularization": "reg_football_seed",
    "Gradient_Checking": "gc_moons_seed",
    "Optimization": "opt_moons_seed",
}


@dataclass
class SessionResult:
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    megabytes: float = float("nan")  # received (protocol client only)
    in_browser: bool = False


@dataclass
class RoundResult:
    sessions: int
    latencies_s: list[float]
    errors: list[str]
    wall_s: float
    cpu_s: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float
    megabytes_per_visit: float = float("nan")
    tab_latencies_s: list[float] = field(default_factory=list)  # the chromium tabs' own


@dataclass
class RunningServer:
    """A server started elsewhere (``--port``); its memory and CPU are read when ``pid`` is
    known, else reported as NaN."""

    url: str
    pid: int | None = None

    def rss_mb(self) -> float:
        if self.pid is None:
            return float("nan")
        status = Path(f"/proc/{self.pid}/status").read_text()
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        return int(match.group(1)) / 1024 if match else float("nan")

    def cpu_s(self) -> float:
        return process_cpu_s(self.pid) if self.pid is not None else float("nan")

    def log(self) -> str:
        return ""


class MemorySampler:
    """Samples the server's RSS every ``interval_s`` in a thread; ``peak_mb`` is the max."""

    def __init__(self, server: StreamlitServer, interval_s: float = 0.25) -> None:
        self.server, self.interval_s = server, interval_s
        self.peak_mb = server.rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak_mb = max(self.peak_mb, self.server.rss_mb())

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


async def wait_for_idle(page, timeout_ms: float) -> None:
    for selector, state in IDLE_WAITS:
        await page.wait_for_selector(selector, state=state, timeout=timeout_ms)


async def timed_rerun(page, runs: RunCounter, action, timeout_ms: float) -> float:
    """Seconds from ``action`` (a widget change) until the rerun it caused has finished and
    its page is drawn."""
    await wait_for_idle(page, timeout_ms)
    before = runs.finished
    start = time.perf_counter()
    await action()
    deadline = start + timeout_ms / 1000
    while runs.finished <= before:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no script run finished within {timeout_ms / 1000:.0f} s")
        await asyncio.sleep(0.02)
    await wait_for_idle(page, timeout_ms)
    return time.perf_counter() - start


async def run_session(browser, url: str, index: int, args) -> SessionResult:
    result = SessionResult()
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    runs = RunCounter()
    runs.attach(page)
    page.on("pageerror", lambda error: result.errors.append(f"tab {index}: JS error {error}"))
    timeout_ms = args.timeout * 1000
    try:
        await page.goto(url, timeout=timeout_ms)
        await wait_for_idle(page, timeout_ms)
        seed = page.get_by_role("spinbutton", name=args.seed_label, exact=True)

        async def choose_seed():
            await seed.fill(str(args.first_seed + index))
            await seed.press("Enter")

        await timed_rerun(page, runs, choose_seed, timeout_ms)
        slider = page.get_by_role("group", name=args.slider, exact=True).get_by_role("slider")

        async def step_right():
            await slider.focus()
            await page.keyboard.press("ArrowRight")

        for _ in range(args.changes):
            result.latencies_s.append(await timed_rerun(page, runs, step_right, timeout_ms))
        for text in await page.locator(EXCEPTION).all_inner_texts():
            result.errors.append(f"tab {index}: exception on the page: {text[:200]}")
    except Exception as error:  # a timeout or a vanished element is a finding, not a crash
        result.errors.append(f"tab {index}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        await context.close()
    return result


async def run_class_session(browser, url: str, index: int, start, args) -> SessionResult:
    """One student of a class opening the teacher's link: seconds from opening it until the
    page has run and its first chart is drawn."""
    result = SessionResult(in_browser=True)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.on("pageerror", lambda error: result.errors.append(f"tab {index}: JS error {error}"))
    timeout_ms = args.timeout * 1000
    try:
        await start.wait()
        opened = time.perf_counter()
        await page.goto(url, timeout=timeout_ms)
        await page.locator(f"{PLOTLY_CHART} .main-svg").first.wait_for(timeout=timeout_ms)
        await wait_for_idle(page, timeout_ms)
        result.latencies_s.append(time.perf_counter() - opened)
        for text in await page.locator(EXCEPTION).all_inner_texts():
            result.errors.append(f"tab {index}: exception on the page: {text[:200]}")
    except Exception as error:  # a timeout or a vanished element is a finding, not a crash
        result.errors.append(f"tab {index}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        await context.close()
    return result


async def run_protocol_session(server_url: str, link: str, index: int, start, args):
    """One student opening the teacher's link, over the websocket only (see
    :mod:`tools.protocol_client`)."""
    result = SessionResult()
    page_name, _, query = link.partition("?")
    await start.wait()
    try:
        visit = await protocol_client.open_page(
            server_url, page_name, query, timeout_s=args.timeout
        )
    except Exception as error:  # a timeout or a dropped socket is a finding, not a crash
        result.errors.append(f"client {index}: {type(error).__name__}: {error}")
        return result
    result.latencies_s.append(visit.seconds)
    result.megabytes = visit.bytes_received / 1e6
    result.errors += [f"client {index}: {text[:200]}" for text in visit.exceptions]
    return result


async def run_round(browser, server, sessions: int, round_index: int, args) -> RoundResult:
    url = f"{server.url}/{args.page}"
    rss_before, cpu_before = server.rss_mb(), server.cpu_s()
    start = time.perf_counter()
    with MemorySampler(server) as memory:
        if args.scenario == "class":
            # The same link for the whole class; a new data seed each round, so no round is
            # served from the one before.
            query = f"{args.seed_parameter}={args.first_seed + round_index}"
            opening = asyncio.Event()
            in_browser = sessions if args.client == "browser" else min(args.browsers, sessions)
            tabs = [
                run_class_session(browser, f"{url}?{query}", i, opening, args)
                for i in range(in_browser)
            ] + [
                run_protocol_session(server.url, f"{args.page}?{query}", i, opening, args)
                for i in range(in_browser, sessions)
            ]
            gathered = asyncio.gather(*tabs)
            await asyncio.sleep(0.5)  # every tab's context is ready: open at once
            opening.set()
            results = await gathered
        else:
            results = await asyncio.gather(
                *(run_session(browser, url, index, args) for index in range(sessions))
            )
    wall = time.perf_counter() - start
    return RoundResult(
        sessions=sessions,
        latencies_s=[latency for result in results for latency in result.latencies_s],
        errors=[error for result in results for error in result.errors],
        wall_s=wall,
        cpu_s=server.cpu_s() - cpu_before,
        rss_before_mb=rss_before,
        rss_peak_mb=memory.peak_mb,
        rss_after_mb=server.rss_mb(),
        megabytes_per_visit=statistics.fmean(
            [result.megabytes for result in results if not result.in_browser] or [float("nan")]
        ),
        tab_latencies_s=[
            latency for result in results if result.in_browser for latency in result.latencies_s
        ],
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def print_header(args) -> None:
    what = (
        "opening one link at once, until the charts are drawn"
        if args.scenario == "class"
        else f"slider {args.slider!r} x {args.changes} changes per tab, key press until the "
        "rerun has finished"
    )
    print(f"\nLoad check: /{args.page}, {what} (ratio vs the first N)")
    header = f"{'N':>3} {'timed':>6} {'errors':>6} {'p50 s':>7} {'p95 s':>7} {'p50 x':>6} "
    header += f"{'p95 x':>6} {'wall s':>7} {'CPU s':>7} {'RSS MB before/peak/after':>26}"
    header += f"{'MB/visit':>9}"
    if args.client == "protocol" and args.browsers:
        header += f"  p50/p95 s of the {args.browsers} chromium tabs"
    print(header, flush=True)


def print_row(result: RoundResult, base: RoundResult) -> None:
    p50, p95 = percentile(result.latencies_s, 50), percentile(result.latencies_s, 95)
    base_p50, base_p95 = percentile(base.latencies_s, 50), percentile(base.latencies_s, 95)
    memory = f"{result.rss_before_mb:.0f}/{result.rss_peak_mb:.0f}/{result.rss_after_mb:.0f}"
    print(
        f"{result.sessions:>3} {len(result.latencies_s):>6} {len(result.errors):>6} "
        f"{p50:>7.2f} {p95:>7.2f} {p50 / base_p50:>6.1f} {p95 / base_p95:>6.1f} "
        f"{result.wall_s:>7.1f} {result.cpu_s:>7.1f} {memory:>26}"
        f"{result.megabytes_per_visit:>9.2f}"
        + (
            f"  {percentile(result.tab_latencies_s, 50):.2f}/"
            f"{percentile(result.tab_latencies_s, 95):.2f}"
            if result.tab_latencies_s
            else ""
        ),
        flush=True,
    )
    for error in result.errors[:5]:
        print(f"  N={result.sessions}: {error}")
    if len(result.errors) > 5:
        print(f"  N={result.sessions}: ... and {len(result.errors) - 5} more errors")


def server_errors(log: str) -> list[str]:
    """The distinct exception lines in the server's log (the page only shows a generic
    message: showErrorDetails is "none")."""
    lines = re.findall(r"^[A-Za-z_][\w.]*(?:Error|Exception)\b.*$", log, re.MULTILINE)
    return list(dict.fromkeys(lines))


async def run_rounds(server, args) -> None:
    if args.client == "protocol" and not args.browsers:
        await print_rounds(None, server, args)  # websocket visitors only: no browser
        return
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        await print_rounds(browser, server, args)
        await browser.close()


async def print_rounds(browser, server, args) -> None:
    """Each N of ``--sessions`` in turn, printed as it finishes."""
    print_header(args)
    rounds: list[RoundResult] = []
    for index, sessions in enumerate(args.sessions):
        rounds.append(await run_round(browser, server, sessions, index, args))
        print_row(rounds[-1], rounds[0])
    tabs = [latency for result in rounds for latency in result.tab_latencies_s]
    if args.client == "protocol" and len(rounds) > 1 and tabs:
        # With one tab a round (a student's own browser among the class), the rounds
        # together are the sample: a round's own p95 of one tab says little.
        print(
            f"the chromium tabs of all rounds: {len(tabs)} timed, p50 "
            f"{percentile(tabs, 50):.2f} s, p95 {percentile(tabs, 95):.2f} s, "
            f"max {max(tabs):.2f} s",
            flush=True,
        )


def main_with_server(args) -> list[str]:
    """Run every round; returns the server log's exception lines."""
    if args.port is not None:
        server = RunningServer(f"http://127.0.0.1:{args.port}", args.pid)
        asyncio.run(run_rounds(server, args))
        return []
    with streamlit_server("app.py") as started:
        asyncio.run(run_rounds(started, args))
        return server_errors(started.log())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=["sliders", "class"], default="sliders")
    parser.add_argument(
        "--client",
        choices=["browser", "protocol"],
        default="browser",
        help="class scenario: chromium tabs, or websocket clients that draw nothing",
    )
    parser.add_argument(
        "--browsers",
        type=int,
        default=0,
        help="with --client protocol: this many of each round's visitors are chromium tabs "
        "(their time to drawn charts is reported apart)",
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--changes", type=int, default=5, help="slider changes per tab")
    parser.add_argument("--page", default="Initialization", help="URL path of the lesson")
    parser.add_argument("--slider", default="Noise", help="label of the slider to move")
    parser.add_argument("--seed-label", default="Data seed", help="label of the seed input")
    parser.add_argument(
        "--seed-parameter",
        default=None,
        help="URL parameter of the data seed (class scenario; default: <page prefix>_<data>_seed)",
    )
    parser.add_argument(
        "--first-seed",
        type=int,
        default=FIRST_SEED,
        help="data seed of the first tab or round: a new one per call keeps a running "
        "server's caches out of the figures",
    )
    parser.add_argument("--port", type=int, help="use the server already on this local port")
    parser.add_argument("--pid", type=int, help="that server's process id (memory, CPU)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per page wait")
    args = parser.parse_args()
    if args.client == "protocol" and args.scenario != "class":
        sys.exit("--client protocol opens links only: use it with --scenario class.")
    if (args.client == "browser" or args.browsers) and not CHROMIUM.is_file():
        sys.exit(f"Needs Debian's chromium at {CHROMIUM} (apt-get install chromium).")
    if any(n < 1 for n in args.sessions) or args.changes < 1:
        sys.exit("--sessions and --changes must be at least 1.")
    args.seed_parameter = args.seed_parameter or DEFAULT_SEED_PARAMETERS.get(args.page, "")
    errors = main_with_server(args)
    for line in errors[:10]:
        print(f"  server log: {line}")


if __name__ == "__main__":
    main()

"""Load check: N students at once on one Streamlit server, each moving a lesson's slider.

Run by hand (needs Debian's chromium at /usr/bin/chromium):

    python bench/load_check.py                      # N = 1, 5, 20 on /Initialization
    python bench/load_check.py --sessions 1 5 --changes 3 --page Regularization

Starts a fresh ``streamlit run app.py``, then for each N opens N browser tabs (separate
contexts in one headless chromium, driven concurrently). Each tab opens the lesson by its
deep link, picks its own data seed (so no tab is served from another tab's cache), then
moves the slider ``--slider`` one step right ``--changes`` times. For each change it times
the key press until the rerun it caused has finished (the charts are drawn by then).

Reports per N: errors (exceptions on the page, JavaScript errors, timeouts), p50 and p95
change-to-updated-chart time with their ratio to N = 1 (the baseline of this run), wall
time, and the server's resident memory (VmRSS from /proc) before, at its peak and after.
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

from tools.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    IDLE_WAITS,
    RunCounter,
    StreamlitServer,
    streamlit_server,
)

FIRST_SEED = 100  # tab k uses data seed FIRST_SEED + k


@dataclass
class SessionResult:
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class RoundResult:
    sessions: int
    latencies_s: list[float]
    errors: list[str]
    wall_s: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float


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
            await seed.fill(str(FIRST_SEED + index))
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


async def run_round(browser, server: StreamlitServer, sessions: int, args) -> RoundResult:
    url = f"{server.url}/{args.page}"
    rss_before = server.rss_mb()
    start = time.perf_counter()
    with MemorySampler(server) as memory:
        results = await asyncio.gather(
            *(run_session(browser, url, index, args) for index in range(sessions))
        )
    wall = time.perf_counter() - start
    return RoundResult(
        sessions=sessions,
        latencies_s=[latency for result in results for latency in result.latencies_s],
        errors=[error for result in results for error in result.errors],
        wall_s=wall,
        rss_before_mb=rss_before,
        rss_peak_mb=memory.peak_mb,
        rss_after_mb=server.rss_mb(),
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def report(rounds: list[RoundResult], args) -> None:
    print(f"\nLoad check: /{args.page}, slider {args.slider!r} x {args.changes} changes per tab")
    print("(time = key press until the rerun it caused has finished; ratio vs N = first round)")
    header = f"{'N':>3} {'changes':>8} {'errors':>6} {'p50 s':>7} {'p95 s':>7} {'p50 x':>6} "
    header += f"{'p95 x':>6} {'wall s':>7} {'RSS MB before/peak/after':>26}"
    print(header)
    base = rounds[0]
    base_p50 = percentile(base.latencies_s, 50)
    base_p95 = percentile(base.latencies_s, 95)
    for result in rounds:
        p50, p95 = percentile(result.latencies_s, 50), percentile(result.latencies_s, 95)
        memory = f"{result.rss_before_mb:.0f}/{result.rss_peak_mb:.0f}/{result.rss_after_mb:.0f}"
        print(
            f"{result.sessions:>3} {len(result.latencies_s):>8} {len(result.errors):>6} "
            f"{p50:>7.2f} {p95:>7.2f} {p50 / base_p50:>6.1f} {p95 / base_p95:>6.1f} "
            f"{result.wall_s:>7.1f} {memory:>26}"
        )
    for result in rounds:
        for error in result.errors[:5]:
            print(f"  N={result.sessions}: {error}")
        if len(result.errors) > 5:
            print(f"  N={result.sessions}: ... and {len(result.errors) - 5} more errors")


def server_errors(log: str) -> list[str]:
    """The distinct exception lines in the server's log (the page only shows a generic
    message: showErrorDetails is "none")."""
    lines = re.findall(r"^[A-Za-z_][\w.]*(?:Error|Exception)\b.*$", log, re.MULTILINE)
    return list(dict.fromkeys(lines))


async def main_async(args) -> tuple[list[RoundResult], list[str]]:
    from playwright.async_api import async_playwright

    rounds = []
    with streamlit_server("app.py") as server:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            for sessions in args.sessions:
                print(f"N = {sessions} ...", flush=True)
                rounds.append(await run_round(browser, server, sessions, args))
            await browser.close()
        errors = server_errors(server.log())
    return rounds, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--changes", type=int, default=5, help="slider changes per tab")
    parser.add_argument("--page", default="Initialization", help="URL path of the lesson")
    parser.add_argument("--slider", default="Noise", help="label of the slider to move")
    parser.add_argument("--seed-label", default="Data seed", help="label of the seed input")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per page wait")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        sys.exit(f"Needs Debian's chromium at {CHROMIUM} (apt-get install chromium).")
    if any(n < 1 for n in args.sessions) or args.changes < 1:
        sys.exit("--sessions and --changes must be at least 1.")
    rounds, errors = asyncio.run(main_async(args))
    report(rounds, args)
    for line in errors[:10]:
        print(f"  server log: {line}")


if __name__ == "__main__":
    main()

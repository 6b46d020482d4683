"""Memory after a crowd: N students open a heavy lesson at once and then all leave. Does the
server's memory come back, and does a second, identical crowd raise it further?

Run by hand (needs Debian's chromium at /usr/bin/chromium):

    python bench/memory_burst.py                      # 20 tabs on /Optimization, 2 bursts
    python bench/memory_burst.py --sessions 5 --settle 30 --bursts 3
    python bench/memory_burst.py --probe              # also the allocator's and Python's view
    python bench/memory_burst.py --env MALLOC_ARENA_MAX=2 --root /tmp/other-checkout

Starts a fresh ``streamlit run app.py`` (from ``--root``, by default this checkout) and
warms it up with one tab, which it closes. Then, per burst, it opens N tabs (separate
contexts in one headless chromium), one every ``--stagger`` seconds so 2 cores can draw
them, yet all open together: each waits until its page has finished running (told by the
server over the websocket), and only when every page has, all tabs close at once. The tabs
do not draw their charts (Plotly's script is not loaded; ``--draw`` draws them): the server
sends the same either way, and 20 tabs drawing the lesson's charts starve 2 cores for
minutes. Each tab opens the lesson's deep link with
the heaviest settings its budget accepts (``--query``) and a data seed of its own, new in
every burst, so no tab is served from another's cached run: every burst does the same work.

Reports each phase as it finishes, and per burst: the server's resident memory (VmRSS, from
/proc) before, at its peak, at the close and ``--settle`` s later; how many tabs were open
at once; wall time and the server's CPU seconds. The target: ``--settle`` (60) s after the
close, RSS within 150 MB of its level before the first burst, and no higher after the
second burst. ``--probe`` loads a small probe into the server (a ``sitecustomize`` on its
``PYTHONPATH``) that traces Python's allocations (tracemalloc, which NumPy's arrays report
to) and reads glibc's ``mallinfo2``, so each phase also says how much Python holds, how much
malloc has in use, and how much lies free in its heaps (trimmed pages still count there).
(Tracing slows the server: compare times only between runs with the same flags.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load_check import MemorySampler, server_errors, wait_for_idle
from tools.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    REPO_ROOT,
    RunCounter,
    streamlit_server,
)

# The Optimization lesson at its widest: six hidden layers of 100 units, every optimizer,
# learning-rate decay and the largest mini-batches. 100 epochs: more take longer (within
# the page's budget) but keep no more, and 20 tabs of them take a few minutes on 2 cores.
HEAVIEST = (
    "opt_hidden=100,100,100,100,100,100&opt_iterations=100&opt_batch_size=512"
    "&opt_optimizers=batch&opt_optimizers=minibatch&opt_optimizers=momentum"
    "&opt_optimizers=adam&opt_decay=inverse"
)
SEED_PARAMETER = "opt_moons_seed"
FIRST_SEED = 100  # tab k of burst b uses data seed FIRST_SEED + b * sessions + k
WARNING = '[data-testid="stAlertContentWarning"]'

# Loaded into the server by --probe: every second, one JSON line of what Python and malloc
# hold (glibc's mallinfo2 sums every arena).
PROBE = """
import ctypes, json, os, sys, threading, time, tracemalloc

tracemalloc.start(1)


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _probe(path):
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _Mallinfo2
    while True:
        info = libc.mallinfo2()
        line = {"t": time.time(), "python": tracemalloc.get_traced_memory()[0],
                "heap": info.arena, "mmapped": info.hblkhd, "in_use": info.uordblks,
                "free": info.fordblks}
        janitor = getattr(sys.modules.get("ui.memory"), "JANITOR", None)  # with ui/memory.py
        if janitor is not None:
            line |= {"trims": janitor.trims, "trim_s": janitor.trim_seconds}
        with open(path, "a") as file:
            file.write(json.dumps(line) + "\\n")
        request = path + ".snapshot"
        if os.path.exists(request):  # the bench asks where what Python holds comes from
            top = tracemalloc.take_snapshot().statistics("lineno")[:12]
            with open(request + ".txt", "w") as file:
                file.write("\\n".join(f"{s.size / 2**20:8.1f} MB  {s.traceback}" for s in top))
            os.remove(request)
        time.sleep(1.0)


if os.environ.get("DNL_PROBE_FILE"):
    threading.Thread(target=_probe, args=(os.environ["DNL_PROBE_FILE"],), daemon=True).start()
"""


@dataclass
class Burst:
    before_mb: float
    peak_mb: float = float("nan")
    at_close_mb: float = float("nan")
    settled_mb: float = float("nan")
    most_open: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    errors: list[str] = field(default_factory=list)


class Probe:
    """The server-side probe's last reading (``--probe``), or nothing."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    async def top_allocations(self) -> str:
        """Where what Python holds now was allocated (tracemalloc, by line of code)."""
        if self.path is None:
            return ""
        request = Path(f"{self.path}.snapshot")
        request.touch()
        while request.exists():
            await asyncio.sleep(0.5)
        return Path(f"{request}.txt").read_text()

    def describe(self) -> str:
        if self.path is None or not self.path.is_file():
            return ""
        lines = self.path.read_text().splitlines()
        if not lines:
            return ""
        last = json.loads(lines[-1])
        mb = {name: last[name] / 2**20 for name in ("python", "in_use", "mmapped", "free")}
        trims = f"; {last['trims']} trims took {last['trim_s']:.2f} s" if "trims" in last else ""
        return (
            f"  [Python holds {mb['python']:.0f} MB; malloc: {mb['in_use'] + mb['mmapped']:.0f}"
            f" MB in use ({mb['mmapped']:.0f} mmapped), {mb['free']:.0f} MB free in its heaps"
            f"{trims}]"
        )


def say(text: str, server, probe: Probe) -> None:
    print(f"{text}: RSS {server.rss_mb():.0f} MB{probe.describe()}", flush=True)


class Tabs:
    """Counts open tabs (the most at once, to show the burst overlapped)."""

    def __init__(self) -> None:
        self.open = self.most = 0

    def opened(self) -> None:
        self.open += 1
        self.most = max(self.most, self.open)


async def visit(browser, url, name, args, tabs: Tabs, all_drawn, errors: list[str]):
    """Open ``url`` in a new tab, wait for its run to finish (and, with ``--draw``, its
    charts to be drawn), then for every other tab's, and close it."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    tabs.opened()
    try:
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{name}: JS error {error}"))
        runs = RunCounter()
        runs.attach(page)
        if not args.draw:  # the server sends the same; 20 tabs drawing starve 2 cores
            await page.route("**/PlotlyChart*.js", lambda route: route.abort())
        await page.goto(url, timeout=args.timeout * 1000)
        deadline = time.monotonic() + args.timeout
        while runs.finished < 1:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page's run did not finish in {args.timeout:g} s")
            await asyncio.sleep(0.1)
        if args.draw:
            await wait_for_idle(page, args.timeout * 1000)
        for text in await page.locator(EXCEPTION).all_inner_texts():
            errors.append(f"{name}: exception on the page: {text[:200]}")
        for text in await page.locator(WARNING).all_inner_texts():  # e.g. refused: too long
            errors.append(f"{name}: warning on the page: {text[:120]}")
    except Exception as error:  # a timeout is a finding, not a crash of the bench
        errors.append(f"{name}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        all_drawn.release()
        await all_drawn.acquire_all()
        await context.close()
        tabs.open -= 1


class Countdown:
    """Every tab releases once; ``acquire_all`` waits until all have."""

    def __init__(self, count: int) -> None:
        self.left, self.event = count, asyncio.Event()

    def release(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.event.set()

    async def acquire_all(self) -> None:
        await self.event.wait()


async def settle(server, seconds: float, probe: Probe) -> float:
    """RSS (MB) after ``seconds`` of an idle server, said every 10 s."""
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        await asyncio.sleep(min(10.0, seconds - elapsed))
        say(f"    {time.monotonic() - start:3.0f} s after the close", server, probe)
    return server.rss_mb()


async def burst(browser, server, args, index: int, probe: Probe) -> Burst:
    result = Burst(before_mb=server.rss_mb())
    say(f"burst {index + 1}: {args.sessions} tabs, one every {args.stagger:g} s", server, probe)
    first = FIRST_SEED + index * args.sessions
    tabs, all_drawn = Tabs(), Countdown(args.sessions)
    start, cpu_start = time.perf_counter(), server.cpu_s()

    async def tab(k: int) -> None:
        await asyncio.sleep(k * args.stagger)
        url = f"{server.url}/{args.page}?{args.query}&{SEED_PARAMETER}={first + k}"
        await visit(browser, url, f"tab {k}", args, tabs, all_drawn, result.errors)

    with MemorySampler(server, interval_s=0.5) as memory:
        gathered = asyncio.gather(*(tab(k) for k in range(args.sessions)))
        await all_drawn.acquire_all()
        say(f"  every page run finished after {time.perf_counter() - start:.0f} s", server, probe)
        await gathered
    result.wall_s, result.cpu_s = time.perf_counter() - start, server.cpu_s() - cpu_start
    result.peak_mb, result.at_close_mb = memory.peak_mb, server.rss_mb()
    result.most_open = tabs.most
    say(f"  closed (peak {result.peak_mb:.0f} MB, {tabs.most} tabs open at once)", server, probe)
    result.settled_mb = await settle(server, args.settle, probe)
    if args.probe:
        print("  what Python holds, by the line that allocated it:", flush=True)
        print(await probe.top_allocations(), flush=True)
    return result


async def run_bursts(server, args, probe: Probe) -> tuple[float, list[Burst], list[str]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        warm_up: list[str] = []
        url = f"{server.url}/{args.page}?{args.query}&{SEED_PARAMETER}={FIRST_SEED - 1}"
        await visit(browser, url, "warm-up", args, Tabs(), Countdown(1), warm_up)
        say("warm-up tab closed", server, probe)
        baseline = await settle(server, min(args.settle, 20.0), probe)
        bursts = [await burst(browser, server, args, index, probe) for index in range(args.bursts)]
        await browser.close()
    return baseline, bursts, warm_up


@contextlib.contextmanager
def server_environment(args, probe_dir: Path | None):
    """``--env`` settings (and the probe) for the server only: restored once it started."""
    saved = dict(os.environ)
    os.environ.update(dict(setting.split("=", 1) for setting in args.env))
    if probe_dir is not None:
        (probe_dir / "sitecustomize.py").write_text(PROBE)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(probe_dir), os.environ.get("PYTHONPATH")])
        )
        os.environ["DNL_PROBE_FILE"] = str(probe_dir / "probe.jsonl")
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def print_summary(args, baseline: float, bursts: list[Burst]) -> None:
    print(f"\nMemory burst: {args.sessions} tabs on /{args.page}, {args.settle:g} s to settle")
    print(f"RSS after the warm-up tab: {baseline:.0f} MB (differences are from this level)")
    print(
        f"{'burst':>5} {'before':>7} {'peak':>7} {'close':>7} {'settled':>8} "
        f"{'settled-base':>12} {'open':>5} {'wall s':>7} {'CPU s':>7} {'errors':>6}"
    )
    for index, result in enumerate(bursts, start=1):
        print(
            f"{index:>5} {result.before_mb:>7.0f} {result.peak_mb:>7.0f} "
            f"{result.at_close_mb:>7.0f} {result.settled_mb:>8.0f} "
            f"{result.settled_mb - baseline:>+12.0f} {result.most_open:>5} "
            f"{result.wall_s:>7.1f} {result.cpu_s:>7.1f} {len(result.errors):>6}"
        )
        for error in result.errors[:5]:
            print(f"  burst {index}: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="tabs per burst")
    parser.add_argument("--bursts", type=int, default=2)
    parser.add_argument("--settle", type=float, default=60, help="seconds idle after a burst")
    parser.add_argument("--stagger", type=float, default=1.0, help="seconds between tabs")
    parser.add_argument("--page", default="Optimization", help="URL path of the lesson")
    parser.add_argument("--query", default=HEAVIEST, help="the lesson's settings (URL query)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per page wait")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the app's checkout")
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=VALUE for the server (repeatable)"
    )
    parser.add_argument("--probe", action="store_true", help="tracemalloc + mallinfo2")
    parser.add_argument("--draw", action="store_true", help="tabs draw their charts too")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        sys.exit(f"Needs Debian's chromium at {CHROMIUM} (apt-get install chromium).")
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        probe_dir = Path(folder) if args.probe else None
        probe = Probe(probe_dir / "probe.jsonl" if probe_dir else None)
        with server_environment(args, probe_dir):
            server = stack.enter_context(streamlit_server("app.py", cwd=args.root.resolve()))
        baseline, bursts, warm_up = asyncio.run(run_bursts(server, args, probe))
        errors = warm_up + server_errors(server.log())
    print_summary(args, baseline, bursts)
    for line in errors[:10]:
        print(f"  {line}")


if __name__ == "__main__":
    main()

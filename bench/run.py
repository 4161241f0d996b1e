"""Benchmark gongkai against plain Scrapy (the floor) and linkchecker (the peer).

    python bench/run.py [--pages 2000] [--concurrency 16] [--tools gongkai,scrapy,linkchecker] [--once]
        [--page-workers 2] [--shape dense|sparse]

The tool ``gongkai-static`` is gongkai with rendering turned off (``render: false``):
beside ``gongkai`` (rendering on, with Chromium installed) it shows what rendering
costs on a site whose lists need none. ``gongkai-redis`` is ``gongkai-static``
shared out through a Redis (Debian's ``redis-server``, started for it): the
coordinator (``gongkai crawl --redis``, with its own page spiders) and two
``gongkai worker`` processes on this machine; its CPU and memory are all of theirs.
``gongkai-noterms`` is ``gongkai-static`` without the content check
(``content_checks: false``): beside it, what searching every article for the
words of ``terms.yaml`` costs.

Generates a synthetic disclosure site (bench/synthetic_site.py), serves it with nginx
from Debian on 127.0.0.1, runs every tool on it with the same concurrency and
prints pages/s, CPU seconds, peak RSS and PSS and broken-link recall for each, and the
ratios of gongkai to the others. Then it runs gongkai a second time on the
unchanged site and prints what the incremental re-crawl transferred and took.
Needs ``nginx`` and ``linkchecker`` (PyPI).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_site import generate  # beside this script

BIN = Path(sys.executable).parent
NGINX_CONF = """worker_processes 1;
error_log {prefix}/error.log;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  open_file_cache max=200 inactive=10s;
  types {{ text/html html; application/pdf pdf; }}
  server {{
    listen 127.0.0.1:{port};
    root {root};
    charset utf-8;
    add_header LinkChecker allow;  # linkchecker throttles itself unless the server opts in
  }}
}}
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_memory(pid: int) -> tuple[int, int]:
    """The resident memory (bytes) of a process and all its descendants, summed: (RSS, PSS).

    Summed RSS counts a shared library once in every process that maps it; PSS
    (proportional set size) charges each shared page in parts, so the tree's PSS
    is the memory the tree actually occupies.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            lines = Path(f"/proc/{current}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        sizes = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in lines[1:] if line.endswith("kB")}
        rss, pss = rss + sizes.get("Rss", 0), pss + sizes.get("Pss", 0)
        todo += children.get(current, [])
    return rss, pss


def timed(command: list[str], **kwargs: object) -> dict[str, float]:
    """Run a command: wall seconds, CPU seconds, and the peak RSS and PSS in MiB of its whole process tree.

    The peaks are of the tree's summed RSS and PSS, sampled every 0.1 s: a tool
    that works in several processes is charged for all of them.
    """
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    peak = [0, 0]
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            rss, pss = tree_memory(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    running.clear()
    sampler.join()
    rss = max(peak[0] / 2**20, usage.ru_maxrss / 1024)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": rss, "pss": peak[1] / 2**20, "status": status}


SHARED = """redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no >/dev/null & redis=$!
sleep 0.5
workers=""
for n in $(seq {workers}); do
  {gongkai} worker --redis {url} --page-workers {page_workers} --once 2>/dev/null & workers="$workers $!"
done
"$@"; status=$?
wait $workers
kill $redis; wait $redis
exit $status
"""


def run_gongkai(
    base: str,
    work: Path,
    concurrency: int,
    recrawl: bool = True,
    page_workers: int | None = None,
    render: bool = True,
    workers: int = 0,
    content_checks: bool = True,
) -> tuple[dict[str, float], set[str], int]:
    """Run gongkai's crawl, doing all its work, with politeness limits lifted; then again, unless not ``recrawl``.

    ``page_workers`` None leaves the config's default; ``workers`` shares the run out through Redis to that many.
    """
    name = "gongkai-redis" if workers else "gongkai" if render else "gongkai-static"
    name = name if content_checks else "gongkai-noterms"
    config = work / name / "sites.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(
        f"crawl: {{concurrency_per_site: {concurrency}, obey_robots: false,"
        + (f" page_workers: {page_workers}," if page_workers else "")
        + f" adaptive_delay: false, max_pages_per_site: 10000000, max_depth: 50, render: {str(render).lower()},"
        + f" content_checks: {str(content_checks).lower()}}}\n"
        f"departments:\n  - {{id: bench, name: 测试局, site: '{base}'}}\n",
        encoding="utf-8",
    )
    db = config.parent / "g.db"
    command = [str(BIN / "gongkai"), "crawl", "-c", str(config), "--db", str(db), "--as-of", "2026-11-22"]
    if workers:
        port = free_port()
        url = f"redis://127.0.0.1:{port}/0"
        shared = SHARED.format(
            port=port, url=url, workers=workers, page_workers=page_workers or 1, gongkai=BIN / "gongkai"
        )
        command = ["bash", "-c", shared, "shared", *command, "--redis", url]
    result = timed(command)
    if result["status"] != 0:
        raise SystemExit(f"gongkai crawl failed (exit status {result['status']})")
    again = timed(command) if recrawl else None  # the site has not changed: the incremental re-crawl
    with sqlite3.connect(db) as conn:
        query = "select url from problems where type = 'broken_link' and run_id = ?"
        found = {urlsplit(u).path for (u,) in conn.execute(query, [1])}
        pages = conn.execute("select count(*) from pages where status is not null and run_id = 1").fetchone()[0]
        transferred = dict(conn.execute("select id, bytes from runs").fetchall())
        result["rendered"] = conn.execute("select count(*) from pages where reading = 'rendered'").fetchone()[0]
        refound = {urlsplit(u).path for (u,) in conn.execute(query, [2])}
    if again is not None:
        result["again"] = {**again, "bytes": transferred[2], "first_bytes": transferred[1], "same": refound == found}
    return result, {unquote(p) for p in found}, pages


def run_scrapy(base: str, work: Path, concurrency: int) -> tuple[dict[str, float], set[str], int]:
    """The plain Scrapy spider."""
    out = work / "scrapy.json"
    here = Path(__file__).resolve().parent
    result = timed([sys.executable, str(here / "plain_spider.py"), base, str(out), str(concurrency)])
    data = json.loads(out.read_text(encoding="utf-8"))
    return result, {unquote(urlsplit(u).path) for u in data["broken"]}, data["responses"]


def run_linkchecker(base: str, work: Path, concurrency: int) -> tuple[dict[str, float], set[str], int]:
    """Run linkchecker from PyPI, tuned: the same threads, no rate limit."""
    rc = work / "linkcheckerrc"
    rc.write_text(
        f"[checking]\nthreads={concurrency}\nmaxrequestspersecond=10000\n[filtering]\ncheckextern=0\n", encoding="utf-8"
    )
    out = work / "linkchecker.csv"
    result = timed(
        [str(BIN / "linkchecker"), "-f", str(rc), "--no-status", "--no-robots", "-F", f"csv/utf-8/{out}", base]
    )
    found, pages = set(), 0
    if not out.exists():
        raise SystemExit(f"linkchecker wrote no report (exit status {result['status']})")
    with out.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    for row in csv.DictReader(rows, delimiter=";"):
        pages += 1
        if row.get("valid") == "False":
            found.add(unquote(urlsplit(row["url"]).path))
    return result, found, pages


TOOLS = {"gongkai": run_gongkai, "scrapy": run_scrapy, "linkchecker": run_linkchecker}


def main() -> None:
    """Build the site, serve it, run the tools, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--tools", default="gongkai,scrapy,linkchecker")
    parser.add_argument("--once", action="store_true", help="skip gongkai's re-crawl of the unchanged site")
    parser.add_argument("--page-workers", type=int, help="gongkai's page spiders (default: the config's default)")
    parser.add_argument("--shape", choices=["dense", "sparse"], default="dense", help="the site's links per page")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    work.chmod(0o777)  # linkchecker run as root drops to nobody, which must write its report here
    root = work / "site"
    broken = generate(root, args.pages, shape=args.shape)
    html_pages = sum(1 for _ in root.rglob("*.html"))
    port = free_port()
    (work / "nginx.conf").write_text(NGINX_CONF.format(prefix=work, port=port, root=root), encoding="utf-8")
    nginx = subprocess.Popen(["nginx", "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    time.sleep(1)
    base = f"http://127.0.0.1:{port}/"
    results = {}
    try:
        for name in args.tools.split(","):
            tool = (
                partial(
                    run_gongkai,
                    recrawl=not args.once,
                    page_workers=args.page_workers,
                    render=name == "gongkai",
                    workers=2 if name == "gongkai-redis" else 0,
                    content_checks=name != "gongkai-noterms",
                )
                if name.startswith("gongkai")
                else TOOLS[name]
            )
            usage, found, fetched = tool(base, work, args.concurrency)
            results[name] = {**usage, "found": len(found & broken), "invented": len(found - broken), "fetched": fetched}
    finally:
        nginx.terminate()
        nginx.wait()
    shape = f"site ({args.shape}): {html_pages} HTML pages, {len(broken)} broken links planted"
    print(f"{shape}; concurrency {args.concurrency}")
    print("| tool | wall s | pages/s | CPU s | peak RSS MiB | peak PSS MiB | broken found / planted | invented |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['wall']:.1f} | {html_pages / r['wall']:.0f} | {r['cpu']:.1f} | {r['rss']:.0f} "
            f"| {r['pss']:.0f} | {r['found']} / {len(broken)} | {r['invented']} |"
        )
    if "gongkai" in results:
        print(f"gongkai pages rendered in Chromium: {results['gongkai']['rendered']}")
        for other in ("gongkai-static", "scrapy", "linkchecker"):
            if other in results:
                print(f"gongkai / {other} pages/s: {results[other]['wall'] / results['gongkai']['wall']:.2f}")
    for mine in ("gongkai-static", "gongkai-redis"):
        if mine in results and "scrapy" in results:
            print(f"{mine} / scrapy pages/s: {results['scrapy']['wall'] / results[mine]['wall']:.2f}")
    if "gongkai-static" in results and "gongkai-noterms" in results:
        ratio = results["gongkai-noterms"]["wall"] / results["gongkai-static"]["wall"]
        print(f"content check: gongkai-static / gongkai-noterms pages/s: {ratio:.2f}")
    if "again" in results.get("gongkai", {}):
        again = results["gongkai"]["again"]
        print(
            f"gongkai re-crawl of the unchanged site: {again['wall']:.1f} s wall, {again['cpu']:.1f} CPU s, "
            f"{again['bytes'] / 2**20:.1f} MiB received against {again['first_bytes'] / 2**20:.1f} MiB "
            f"({100 * again['bytes'] / again['first_bytes']:.1f}%); "
            f"same broken links: {'yes' if again['same'] else 'NO'}"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Load from outside: many clients POST /api/ask at once on loopback for a fixed time, each in a bounded loop.

Every answer is checked against the answer the server gave to the same question when asked alone, so an answer
handed to the wrong client (or computed from another client's question) counts as mixed. The server's memory is
sampled while the load runs (the serving process and its answering processes, from /proc)."""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import AssistantError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentiles(values: list[float]) -> dict[str, float | None]:
    """Median and 95th percentile (nearest rank)."""
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    ordered = sorted(values)
    middle = len(ordered) // 2
    p50 = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"p50": p50, "p95": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))], "n": len(ordered)}


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    """Resident (or, with VmHWM, peak resident) memory of one process in MB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Server:
    """A `serve` process started for a measurement."""

    process: subprocess.Popen
    url: str
    ready_seconds: float

    @property
    def pids(self) -> list[int]:
        return process_tree(self.process.pid)


@contextmanager
def running_server(index: Path, workers: int, timeout: float = 180) -> Iterator[Server]:
    """Start `policy-assistant serve` on a free loopback port; yields once /api/health answers 200."""
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--index", str(index),
         "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if request(url, "GET", "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                raise AssistantError(f"serve exited before it was ready: {process.stderr.read()[-500:]}")
            if time.monotonic() > deadline:
                raise AssistantError(f"serve was not ready within {timeout:.0f} s")
            time.sleep(0.05)
        yield Server(process, url, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def server_address(url: str) -> str:
    """A server's address as `http://host:port` (what `request` takes), or a ConfigError that shows the form."""
    from urllib.parse import urlsplit

    from .errors import ConfigError

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme != "http" or not parts.hostname or port is None:
        raise ConfigError(f"--url {url!r} is not a server address; give it as http://HOST:PORT, "
                          "e.g. --url http://127.0.0.1:7860")
    return f"http://{parts.hostname}:{port}"


def request(url: str, method: str, path: str, body: dict | None = None,
            connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    """One HTTP request (on `connection` if given, kept alive); returns (status, body)."""
    own = connection is None
    if own:
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload else {}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


def signature(answer: dict) -> tuple:
    """What must be identical between two answers to the same question (not their timings)."""
    return (answer.get("question"), answer.get("language"), answer.get("answer"),
            tuple(c.get("chunk_id") for c in answer.get("citations", [])))


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mixed: int = 0
    requests: int = 0


def run_load(url: str, questions: list[str], clients: int, seconds: float, per_client: int,
             pids: list[int] | None = None) -> dict:
    """`clients` threads, each sending up to `per_client` questions (round robin from its own offset) until
    `seconds` have passed; every answer compared with the reference answer to its question."""
    reference: dict[str, tuple] = {}
    for question in dict.fromkeys(questions):  # each distinct question once, alone
        try:
            status, body = request(url, "POST", "/api/ask", {"question": question})
        except (OSError, http.client.HTTPException) as exc:
            reason = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).lower()
            raise AssistantError(f"cannot reach the server at {url}: {reason}. Start one with: policy-assistant "
                                 "serve, or give the address it serves on with --url http://HOST:PORT.") from None
        if status != 200:
            raise AssistantError(f"the server refused a reference question ({status}): {body[:200]!r}")
        reference[question] = signature(json.loads(body))
    results = [LoadResult() for _ in range(clients)]
    memory: list[tuple[float, float]] = []
    stop = threading.Event()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        result = results[number]
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        try:
            for i in range(per_client):
                if time.monotonic() >= deadline:
                    break
                question = questions[(number * 7 + i) % len(questions)]
                started = time.perf_counter()
                try:
                    status, body = request(url, "POST", "/api/ask", {"question": question}, connection)
                except (OSError, http.client.HTTPException) as exc:
                    result.errors.append(f"{type(exc).__name__}: {exc}")
                    connection.close()
                    connection = http.client.HTTPConnection(host, int(port), timeout=120)
                    continue
                result.requests += 1
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    result.errors.append(f"HTTP {status}: {body[:120]!r}")
                elif signature(json.loads(body)) != reference[question]:
                    result.mixed += 1
        finally:
            connection.close()

    def sample() -> None:
        begun = time.monotonic()
        while not stop.wait(1.0):
            memory.append((time.monotonic() - begun, sum(rss_mb(p) for p in process_tree_of(pids))))

    def process_tree_of(roots: list[int] | None) -> list[int]:
        return [p for root in roots or [] for p in process_tree(root)]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    latencies = [ms for r in results for ms in r.latencies_ms]
    errors = [e for r in results for e in r.errors]
    done = sum(r.requests for r in results)
    report = {
        "clients": clients, "seconds": wall, "requests": done, "errors": len(errors), "error_examples": errors[:5],
        "mixed": sum(r.mixed for r in results), "distinct_questions": len(reference),
        "latency_ms": percentiles(latencies), "throughput_rps": done / wall if wall else 0.0,
    }
    if memory:
        steady = [mb for t, mb in memory if t >= min(5.0, wall / 3)] or [mb for _, mb in memory]
        report["server_rss_mb"] = {"first": memory[0][1], "last": memory[-1][1], "max": max(mb for _, mb in memory),
                                   "growth_after_warmup": steady[-1] - steady[0],
                                   "processes": len(process_tree_of(pids))}
    return report

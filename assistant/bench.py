"""Benchmarks: latency, cold start, memory, build throughput, baseline side by side, FAISS at scale."""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .evaluation import gold_rank
from .pipeline import Engine, ask_with_hits, understand
from .retrieve import retrieve
from .types import Hit, TestItem

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BenchPlan:
    """How much to measure; `quick()` is the tiny run the tests use."""

    trials: int = 3
    cold_runs: int = 3
    serve_requests: int = 60
    concurrency: int = 20
    scale_sizes: tuple[int, ...] = (10_000, 100_000)
    scale_queries: int = 200
    dim: int = 512

    @classmethod
    def quick(cls) -> "BenchPlan":
        return cls(trials=1, cold_runs=1, serve_requests=4, concurrency=2,
                   scale_sizes=(1_000,), scale_queries=20, dim=64)


def percentiles(values: list[float]) -> dict[str, float | None]:
    """Median and 95th percentile."""
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50": statistics.median(ordered), "p95": p95, "n": len(ordered)}


def machine() -> dict:
    """Where the figures were measured."""
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "platform": platform.platform()}


def bench_ask_warm(engine: Engine, items: list[TestItem], trials: int) -> dict:
    """In-process `ask` over the test set, `trials` times: per-stage p50/p95 of timings_ms."""
    stages: dict[str, list[float]] = {}
    for _ in range(trials):
        for item in items:
            answer, _ = ask_with_hits(engine, item.question, item.lang)
            for stage, ms in answer.timings_ms.items():
                stages.setdefault(stage, []).append(ms)
    return {stage: percentiles(values) for stage, values in stages.items()}


def _retrieval_scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "hit@1": sum(r == 1 for r in ranks) / n,
        "hit@5": sum(r is not None and r <= 5 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }


def bench_baseline(engine: Engine, items: list[TestItem]) -> dict:
    """Ours (hybrid + rerank + verified answer) against plain llama-index top-k, same embedder and corpus."""
    from .baseline import PlainRetriever

    gold_items = [i for i in items if i.answerable and i.gold]
    plain = PlainRetriever(engine.store.chunks, engine.embedder, k=5)
    ours_ranks, plain_ranks, ours_ms, ours_retrieve_ms, plain_ms = [], [], [], [], []
    for item in gold_items:
        started = time.perf_counter()
        _, hits = ask_with_hits(engine, item.question, item.lang)
        ours_ms.append((time.perf_counter() - started) * 1000)
        ours_ranks.append(gold_rank(hits, item.gold))
        started = time.perf_counter()
        question = understand(engine, item.question, item.lang)
        retrieve(question, engine.store, engine.settings.retrieve, engine.selector.ranker, idf=engine.idf)
        ours_retrieve_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        chunks = plain.retrieve(item.question)
        plain_ms.append((time.perf_counter() - started) * 1000)
        plain_ranks.append(gold_rank([Hit(chunk=c, score=0.0) for c in chunks], item.gold))
    ours = {**_retrieval_scores(ours_ranks), "latency_ms": percentiles(ours_ms),
            "retrieval_only_latency_ms": percentiles(ours_retrieve_ms)}
    base = {**_retrieval_scores(plain_ranks), "latency_ms": percentiles(plain_ms)}
    ratio = lambda a, b: None if not b else a / b  # noqa: E731
    return {
        "questions": len(gold_items),
        "ours": ours,
        "plain_llama_index": base,
        "ratio_hit@1": ratio(ours["hit@1"], base["hit@1"]),
        "ratio_mrr": ratio(ours["mrr"], base["mrr"]),
        "ratio_latency_p50": ratio(ours["latency_ms"]["p50"], base["latency_ms"]["p50"]),
        "ratio_retrieval_latency_p50": ratio(ours["retrieval_only_latency_ms"]["p50"], base["latency_ms"]["p50"]),
        "note": "latency_ms of ours is the whole ask (retrieve, rerank, answer, verify); retrieval_only_latency_ms "
                "is hybrid search + rerank alone, like for like with plain top-k",
    }


def _run_measured(argv: list[str], env: dict) -> tuple[float, float, str]:
    """Run a command; returns (wall seconds, peak RSS MB, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, out


def bench_cold_start(index: Path, question: str, runs: int) -> dict:
    """Process start to first answer: `python -m assistant ask --json`, timed and its peak RSS."""
    argv = [sys.executable, "-m", "assistant", "ask", question, "--json", "--index", str(index)]
    walls, rss = [], []
    for _ in range(runs):
        wall, peak, out = _run_measured(argv, dict(os.environ))
        if '"answer"' not in out:
            raise RuntimeError(f"cold-start ask failed: {out[:200]!r}")
        walls.append(wall)
        rss.append(peak)
    return {"seconds": percentiles(walls), "peak_rss_mb": max(rss), "question": question}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_serve(index: Path, questions: list[str], requests: int, concurrency: int) -> dict:
    """Start `serve`, then POST /api/ask from `concurrency` clients at once: latency, throughput, peak RSS."""
    import httpx

    port = _free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--index", str(index)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("serve did not become healthy within 120 s")
            time.sleep(0.2)
        ready = time.perf_counter() - started

        def one(i: int) -> tuple[float, bool]:
            question = questions[i % len(questions)]
            t = time.perf_counter()
            response = httpx.post(base + "/api/ask", json={"question": question}, timeout=120)
            ok = response.status_code == 200 and response.json()["question"] == question
            return (time.perf_counter() - t) * 1000, ok

        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(one, range(requests)))
        wall = time.perf_counter() - wall
        return {
            "ready_seconds": ready,
            "concurrency": concurrency,
            "requests": requests,
            "all_matched": all(ok for _, ok in results),
            "latency_ms": percentiles([ms for ms, _ in results]),
            "throughput_rps": requests / wall,
            "peak_rss_mb": _peak_rss_mb(process.pid),
        }
    finally:
        process.terminate()
        process.wait(timeout=30)


def bench_readers(corpus: Path) -> dict:
    """Reading and splitting every file of a corpus (no embedding): time per format, passages per second."""
    from .errors import UnreadableDocumentError
    from .load import discover, read_corpus_document
    from .split import split_documents, token_counter

    count = token_counter()
    by_format: dict[str, dict] = {}
    documents = []
    started = time.perf_counter()
    listing = discover(corpus)
    for document in listing.documents:
        t = time.perf_counter()
        try:
            document, reading = read_corpus_document(document)
        except UnreadableDocumentError:
            continue
        row = by_format.setdefault(document.format, {"files": 0, "seconds": 0.0, "bytes": 0, "max_seconds": 0.0})
        elapsed = time.perf_counter() - t
        row["files"] += 1
        row["seconds"] += elapsed
        row["bytes"] += Path(document.source).stat().st_size
        row["max_seconds"] = max(row["max_seconds"], elapsed)
        documents.append(document)
    read_seconds = time.perf_counter() - started
    t = time.perf_counter()
    passages = len(split_documents(documents, count))
    split_seconds = time.perf_counter() - t
    total = read_seconds + split_seconds
    return {"corpus": str(corpus), "documents": len(documents), "passages": passages, "read_seconds": read_seconds,
            "split_seconds": split_seconds, "passages_per_second": passages / total if total else None,
            "by_format": by_format}


def _visible(text: str) -> int:
    return sum(not ch.isspace() for ch in text)


def _alternative_text(path: Path) -> tuple[str, str]:
    """(library, text) of the flat extraction we measured our readers against."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pypdf

        return "pypdf", "".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages)
    if suffix in (".hwp", ".hwpx"):
        from hwp_hwpx_parser import Reader

        with Reader(path) as reader:
            return "hwp-hwpx-parser", reader.text
    if suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "python-docx (flat)", "\n".join([p.text for p in document.paragraphs] + cells)
    if suffix in (".html", ".htm"):
        from bs4 import BeautifulSoup

        return "BeautifulSoup get_text", BeautifulSoup(path.read_bytes(), "lxml").get_text(" ")
    return "raw file", path.read_text(encoding="utf-8", errors="replace")


def compare_readers(corpus: Path) -> dict:
    """Our readers against flat extraction by the format's usual library, file by file: visible characters,
    headings and table rows found, seconds. Needs the `baseline` extra (pypdf, hwp-hwpx-parser)."""
    from .errors import UnreadableDocumentError
    from .load import discover, read_corpus_document
    from .types import BlockKind

    rows = []
    for document in discover(corpus).documents:
        path = Path(document.source)
        t = time.perf_counter()
        try:
            _, reading = read_corpus_document(document)
            ours = {"chars": sum(_visible(b.text) for b in reading.blocks), "seconds": time.perf_counter() - t,
                    "headings": sum(b.kind is BlockKind.HEADING for b in reading.blocks),
                    "table_rows": sum(b.kind is BlockKind.TABLE_ROW for b in reading.blocks),
                    "notes": sum(b.kind in (BlockKind.FOOTNOTE, BlockKind.MEMO) for b in reading.blocks)}
        except UnreadableDocumentError as exc:
            ours = {"chars": 0, "seconds": time.perf_counter() - t, "error": exc.reason}
        t = time.perf_counter()
        try:
            library, text = _alternative_text(path)
            alternative = {"library": library, "chars": _visible(text), "seconds": time.perf_counter() - t}
        except Exception as exc:  # the other library's own failure is a finding, not a crash of the bench
            alternative = {"library": "", "chars": 0, "seconds": time.perf_counter() - t, "error": str(exc)[:200]}
        rows.append({"doc_id": document.doc_id, "format": document.format, "ours": ours, "alternative": alternative})
    return {"corpus": str(corpus), "files": rows}


def bench_build(engine: Engine, corpus: Path) -> dict:
    """A whole index build of a corpus (read, split, embed with both models, keyword index), then a rebuild when
    nothing changed."""
    from .index import build_index
    from .load import discover

    listing = discover(corpus)
    with tempfile.TemporaryDirectory() as folder:
        name = engine.settings.keyword.korean
        first = build_index(listing, Path(folder), engine.embedder, engine.second, engine.analyzer, name)
        again = build_index(listing, Path(folder), engine.embedder, engine.second, engine.analyzer, name)
    return {
        "corpus": str(corpus),
        "documents": first.documents,
        "skipped": [s.line() for s in first.skipped],
        "passages": first.passages,
        "build_seconds": first.seconds,
        "passages_per_second": first.passages / first.seconds,
        "no_change_rebuild_seconds": again.seconds,
        "no_change_reembedded": again.embedded,
        "models": [engine.embedder.name] + ([engine.second.name] if engine.second else []),
    }


def clustered_vectors(n: int, dim: int, seed: int, clusters: int | None = None) -> np.ndarray:
    """Deterministic unit vectors around many centres: real embeddings cluster, uniform noise does not (on
    which every neighbour is a near-tie and no approximate index can do well)."""
    rng = np.random.default_rng(seed)
    clusters = clusters or max(64, n // 100)
    centres = np.random.default_rng(0).standard_normal((clusters, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, clusters, n)] + 0.35 * rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _search_all(index, probes: np.ndarray) -> tuple[np.ndarray, list[float]]:
    latencies, found = [], []
    for q in probes:  # one query at a time, as a user would send them
        t = time.perf_counter()
        _, ids = index.search(q[None, :], 10)
        latencies.append((time.perf_counter() - t) * 1000)
        found.append(ids[0])
    return np.array(found), latencies


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth)]))


def bench_scale(n: int, queries: int, dim: int, ef_search: tuple[int, ...] = (16, 64, 256)) -> dict:
    """FAISS exact (IndexFlatIP) against HNSW (M=32) on n synthetic passages: build time, memory, single-query
    latency, recall@10 against exact, at several efSearch settings."""
    import faiss

    data = clustered_vectors(n, dim, seed=1)
    probes = clustered_vectors(queries, dim, seed=2, clusters=max(64, n // 100))
    exact = faiss.IndexFlatIP(dim)
    started = time.perf_counter()
    exact.add(data)
    exact_build = time.perf_counter() - started
    truth, exact_ms = _search_all(exact, probes)
    hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    started = time.perf_counter()
    hnsw.add(data)
    hnsw_build = time.perf_counter() - started
    result = {
        "passages": n, "dim": dim, "queries": queries,
        "exact_flat": {"build_seconds": exact_build, "memory_mb": len(faiss.serialize_index(exact)) / 2**20,
                       "query_ms": percentiles(exact_ms), "recall@10": 1.0},
        "hnsw_m32": {"build_seconds": hnsw_build, "memory_mb": len(faiss.serialize_index(hnsw)) / 2**20, "by_ef_search": {}},
    }
    for ef in ef_search:
        hnsw.hnsw.efSearch = ef
        found, ms = _search_all(hnsw, probes)
        result["hnsw_m32"]["by_ef_search"][str(ef)] = {"query_ms": percentiles(ms), "recall@10": _recall(found, truth)}
    middle = result["hnsw_m32"]["by_ef_search"][str(ef_search[len(ef_search) // 2])]
    result["hnsw_m32"].update(middle)  # the middle setting is the headline figure
    result["ratio_query_p50_exact_over_hnsw"] = result["exact_flat"]["query_ms"]["p50"] / middle["query_ms"]["p50"]
    return result


def run_bench(engine: Engine, index: Path, items: list[TestItem], corpus: Path, plan: BenchPlan,
              progress: Progress | None = None) -> dict:
    """Every measurement in one run, so the ratios compare figures taken side by side."""
    progress = progress or (lambda stage, done, total: None)
    steps = ["ask warm", "baseline", "cold start", "serve", "readers", "index build",
             *[f"scale {n}" for n in plan.scale_sizes]]
    report: dict = {"machine": machine(), "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "plan": plan.__dict__}
    done = 0

    def step(name: str) -> None:
        nonlocal done
        progress(f"bench: {name}", done, len(steps))
        done += 1

    step("ask warm")
    report["ask_warm_ms"] = bench_ask_warm(engine, items, plan.trials)
    step("baseline")
    report["baseline"] = bench_baseline(engine, items)
    step("cold start")
    first = next(i.question for i in items if i.answerable)
    report["cold_start"] = bench_cold_start(index, first, plan.cold_runs)
    step("serve")
    report["serve"] = bench_serve(index, [i.question for i in items], plan.serve_requests, plan.concurrency)
    step("readers")
    report["readers"] = bench_readers(corpus)
    try:
        report["readers_compared"] = compare_readers(corpus)
    except ImportError as exc:
        report["readers_compared"] = {"skipped": f"{exc}; install the comparison libraries with: "
                                                 ".venv/bin/pip install -e '.[baseline]'"}
    step("index build")
    report["index_build"] = bench_build(engine, corpus)
    report["scale"] = []
    for n in plan.scale_sizes:
        step(f"scale {n}")
        report["scale"].append(bench_scale(n, plan.scale_queries, plan.dim))
    progress("bench: done", len(steps), len(steps))
    return report

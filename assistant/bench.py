"""Benchmarks: latency, cold start, memory, build throughput, baseline side by side, FAISS at scale."""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from .evaluation import evidence_rank
from .pipeline import Engine, ask_with_hits, understand
from .retrieve import retrieve
from .types import Hit, TestItem

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BenchPlan:
    """How much to measure; `quick()` is the tiny run the tests use."""

    trials: int = 3
    cold_runs: int = 3
    clients: int = 50
    load_seconds: float = 30
    workers: tuple[int, ...] = (1, 2)
    scale_sizes: tuple[int, ...] = (10_000, 100_000)
    scale_queries: int = 200
    dim: int = 512
    end_to_end_passages: int = 100_000
    end_to_end_questions: int = 60
    build_documents: int = 0  # the index build reads this many of the corpus's documents (the smallest); 0: all

    @classmethod
    def quick(cls) -> "BenchPlan":
        return cls(trials=1, cold_runs=1, clients=3, load_seconds=2, workers=(1, 2),
                   scale_sizes=(1_000,), scale_queries=20, dim=64, end_to_end_passages=60, end_to_end_questions=3,
                   build_documents=2)


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

    gold_items = [i for i in items if i.answerable and (i.gold or (i.doc and i.expected_facts))]
    plain = PlainRetriever(engine.store.chunks, engine.embedder, k=5)
    ours_ranks, plain_ranks, ours_ms, ours_retrieve_ms, plain_ms = [], [], [], [], []
    for item in gold_items:
        started = time.perf_counter()
        _, hits = ask_with_hits(engine, item.question, item.lang)
        ours_ms.append((time.perf_counter() - started) * 1000)
        ours_ranks.append(evidence_rank(hits, item))
        started = time.perf_counter()
        question = understand(engine, item.question, item.lang)
        retrieve(question, engine.store, engine.settings.retrieve, engine.selector.ranker, idf=engine.idf,
                 cues=engine.cues)
        ours_retrieve_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        chunks = plain.retrieve(item.question)
        plain_ms.append((time.perf_counter() - started) * 1000)
        plain_ranks.append(evidence_rank([Hit(chunk=c, score=0.0) for c in chunks], item))
    ours = {**_retrieval_scores(ours_ranks), "latency_ms": percentiles(ours_ms),
            "retrieval_only_latency_ms": percentiles(ours_retrieve_ms)}
    base = {**_retrieval_scores(plain_ranks), "latency_ms": percentiles(plain_ms)}
    ratio = lambda a, b: None if not b else a / b  # noqa: E731
    return {
        "questions": len(gold_items),
        "relevant": "a gold passage where the item names them, else a passage of its document holding every "
                    "expected fact",
        "ours": ours,
        "plain_llama_index": base,
        "ratio_hit@1": ratio(ours["hit@1"], base["hit@1"]),
        "ratio_mrr": ratio(ours["mrr"], base["mrr"]),
        "ratio_latency_p50": ratio(ours["latency_ms"]["p50"], base["latency_ms"]["p50"]),
        "ratio_retrieval_latency_p50": ratio(ours["retrieval_only_latency_ms"]["p50"], base["latency_ms"]["p50"]),
        "note": "latency_ms of ours is the whole ask (retrieve, rerank, answer, verify); retrieval_only_latency_ms "
                "is hybrid search + rerank alone, like for like with plain top-k",
    }


# Runs a command from a small process and reports its wall time and peak RSS. A child forked straight from the
# bench (hundreds of MB with its engine loaded) would inherit the bench's size in its ru_maxrss: Linux carries the
# old address space's high-water mark across fork and exec.
_MEASURE = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{time.perf_counter() - started} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run_measured(argv: list[str], env: dict, show_progress: bool = False) -> tuple[float, float, str]:
    """Run a command; returns (wall seconds, peak RSS MB, stdout). Its stderr (progress) is shown or dropped."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "measured"
        process = subprocess.run([sys.executable, "-S", "-c", _MEASURE, str(report), *argv], stdout=subprocess.PIPE,
                                 stderr=None if show_progress else subprocess.DEVNULL, env=env, text=True)
        wall, peak_kb = report.read_text().split()
    return float(wall), int(peak_kb) / 1024, process.stdout


def bench_cold_start(index: Path, question: str, runs: int, env: dict | None = None) -> dict:
    """Process start to first answer: `python -m assistant ask --json`, timed and its peak RSS."""
    argv = [sys.executable, "-m", "assistant", "ask", question, "--json", "--index", str(index)]
    walls, rss = [], []
    for _ in range(runs):
        wall, peak, out = _run_measured(argv, {**os.environ, **(env or {})})
        if '"answer"' not in out:
            raise RuntimeError(f"cold-start ask failed: {out[:200]!r}")
        walls.append(wall)
        rss.append(peak)
    return {"seconds": percentiles(walls), "peak_rss_mb": max(rss), "question": question}


def bench_serve(index: Path, questions: list[str], clients: int, seconds: float, workers: tuple[int, ...]) -> dict:
    """Start `serve` once per worker count and load it from `clients` clients for `seconds` (see loadtest):
    readiness, latency, throughput, answers checked, peak RSS of each serving and answering process."""
    from .loadtest import rss_mb, run_load, running_server

    runs = {}
    for count in workers:
        with running_server(index, count) as server:
            result = run_load(server.url, questions, clients, seconds, per_client=10_000, pids=[server.process.pid])
            peaks = [rss_mb(pid, "VmHWM") for pid in server.pids]
            runs[str(count)] = {"ready_seconds": server.ready_seconds, **result,
                                "peak_rss_mb_per_process": max(peaks), "processes": len(peaks)}
    first, last = runs[str(workers[0])], runs[str(workers[-1])]
    return {
        "by_workers": runs,
        "ready_seconds": first["ready_seconds"],
        "peak_rss_mb": max(r["peak_rss_mb_per_process"] for r in runs.values()),
        "all_matched": all(r["mixed"] == 0 and r["errors"] == 0 for r in runs.values()),
        "throughput_ratio_most_over_one_worker": last["throughput_rps"] / first["throughput_rps"]
        if first["throughput_rps"] else None,
    }


def bench_scale_end_to_end(engine: Engine, index: Path, questions: list[str], target: int) -> dict:
    """~`target` passages made from the index's own (see assistant.scale): build time and peak memory of the
    build (its own process), then `ask` p50/p95 over them, unfiltered and filtered to one document, and the peak
    memory of a CLI `ask` on that index."""
    from .index import load_index

    with tempfile.TemporaryDirectory() as folder:
        argv = [sys.executable, "-m", "assistant.scale", "build", str(index), folder, str(target)]
        wall, peak, out = _run_measured(argv, dict(os.environ), show_progress=True)
        try:
            built = json.loads(out.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError) as exc:
            raise RuntimeError(f"the scale build failed: {out[-300:]!r}") from exc
        big = Path(folder) / "index"
        store = load_index(big, engine.settings.vectors.ef_search)
        # The synthetic passages have no sentence-model vectors (their features are left neutral); the question
        # is still embedded by the sentence model, so its cost is in the latency.
        scaled = Engine(engine.settings, store, engine.embedder, engine.second, engine.analyzer,
                        selector=engine.selector, sentence_model=engine.sentence_model)
        one_doc = {store.chunks[0].doc_id}
        plain, filtered = [], []
        for question in questions:
            started = time.perf_counter()
            ask_with_hits(scaled, question)
            plain.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            ask_with_hits(scaled, question, doc_ids=one_doc)
            filtered.append((time.perf_counter() - started) * 1000)
        cold = bench_cold_start(big, questions[0], 1, {"POLICY_ASSISTANT_EMBED__SENTENCE_MODEL": ""})
        return {
            **built, "build_wall_seconds": wall, "build_peak_rss_mb": peak,
            "vector_search": store.manifest.get("vector_search"),
            "index_mb": sum(f.stat().st_size for f in store.path.rglob("*") if f.is_file()) / 2**20,
            "ask_ms": percentiles(plain), "ask_one_document_ms": percentiles(filtered),
            "cli_ask_seconds": cold["seconds"]["p50"], "cli_ask_peak_rss_mb": cold["peak_rss_mb"],
            "sentence_model": "off for the synthetic passages (the CLI ask runs without it)",
        }


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


def bench_build(engine: Engine, corpus: Path, documents: int = 0) -> dict:
    """A whole index build of a corpus (read, split, embed with every model the settings name, keyword index),
    then a rebuild when nothing changed."""
    from .index import build_index
    from .load import discover

    listing = discover(corpus)
    if documents:  # the smallest originals (a translation needs its original)
        originals = sorted((d for d in listing.documents if d.translation_of is None), key=lambda d: Path(d.source).stat().st_size)
        listing = replace(listing, documents=tuple(originals[:documents]))
    with tempfile.TemporaryDirectory() as folder:
        name = engine.settings.keyword.korean
        first, again = (build_index(listing, Path(folder), engine.embedder, engine.second, engine.analyzer, name,
                                    sentence_model=engine.sentence_model) for _ in range(2))
    return {
        "corpus": str(corpus),
        "documents": first.documents,
        "skipped": [s.line() for s in first.skipped],
        "passages": first.passages,
        "build_seconds": first.seconds,
        "passages_per_second": first.passages / first.seconds,
        "no_change_rebuild_seconds": again.seconds,
        "no_change_reembedded": again.embedded,
        "models": [m.name for m in (engine.embedder, engine.second, engine.sentence_model) if m is not None],
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


# The figures issue #10 started from (2 cores, before this work): what each target is reported beside.
BEFORE = {
    "ask_warm_p50_ms": 69.0, "ask_warm_p95_ms": 150.0, "cli_ask_seconds": 4.4, "ask_peak_rss_mb": 780.0,
    "serve_peak_rss_mb": 748.0, "load_p50_ms": 2200.0, "load_p95_ms": 4200.0, "load_rps": 7.4,
}


def targets(report: dict) -> list[dict]:
    """One row per target of the performance issue: the limit, the figure measured now, the figure before, and
    the plain llama-index pipeline's where it has one."""
    rows = []

    def row(name: str, limit: float | None, measured, before=None, plain=None, higher_is_better: bool = False) -> None:
        met = None if measured is None or limit is None else (measured >= limit if higher_is_better else measured <= limit)
        rows.append({"target": name, "limit": limit, "measured": measured, "before": before, "plain_llama_index": plain,
                     "met": met})

    warm, base = report.get("ask_warm_ms", {}).get("total", {}), report.get("baseline", {})
    plain_ms = (base.get("plain_llama_index") or {}).get("latency_ms", {})
    row("warm ask p50 ms", 30, warm.get("p50"), BEFORE["ask_warm_p50_ms"], plain_ms.get("p50"))
    row("warm ask p95 ms", 80, warm.get("p95"), BEFORE["ask_warm_p95_ms"], plain_ms.get("p95"))
    cold = report.get("cold_start", {})
    row("CLI ask, process start to answer, s", 1.5, (cold.get("seconds") or {}).get("p50"), BEFORE["cli_ask_seconds"])
    row("peak RSS of CLI ask, MB", 400, cold.get("peak_rss_mb"), BEFORE["ask_peak_rss_mb"])
    serve = report.get("serve", {})
    if "by_workers" in serve:
        row("serve ready, s", 3, serve.get("ready_seconds"))
        row("peak RSS per serving process, MB", 450, serve.get("peak_rss_mb"), BEFORE["serve_peak_rss_mb"])
        runs = serve["by_workers"]
        most = runs[max(runs, key=int)]
        row(f"load: errors + mixed answers ({most['clients']} clients)", 0,
            sum(r["errors"] + r["mixed"] for r in runs.values()))
        row(f"load p50 ms ({max(runs, key=int)} workers)", None, most["latency_ms"]["p50"], BEFORE["load_p50_ms"])
        row(f"load p95 ms ({max(runs, key=int)} workers)", None, most["latency_ms"]["p95"], BEFORE["load_p95_ms"])
        row(f"load req/s ({max(runs, key=int)} workers)", 0, most["throughput_rps"], BEFORE["load_rps"], higher_is_better=True)
        row("load memory growth after warm-up, MB", 50, (most.get("server_rss_mb") or {}).get("growth_after_warmup"))
        row("throughput most workers / one", 1.7, serve.get("throughput_ratio_most_over_one_worker"),
            higher_is_better=True)
    big = report.get("scale_end_to_end", {})
    if "ask_ms" in big:
        row(f"ask p50 ms at {big['passages']} passages", 50, big["ask_ms"]["p50"])
        row(f"ask p50 ms at {big['passages']} passages, one document", 50, big["ask_one_document_ms"]["p50"])
    return rows


SECTIONS = ("ask_warm_ms", "baseline", "cold_start", "serve", "readers", "readers_compared", "index_build",
            "scale_end_to_end", "scale")


def run_bench(engine: Engine, index: Path, items: list[TestItem], corpus: Path, plan: BenchPlan,
              progress: Progress | None = None, sections: tuple[str, ...] | None = None) -> dict:
    """Every measurement in one run, so the ratios compare figures taken side by side. A section that needs an
    optional install is listed under `skipped` with the command that enables it."""
    progress = progress or (lambda stage, done, total: None)
    chosen = set(sections or SECTIONS)
    sections: list[tuple[str, Callable[[], object]]] = []
    questions = [i.question for i in items]
    first = next(i.question for i in items if i.answerable)
    sections.append(("ask_warm_ms", lambda: bench_ask_warm(engine, items, plan.trials)))
    sections.append(("baseline", lambda: bench_baseline(engine, items)))
    sections.append(("cold_start", lambda: bench_cold_start(index, first, plan.cold_runs)))
    sections.append(("serve", lambda: bench_serve(index, questions, plan.clients, plan.load_seconds, plan.workers)))
    sections.append(("readers", lambda: bench_readers(corpus)))
    sections.append(("readers_compared", lambda: compare_readers(corpus)))
    sections.append(("index_build", lambda: bench_build(engine, corpus, plan.build_documents)))
    sections.append(("scale_end_to_end", lambda: bench_scale_end_to_end(
        engine, index, questions[: plan.end_to_end_questions], plan.end_to_end_passages)))
    sections.append(("scale", lambda: [bench_scale(n, plan.scale_queries, plan.dim) for n in plan.scale_sizes]))
    sections = [(name, run) for name, run in sections if name in chosen]
    report: dict = {"machine": machine(), "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "plan": plan.__dict__, "skipped": {}}
    for done, (name, run) in enumerate(sections):
        progress(f"bench: {name}", done, len(sections))
        try:
            report[name] = run()
        except ImportError as exc:
            extra = "baseline" if name in ("baseline", "readers_compared") else "test"
            report["skipped"][name] = (f"needs {exc.name or exc}; enable it with: "
                                       f".venv/bin/pip install -e '.[{extra}]' -c requirements.lock")
    report["targets"] = targets(report)
    progress("bench: done", len(sections), len(sections))
    return report

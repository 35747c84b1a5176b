"""Command line: index, ask, serve, eval, bench. Only wires the library together."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from .errors import AssistantError

DEV_INDEX = "index-dev"  # where `make dev-index` builds the development corpus's index
# Profile fields that have a command-line flag of their own (--employees 30 --region Daegu …).
PROFILE_FLAGS = ("applicant_kind", "country", "region", "sector", "age", "employees", "annual_revenue", "company_age",
                 "income_share", "household_size", "disability", "farmer", "registered_business", "civil_servant",
                 "student", "citizen")


def _at_least(low: float, kind=int, high: float | None = None):
    """An argparse type: a number of `kind` from `low` (to `high`), or a usage error that names the bounds."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{text} is out of range: give a number {bounds}")
        return value
    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policy-assistant", description="Grounded answers over policy documents, in Italian, Korean and English.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or refresh the index (incremental, atomic)")
    p.add_argument("--corpus", type=Path, help="corpus folder with catalog.toml (default: corpus)")
    p.add_argument("--index", type=Path, help="index folder (default: index)")
    p.add_argument("--quiet", action="store_true", help="no progress output")

    p = sub.add_parser("catalog", help="list corpus files the catalog lacks; --write appends stubs for them")
    p.add_argument("--corpus", type=Path, help="corpus folder (default: corpus)")
    p.add_argument("--write", action="store_true", help="append the stubs to the corpus's catalog.toml")

    p = sub.add_parser("eligible", help="which programmes fit a profile, every condition cited")
    p.add_argument("--profile", type=Path, help="a profile as TOML or JSON (field = value)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--lang", default="en", help="language of labels: it, ko or en (default: en)")
    p.add_argument("--index", type=Path, help="index folder (default: index)")
    for name in PROFILE_FLAGS:
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, help=f"profile field {name}")

    p = sub.add_parser("programmes", help="programme records: draft them from a document")
    programmes = p.add_subparsers(dest="action", required=True)
    s = programmes.add_parser("suggest", help="draft a record (reviewed = false) from a document's eligibility sentences")
    s.add_argument("doc_id")
    s.add_argument("--index", type=Path, help="index folder (default: index)")
    s.add_argument("--corpus", type=Path, help="corpus folder; the draft goes to CORPUS/programmes/ (default: corpus)")
    s.add_argument("--out", type=Path, help="write the draft here instead")
    s.add_argument("--force", action="store_true", help="replace a draft already there (it may hold a reviewer's edits)")

    p = sub.add_parser("ask", help="answer a question with cited passages")
    p.add_argument("question")
    p.add_argument("--lang", default="auto", help="auto, it, ko or en (default: auto)")
    p.add_argument("--k", type=_at_least(1, int, 50), help="passages to retrieve, 1–50 (default: 5)")
    p.add_argument("--doc", action="append", help="search only this document id (repeatable)")
    p.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    p.add_argument("--explain", action="store_true",
                   help="also show why: the question as read, the passages, the candidate sentences the chooser "
                        "weighed, the pick's confidence against the threshold, and what refused (with --json: an "
                        "\"explain\" object)")
    p.add_argument("--index", type=Path, help="index folder (default: index)")

    p = sub.add_parser("eval", help="score a test set; writes report.json, report.md and plots")
    p.add_argument("testset", type=Path)
    p.add_argument("--out", type=Path, help="report folder (default: reports/<test set name>)")
    p.add_argument("--index", type=Path, help="index of the test set's corpus (default: index)")
    p.add_argument("--by-document", action="store_true",
                   help="held out by document: each document's questions answered by a selector fitted on the others")
    p.add_argument("--compare", type=Path, metavar="REPORT.json",
                   help="an earlier eval's report.json: print and report what changed, question by question")
    p.add_argument("--refit-spread", type=_at_least(1), metavar="N",
                   help="with --by-document: N more held-out runs, each fold fitted without a random 1 %% of its "
                        "questions, and the range of right and wrong answers they give (the refit noise)")
    p.add_argument("--quiet", action="store_true", help="no progress output")

    p = sub.add_parser("calibrate", help="train the answer selector on a question set (fixed seed)")
    p.add_argument("testset", type=Path)
    p.add_argument("--index", type=Path,
                   help="index of the question set's corpus, e.g. of ../shared/dev-corpus (default: index)")
    p.add_argument("--out", type=Path, help="selector file (default: the one inside the package)")
    p.add_argument("--also", action="append", metavar="FILE.jsonl[:INDEX]",
                   help="another question set to train on, asked against its own index (repeatable)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--wrong-cost", type=float, default=1.5,
                   help="what a wrong answer costs, a right one gaining 1 and a refusal 0 (default: 1.5)")
    p.add_argument("--quiet", action="store_true", help="no progress output")

    p = sub.add_parser("bench", help="latency, throughput, memory, baseline and scale, as JSON")
    p.add_argument("--out", type=Path, default=Path("bench.json"))
    p.add_argument("--testset", type=Path, default=Path("evals/seed-qa.jsonl"))
    p.add_argument("--index", type=Path, help="index folder (default: index)")
    p.add_argument("--build-corpus", type=Path, help="corpus to time reading and building on (default: the corpus)")
    p.add_argument("--quick", action="store_true", help="a tiny run (seconds), for checking the command")
    p.add_argument("--only", action="append", metavar="SECTION",
                   help="run only this section (repeatable): ask_warm_ms, baseline, cold_start, serve, readers, "
                        "readers_compared, index_build, scale_end_to_end, scale")
    p.add_argument("--quiet", action="store_true", help="no progress output")

    p = sub.add_parser("loadtest", help="many clients POST /api/ask at once for a fixed time; checks every answer")
    p.add_argument("--testset", type=Path, default=Path("evals/seed-qa.jsonl"), help="questions to send (.jsonl)")
    p.add_argument("--index", type=Path, help="index the started servers load (default: index)")
    p.add_argument("--url", help="load a server already running here instead of starting one")
    p.add_argument("--workers", type=_at_least(1), action="append",
                   help="start a server with this many answering processes (repeatable; default: 1 and one per core)")
    p.add_argument("--clients", type=_at_least(1), default=50)
    p.add_argument("--seconds", type=_at_least(0.1, float), default=60)
    p.add_argument("--per-client", type=_at_least(1), default=10_000, help="upper bound of each client's loop")
    p.add_argument("--out", type=Path, help="write the results as JSON here")

    p = sub.add_parser("serve", help="serve the chat on host:port")
    p.add_argument("--host")
    p.add_argument("--port", type=_at_least(1, int, 65535))
    p.add_argument("--index", type=Path, help="index folder (default: index)")
    p.add_argument("--workers", type=_at_least(1), help="answering processes (default: one per core; 1 answers in the "
                   "serving process)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 runtime failure, 2 bad usage or input)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return _COMMANDS[args.command](args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except OSError as exc:  # a path that is a file where a folder must be, no permission, a full disk…
        if not exc.filename:
            raise
        if isinstance(exc, (FileExistsError, NotADirectoryError)):
            problem = "it is a file where a folder is needed (or lies under one)"
        else:
            problem = (exc.strerror or str(exc)).lower()
        print(f"error: cannot use '{exc.filename}': {problem}. Give another path, or one you may write to.",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the previous index (if any) is unchanged.", file=sys.stderr)
        return 1


def _settings(args: argparse.Namespace, **extra):
    from .config import load_settings

    return load_settings(corpus=getattr(args, "corpus", None), index=getattr(args, "index", None), **extra)


def _index(args: argparse.Namespace) -> int:
    settings = _settings(args)
    report = _build(settings, args.quiet)
    for item in report.skipped:
        print(f"skipped: {item.line()}", file=sys.stderr)
    print(summary_table(report))
    print(_built_line(report, settings.index))
    return 0


def _build(settings, quiet: bool):
    """Build (or bring up to date: the build is incremental) the index of `settings.corpus` at `settings.index`."""
    from .embed import load_embedder, optional_embedder
    from .index import build_index
    from .load import discover
    from .progress import Reporter
    from .text import load_analyzer

    corpus = discover(settings.corpus)
    for warning in corpus.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    embedder = load_embedder(settings.embed.model, settings.embed.threads)
    second = optional_embedder(settings.embed.rerank_model, settings.embed.threads)
    sentences = optional_embedder(settings.embed.sentence_model, settings.embed.threads)
    with Reporter(enabled=not quiet) as reporter:
        return build_index(
            corpus, settings.index, embedder, second, load_analyzer(settings.keyword.korean),
            settings.keyword.korean, progress=reporter.update, batch_size=settings.embed.batch_size,
            vectors=settings.vectors, sentence_model=sentences,
        )


def _built_line(report, index: Path) -> str:
    state = "built" if report.changed else "unchanged"
    return (f"index {state}: {report.documents} documents, {report.passages} passages "
            f"({report.embedded} embedded, {report.reused} reused), {len(report.skipped)} skipped, in "
            f"{report.seconds:.1f} s → {index}")


def set_corpus(testset: Path) -> tuple[Path, Path] | None:
    """The corpus a question set asks about and the index kept of it, as its corpus file names them (FILE.toml
    beside FILE.jsonl: `corpus` and `index`, relative to that file); None when it has none."""
    import os
    import tomllib

    from .errors import ConfigError

    sidecar = testset.with_suffix(".toml")
    if not sidecar.is_file():
        return None
    try:
        data = tomllib.loads(sidecar.read_text(encoding="utf-8"))
        corpus, index = (Path(os.path.normpath(sidecar.parent / data[key])) for key in ("corpus", "index"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the corpus file '{sidecar}' of '{testset}' ({exc!r}): it needs "
                          'corpus = "FOLDER" and index = "FOLDER", relative to it; or pass --index.') from exc
    return corpus, index


def _set_index(testset: Path, given: Path | None, quiet: bool) -> tuple[Path | None, Path | None]:
    """The index a question set is asked against and the corpus it was built from: (--index, None) when --index is
    given; else the pair its corpus file names, the index built or brought up to date first (a no-op in a fraction
    of a second when nothing changed); else (None, None): the settings' index and corpus."""
    from .config import load_settings
    from .errors import ConfigError

    named = None if given is not None else set_corpus(testset)
    if named is None:
        return given, None
    corpus, index = named
    if not corpus.is_dir():
        raise ConfigError(f"'{testset.with_suffix('.toml')}' says the questions of '{testset}' ask about the "
                          f"documents in '{corpus}', which is not there. Put them there, or pass --index with an "
                          "index of them.")
    print(f"the index of '{corpus}' at '{index}' (named by '{testset.with_suffix('.toml')}'): checking it is up to "
          "date", file=sys.stderr)
    report = _build(load_settings(corpus=corpus, index=index), quiet)
    for item in report.skipped:
        print(f"skipped: {item.line()}", file=sys.stderr)
    print(_built_line(report, index), file=sys.stderr)
    return index, corpus


def summary_table(report) -> str:
    """The build summary: one row per document read, then what was skipped and why."""
    header = f"{'document':<52} {'format':<8} {'lang':<5} {'passages':>8} {'read s':>7}"
    lines = [header, "-" * len(header)]
    for row in sorted(report.rows, key=lambda r: r.doc_id):
        note = " (unchanged)" if row.reused else ""
        note += f" (OCR: pages {', '.join(map(str, row.ocr_pages))})" if row.ocr_pages else ""
        lines.append(f"{row.doc_id[:52]:<52} {row.format:<8} {row.language:<5} {row.passages:>8} "
                     f"{row.seconds:>7.2f}{note}")
    lines.append(f"{'total: ' + str(len(report.rows)) + ' documents':<67} {report.passages:>8}")
    if report.skipped:
        lines.append(f"skipped ({len(report.skipped)}):")
        lines.extend(f"  {item.line()}" for item in report.skipped)
    return "\n".join(lines)


def _catalog(args: argparse.Namespace) -> int:
    from .load import CATALOG, catalog_stub, discover, missing_from_catalog

    settings = _settings(args)
    stubs = missing_from_catalog(settings.corpus)
    for item in discover(settings.corpus).skipped:
        print(f"skipped: {item.line()}", file=sys.stderr)
    if not stubs:
        print(f"every document in '{settings.corpus}' is in {CATALOG}.")
        return 0
    text = "".join(catalog_stub(d) for d in stubs)
    if not args.write:
        print(text.lstrip("\n"))
        print(f"({len(stubs)} file(s) missing from {CATALOG}; add them with: policy-assistant catalog --write)",
              file=sys.stderr)
        return 0
    path = settings.corpus / CATALOG
    with open(path, "a", encoding="utf-8") as catalog:
        catalog.write(text)
    print(f"added {len(stubs)} entr{'y' if len(stubs) == 1 else 'ies'} to {path}: "
          + ", ".join(d.doc_id for d in stubs) + ". Check their titles and fill in issuer, date, source, licence.")
    return 0


def _eligible(args: argparse.Namespace) -> int:
    import tomllib

    from .eligibility.match import match, to_json
    from .eligibility.records import load_programmes
    from .eligibility.vocabulary import load_vocabulary
    from .errors import InvalidQuestionError
    from .language import parse_language

    settings = _settings(args)
    language = parse_language(args.lang) or parse_language("en")
    profile: dict = {}
    if args.profile:
        try:
            text = args.profile.read_text(encoding="utf-8")
            profile = json.loads(text) if args.profile.suffix.lower() == ".json" else tomllib.loads(text)
        except (OSError, ValueError) as exc:
            raise InvalidQuestionError(f"cannot read the profile '{args.profile}': {exc}. Give a TOML or JSON file "
                                       "of field = value lines.") from exc
    profile.update({name: getattr(args, name) for name in PROFILE_FLAGS if getattr(args, name) is not None})
    vocabulary = load_vocabulary()
    programmes = load_programmes(settings.index)
    result = to_json(profile, language.value, match(profile, programmes, vocabulary), vocabulary)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    if not programmes:
        print("no programmes in this index: add reviewed records to corpus/programmes/ and run policy-assistant index")
    for programme in result["programmes"]:
        missing = f" — {vocabulary.label(language.value, 'words', 'missing')}: {', '.join(programme['missing_labels'])}" \
            if programme["missing"] else ""
        print(f"{programme['title']} ({programme['doc_id']}): {programme['verdict_label']}{missing}")
        for condition in programme["conditions"]:
            mark = {True: "✓", False: "✗", None: "?"}[condition["met"]]
            cite = condition["citation"] or {}
            print(f"  {mark} {condition['rule']}  «{condition['text']}» [{cite.get('n')}] {cite.get('locator', '')}")
    return 0


def _programmes(args: argparse.Namespace) -> int:
    from .eligibility.suggest import draft_record, suggest
    from .eligibility.vocabulary import load_vocabulary
    from .errors import ConfigError
    from .index import load_index

    settings = _settings(args)
    store = load_index(settings.index)
    store.require_documents({args.doc_id})
    drafts = suggest(args.doc_id, store, load_vocabulary())
    text = draft_record(args.doc_id, store.documents[args.doc_id].title, drafts)
    out = args.out or settings.corpus / "programmes" / f"{args.doc_id}-draft.toml"
    if out.exists() and not args.force:
        raise ConfigError(f"'{out}' already exists and may hold a reviewer's edits; nothing was written. Move it away, "
                          "write the new draft elsewhere with --out FILE, or replace it with --force.")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"{len(drafts)} draft conditions written to {out} (reviewed = false: not served until a person checks "
          "them and sets reviewed = true)")
    return 0


def _ask(args: argparse.Namespace) -> int:
    from .explain import explanation_lines
    from .language import parse_language
    from .pipeline import ask, ask_explained, open_engine

    extra = {"retrieve": {"k": args.k}} if args.k is not None else {}
    settings = _settings(args, **extra)
    language = parse_language(args.lang)
    engine = open_engine(settings)
    _warn_if_stale(engine, settings)
    doc_ids = set(args.doc) if args.doc else None
    answer, report = (ask_explained(engine, args.question, language=language, doc_ids=doc_ids) if args.explain
                      else (ask(engine, args.question, language=language, doc_ids=doc_ids), None))
    if args.json:
        print(json.dumps({**answer.to_json(), **({"explain": report} if report else {})}, ensure_ascii=False))
        return 0
    _print_answer(answer)
    if report:
        print("\nwhy:")
        print("\n".join("  " + line for line in explanation_lines(report)))
    return 0


def _warn_if_stale(engine, settings) -> None:
    from .index import corpus_newer_than_index

    changed = corpus_newer_than_index(engine.store)
    if changed:
        print(f"warning: {', '.join(changed[:3])} changed after the index was built; answers come from the old "
              f"index. Refresh it with: policy-assistant index", file=sys.stderr)


def _print_answer(answer) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    style = "bold" if answer.grounded else "bold yellow"
    console.print(f"[{style}]{escape(answer.answer)}[/{style}]")
    for c in answer.citations:
        label = " (unofficial translation)" if c.translation_of else ""
        console.print(f"[dim][{c.n}] {escape(c.title)}{label}, {c.locator} ({c.language})[/dim]")
        parts = c.around_sentence()
        if parts is None:
            console.print(f"    {escape(c.quote)}")
        else:  # the sentence the answer rests on (a refusal: the one closest to the question) in bold
            before, sentence, after = map(escape, parts)
            console.print(f"    {before}[bold]{sentence}[/bold]{after}")


def _serve(args: argparse.Namespace) -> int:
    from .config import load_settings

    serve = {k: v for k, v in {"host": args.host, "port": args.port, "workers": args.workers}.items() if v is not None}
    settings = load_settings(index=args.index, **({"serve": serve} if serve else {}))
    try:
        from ui.app import serve as serve_app
    except ImportError as exc:
        print(f"error: the chat needs the ui package and gradio ({exc}). Run: make install", file=sys.stderr)
        return 1
    serve_app(settings)
    return 0


def _require_two_groups(items: list) -> None:
    """Held out by document needs answerable questions about two documents at least (ConfigError otherwise);
    `items` are (test item, its set's name)."""
    from .calibrate import group_of
    from .errors import ConfigError

    groups = sorted({group_of(item, name) for item, name in items if item.answerable and item.expected_facts})
    if len(groups) < 2:
        raise ConfigError(f"the answerable questions are about {len(groups)} document{'' if len(groups) == 1 else 's'}"
                          f"{': ' + groups[0] if groups else ''}. Held out by document, each would be answered by a "
                          "selector fitted on no answerable question. Give each item its \"doc\", with questions "
                          "about two documents or more (eval can also run without --by-document).")


def _eval(args: argparse.Namespace) -> int:
    from .calibrate import WRONG_COST, asked_and_traced
    from .evaluation import (SWEEP, compare, comparison_lines, load_previous, load_testset, run_testset, score_item,
                             summarize_by, summarize_by_language, threshold_sweep)
    from .pipeline import open_engine
    from .progress import Reporter
    from .report import INTERVALS, METRICS, right_and_wrong, describe_miss, spread_line, worst_misses, write_report

    if args.refit_spread and not args.by_document:
        print("error: --refit-spread needs --by-document (it refits the selector held out).", file=sys.stderr)
        return 2
    items = load_testset(args.testset)
    if not items:
        print(f"error: '{args.testset}' holds no test items.", file=sys.stderr)
        return 2
    args.index, _ = _set_index(args.testset, args.index, args.quiet)
    settings = _settings(args)
    # Read now, before asking: --out may be the same folder, and a wrong report fails at once.
    previous = load_previous(args.compare, [item.id for item in items]) if args.compare else None
    if args.by_document:
        _require_two_groups([(item, args.testset.stem) for item in items])
    out = args.out or Path("reports") / (args.testset.stem + ("-by-document" if args.by_document else ""))
    out.mkdir(parents=True, exist_ok=True)  # a report folder that cannot be made fails now, not after the run
    engine = open_engine(settings, selector=not args.by_document)
    documents = engine.store.documents
    if missing := _missing_documents(items, documents):
        print(f"warning: the index at '{settings.index}' lacks {missing} that '{args.testset}' asks about: their "
              "questions will count as refused. Build an index of the test set's corpus and pass it with --index.",
              file=sys.stderr)
    crossing = lambda item: _crosslingual(item, documents)  # noqa: E731
    spread = None
    with Reporter(enabled=not args.quiet) as reporter:
        if args.by_document:
            from .calibrate import collect, cross_validate

            examples = collect(engine, items, reporter.update, args.testset.stem)
            answered = cross_validate(examples, progress=reporter.update)
            results = [score_item(e.item, answer, hits, e.latency_ms, e.error, crossing(e.item), info["held_out"],
                                  info["lost_at"], info["open_outcome"]) for e, answer, hits, info in answered]
            thresholds = sorted({info["threshold"] for *_, info in answered})
            selector_note = "held out by document: each question answered by a selector fitted on the other documents"
            if args.refit_spread:
                from .calibrate import refit_spread

                spread = refit_spread(examples, args.refit_spread, progress=reporter.update)
        else:
            results = run_testset(items, lambda item: asked_and_traced(engine, item), reporter.update)
            results = [replace(r, crosslingual=crossing(r.item)) for r in results]
            thresholds = [engine.threshold]
            selector_note = f"the packaged selector ({engine.selector.meta.get('trained_on', 'unknown training')})"
    metrics = summarize_by_language(results)
    breakdowns = {"kind": summarize_by(results, lambda r: r.item.kind or "(none)"),
                  "document": summarize_by(results, lambda r: r.item.doc or "(off-topic)")}
    manifest = engine.store.manifest
    context = {"index": {"model": manifest["model"], "rerank_model": manifest.get("rerank_model"),
                         "passages": manifest["passages"], "built_at": manifest["built_at"]},
               "selector": selector_note, "threshold": thresholds[0] if len(thresholds) == 1 else thresholds,
               "wrong_cost": WRONG_COST, "settings": settings.model_dump(mode="json")}
    if spread:
        context["refit_spread"] = spread
        if previous is not None and (before := _previous_spread(previous)):
            context["compared_spread"] = before
    sweep = threshold_sweep(results, (*SWEEP, *thresholds), WRONG_COST)
    if previous is not None:
        context["comparison"] = compare(previous["items"], results, str(args.compare))
    paths = write_report(out, args.testset, metrics, results, context, breakdowns, sweep)
    names = ("accuracy", *METRICS, "crosslingual_accuracy", "latency_p50_ms", "latency_p95_ms", *INTERVALS)
    print(f"selector: {selector_note}")
    print(_table(metrics, names))
    print(_table(breakdowns["kind"], ("items", "answer_accuracy", "refusal_precision", "refusal_recall"), transpose=True))
    _print_losses(results, tuple(metrics))
    _print_sweep(sweep, thresholds, WRONG_COST)
    if spread:
        print(spread_line(spread, *right_and_wrong(results), WRONG_COST, context.get("compared_spread")))
    worst = worst_misses(results)
    print(f"worst misses (the {len(worst)} wrong answers given with the highest confidence):" if worst
          else "worst misses: none, no answer was wrong")
    for r in worst:
        print("  " + describe_miss(r, width=90))
    if previous is not None:
        print("\n".join(comparison_lines(context["comparison"])))
    print("report: " + ", ".join(str(p) for p in paths))
    return 0


def _previous_spread(report: dict) -> dict | None:
    """The refit spread an earlier report holds (None when it was run without --refit-spread)."""
    spread = report.get("refit_spread")
    return spread if isinstance(spread, dict) and spread.get("utility") else None


def _print_sweep(sweep: list[dict], used: list[float], wrong_cost: float) -> None:
    """Right and wrong answers at every tenth of the refusal threshold and at the one used."""
    from .report import best_line

    shown = [row for row in sweep if row["threshold"] in used or round(row["threshold"], 1) == row["threshold"]]
    if not shown:
        return
    print("answers at each refusal threshold (answer.threshold; * the one used):")
    print("  threshold " + "".join(f"{row['threshold']:.2f}{'*' if row['threshold'] in used else ' '}".rjust(7)
                                   for row in shown))
    for name in ("right", "wrong"):
        print(f"  {name:9s} " + "".join(str(row[name]).rjust(7) for row in shown))
    print("  " + best_line(sweep, used, wrong_cost))


def _table(groups: dict[str, dict], names: tuple[str, ...], transpose: bool = False) -> str:
    """Metrics as aligned text: one column per group (or one row per group, transposed)."""
    from .report import format_value

    cell = lambda v: format_value(v, interval_digits=2)  # noqa: E731
    if transpose:
        lines = ["".ljust(14) + "".join(n[:17].rjust(18) for n in names)]
        lines += [g[:14].ljust(14) + "".join(cell(m.get(n)).rjust(18) for n in names) for g, m in groups.items()]
        return "\n".join(lines)
    width = max(22, *(len(n) + 2 for n in names))
    lines = ["metric".ljust(width) + "".join(g.rjust(10) for g in groups)]
    lines += [n.ljust(width) + "".join(cell(groups[g].get(n)).rjust(10) for g in groups) for n in names]
    return "\n".join(lines)


def _print_losses(results, groups: tuple[str, ...]) -> None:
    """Where the answerable questions not answered right were lost, a row per stage, a column per group."""
    from .report import losses

    print("where the answerable questions not answered right were lost:")
    print(_table(losses(results), groups, transpose=True))


def _crosslingual(item, documents: dict) -> bool:
    """The item asks about an indexed document in another language than its own."""
    return bool(item.doc) and item.doc in documents and documents[item.doc].language is not item.lang


def _missing_documents(items, documents: dict) -> str:
    """"3 of the 23 documents (a, b, c…)" when a test set names documents the index does not hold, else ""."""
    named = {i.doc for i in items if i.doc}
    missing = sorted(named - set(documents))
    if not missing:
        return ""
    return f"{len(missing)} of the {len(named)} documents ({', '.join(missing[:3])}{'…' if len(missing) > 3 else ''})"


def _calibrate(args: argparse.Namespace) -> int:
    from .calibrate import collect, cross_validate, fit, learnable
    from .config import load_settings
    from .errors import ConfigError
    from .evaluation import load_testset, score_item, summarize_by_language
    from .pipeline import open_engine
    from .progress import Reporter
    from .selector import default_path

    settings = _settings(args)
    sets = [(args.testset, _set_index(args.testset, args.index, args.quiet)[0] or settings.index)]
    for extra in args.also or []:
        path, _, index = extra.partition(":")
        sets.append((Path(path), _set_index(Path(path), Path(index) if index else None, args.quiet)[0] or settings.index))
    loaded = [(testset, index, load_testset(testset)) for testset, index in sets]
    for testset, _, items in loaded:
        if not items:
            raise ConfigError(f"'{testset}' holds no test items; no selector was written.")
    _require_two_groups([(item, testset.stem) for testset, _, items in loaded for item in items])
    examples = []
    with Reporter(enabled=not args.quiet) as reporter:
        for testset, index, items in loaded:
            engine = open_engine(load_settings(index=index), selector=False)
            if missing := _missing_documents(items, engine.store.documents):
                # Their questions would be fitted as unanswerable: the selector written would be wrong.
                built = Path(DEV_INDEX)
                hint = (f"pass --index {built} (an index is there)" if built != index and (built / "current").exists()
                        else "build an index of the test set's corpus and pass it with --index, e.g. policy-assistant "
                             f"index --corpus ../shared/dev-corpus --index {built}; or name the corpus and its index in "
                             f"'{testset.with_suffix('.toml')}' (README, \"Answer quality\"), and calibrate builds it; "
                             "or run make calibrate")
                raise ConfigError(f"the index at '{index}' lacks {missing} that '{testset}' asks about; nothing "
                                  f"was written: {hint}.")
            examples += collect(engine, items, reporter.update, testset.stem)
        held = cross_validate(examples, seed=args.seed, progress=reporter.update, wrong_cost=args.wrong_cost)
    results = []
    for e, a, hits, info in held:
        results.append(score_item(e.item, a, hits, e.latency_ms, e.error, _crosslingual(e.item, e.engine.store.documents),
                                  info["held_out"], info["lost_at"]))
    held_out = summarize_by_language(results)
    selector, made = fit(examples, seed=args.seed, wrong_cost=args.wrong_cost)
    if not learnable(made):
        # The chooser would weigh nothing and the confidence would refuse every question: keep the selector there is.
        raise ConfigError(f"no question of {', '.join(repr(str(t)) for t, _ in sets)} has both a candidate answer that "
                          "holds its expected facts and one that does not, so there is nothing to learn; no selector "
                          "was written. Add answerable questions with expected_facts that the index can answer.")
    out = args.out or default_path(settings.embed.sentence_model)
    summary = {name: {k: held_out[name][k] for k in ("answer_accuracy", "refusal_precision", "refusal_recall",
                                                    "crosslingual_accuracy")} for name in held_out}
    trained_on = "; ".join(f"{t} ({sum(e.testset == t.stem for e in examples)} questions, index {i})" for t, i in sets)
    selector = replace(selector, meta={
        "trained_on": trained_on, "seed": args.seed, "wrong_cost": args.wrong_cost, "held_out_by_document": summary,
        "weights": {"ranker": selector.ranker.weights(), "chooser": selector.chooser.weights(),
                    "confidence": selector.confidence.weights()}})
    selector.save(out)
    print(f"selector written to {out} (refusal threshold {selector.threshold:.3f})")
    print("held out by document (each document answered by a fit on the others):")
    print(_table(held_out, ("answer_accuracy", "refusal_precision", "refusal_recall", "crosslingual_accuracy",
                            "citation_validity", "language_match")))
    _print_losses(results, tuple(held_out))
    return 0


def targets_table(rows: list[dict]) -> str:
    """The bench's targets as a text table: limit, measured, before, plain llama-index, met."""
    def show(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
        return str(value)

    header = f"{'target':<48} {'limit':>7} {'now':>8} {'before':>8} {'plain':>8}  met"
    lines = [header, "-" * len(header)]
    for row in rows:
        met = {True: "yes", False: "NO", None: "—"}[row["met"]] if row["limit"] is not None else ""
        lines.append(f"{row['target'][:48]:<48} {show(row['limit']):>7} {show(row['measured']):>8} "
                     f"{show(row['before']):>8} {show(row['plain_llama_index']):>8}  {met}")
    return "\n".join(lines)


def _bench(args: argparse.Namespace) -> int:
    from .bench import BenchPlan, run_bench
    from .evaluation import load_testset
    from .pipeline import open_engine
    from .progress import Reporter

    items = load_testset(args.testset)
    args.index, named_corpus = _set_index(args.testset, args.index, args.quiet)  # the test set's own, when it names one
    settings = _settings(args)
    plan = BenchPlan.quick() if args.quick else BenchPlan()
    engine = open_engine(settings)
    build_corpus = args.build_corpus or named_corpus or settings.corpus
    with Reporter(enabled=not args.quiet) as reporter:
        report = run_bench(engine, settings.index, items, build_corpus, plan, reporter.update,
                           tuple(args.only) if args.only else None)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(targets_table(report["targets"]))
    for name, how in report["skipped"].items():
        print(f"skipped {name}: {how}")
    print(f"bench: {args.out}")
    return 0


def _loadtest(args: argparse.Namespace) -> int:
    from .evaluation import load_testset
    from .loadtest import run_load, running_server, server_address
    from .workers import default_workers

    settings = _settings(args)
    questions = [item.question for item in load_testset(args.testset)]
    runs: dict[str, dict] = {}
    if args.url:
        runs[args.url] = run_load(server_address(args.url), questions, args.clients, args.seconds, args.per_client)
    else:
        for workers in args.workers or sorted({1, default_workers()}):
            print(f"loadtest: starting serve --workers {workers} …", file=sys.stderr)
            with running_server(settings.index, workers) as server:
                result = run_load(server.url, questions, args.clients, args.seconds, args.per_client, [server.process.pid])
                runs[f"workers={workers}"] = {"workers": workers, "ready_seconds": server.ready_seconds, **result}
    header = f"{'run':<14} {'clients':>7} {'req':>6} {'err':>4} {'mixed':>5} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6} {'RSS MB':>7}"
    print(header)
    for name, run in runs.items():
        rss = run.get("server_rss_mb", {}).get("max", float("nan"))
        print(f"{name:<14} {run['clients']:>7} {run['requests']:>6} {run['errors']:>4} {run['mixed']:>5} "
              f"{run['latency_ms']['p50'] or 0:>7.0f} {run['latency_ms']['p95'] or 0:>7.0f} "
              f"{run['throughput_rps']:>6.1f} {rss:>7.0f}")
    single, many = runs.get("workers=1"), [r for r in runs.values() if r.get("workers", 1) > 1]
    if single and many:
        best = max(many, key=lambda r: r["workers"])
        ratio = f"{best['throughput_rps'] / single['throughput_rps']:.2f}x" if single["throughput_rps"] else "– (1 worker answered nothing)"
        print(f"throughput {best['workers']} workers / 1 worker: {ratio}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(runs, ensure_ascii=False, indent=1), encoding="utf-8")
    failed = any(run["errors"] or run["mixed"] for run in runs.values())
    return 1 if failed else 0


_COMMANDS = {"index": _index, "catalog": _catalog, "eligible": _eligible, "programmes": _programmes, "ask": _ask, "eval": _eval, "calibrate": _calibrate, "bench": _bench, "serve": _serve, "loadtest": _loadtest}

if __name__ == "__main__":
    sys.exit(main())

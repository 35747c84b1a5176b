"""Check a development question set: fields, kinds, shares, and that every expected fact occurs in its document.

    .venv/bin/python evals/check_dev_qa.py evals/dev-qa.jsonl [--corpus ../shared/dev-corpus] [--text DIR]

A fact occurs when it (or one of its alternatives) is in the document's text after Unicode NFKC, case folding
and removal of thousands separators, the comparison `eval` uses for answers. The documents are read with the
project's readers (or taken from DIR/<doc id>.txt, text dumps, when --text is given). Exits 1 on any problem.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = {"amount", "count", "date", "place", "person", "eligibility", "definition", "other"}
REQUIRED = {"id", "lang", "question", "answerable", "kind"}


def document_texts(corpus: Path, text_dir: Path | None) -> dict[str, str]:
    """Every document's text, by id."""
    if text_dir is not None:
        return {p.stem: p.read_text(encoding="utf-8") for p in text_dir.glob("*.txt")}
    from assistant.errors import UnreadableDocumentError
    from assistant.load import discover, read_corpus_document

    texts = {}
    for document in discover(corpus).documents:
        try:
            read, _ = read_corpus_document(document)
        except UnreadableDocumentError:
            continue
        texts[read.doc_id] = "\n".join(b.text for b in read.blocks)
    return texts


def check(items: list[dict], texts: dict[str, str]) -> list[str]:
    """Problems with the items; an empty list means the set is sound."""
    from assistant.evaluation import fact_present

    problems = []
    seen = set()
    for item in items:
        where = item.get("id", "?")
        missing = REQUIRED - set(item)
        if missing:
            problems.append(f"{where}: lacks {', '.join(sorted(missing))}")
            continue
        if item["id"] in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(item["id"])
        if item["kind"] not in KINDS:
            problems.append(f"{where}: kind {item['kind']!r} is not one of {sorted(KINDS)}")
        doc = item.get("doc")
        if doc and doc not in texts:
            problems.append(f"{where}: unknown doc {doc!r}")
            continue
        if item["answerable"]:
            if not doc or not item.get("expected_facts"):
                problems.append(f"{where}: an answerable item needs doc and expected_facts")
                continue
            for fact in item["expected_facts"]:
                if not fact_present(fact, texts[doc]):
                    problems.append(f"{where}: fact {fact!r} is not in {doc}")
        elif item.get("expected_facts"):
            problems.append(f"{where}: an unanswerable item has expected_facts")
    return problems


def shares(items: list[dict], languages: dict[str, str]) -> dict[str, dict[str, float]]:
    """Per question language: items, unanswerable, cross-lingual and eligibility shares."""
    out = {}
    for lang in sorted({i["lang"] for i in items}):
        subset = [i for i in items if i["lang"] == lang]
        n = len(subset)
        out[lang] = {
            "items": n,
            "unanswerable": sum(not i["answerable"] for i in subset) / n,
            "cross_lingual": sum(bool(i.get("doc")) and i["answerable"] and languages.get(i["doc"]) not in (None, lang)
                                 for i in subset) / n,
            "eligibility": sum(i["kind"] == "eligibility" for i in subset) / n,
            "kinds": dict(Counter(i["kind"] for i in subset)),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testset", type=Path)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "dev-corpus")
    parser.add_argument("--text", type=Path, help="folder of <doc id>.txt text dumps instead of reading the corpus")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.testset.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = document_texts(args.corpus, args.text)
    problems = check(items, texts)
    languages = {doc_id: doc_id.split("-", 1)[0] for doc_id in texts}  # ids start with their language
    for problem in problems:
        print(problem)
    print(json.dumps(shares(items, languages), ensure_ascii=False, indent=1))
    print(f"{len(items)} items, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

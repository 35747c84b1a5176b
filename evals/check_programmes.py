"""Check the programme records of a corpus without building an index: each reviewed record's conditions must be
quoted from a passage of its document and carry their figures; drafts are listed.

    .venv/bin/python evals/check_programmes.py [--corpus corpus]

The documents are read and split exactly as `policy-assistant index` does (no embedding). Exits 1 on a problem.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from assistant.eligibility.records import Rejected, load_programme_files, resolve
    from assistant.eligibility.vocabulary import load_vocabulary
    from assistant.errors import UnreadableDocumentError
    from assistant.load import discover, read_corpus_document
    from assistant.split import split_documents

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    args = parser.parse_args()
    vocabulary = load_vocabulary()
    programmes, rejected = load_programme_files(args.corpus, vocabulary)
    wanted = {p.doc_id for p in programmes}
    documents = {}
    for document in discover(args.corpus).documents:
        if document.doc_id in wanted:
            try:
                documents[document.doc_id] = read_corpus_document(document, ocr=False)[0]
            except UnreadableDocumentError as exc:
                print(f"{document.doc_id}: {exc}")
    chunks = split_documents(list(documents.values()))
    problems = [f"{r.id} ({r.file}): {'; '.join(r.reasons)}" for r in rejected]
    for programme in programmes:
        if not programme.reviewed:
            print(f"draft (not served): {programme.id} ({programme.file})")
            continue
        result = resolve(programme, chunks, documents, vocabulary)
        if isinstance(result, Rejected):
            problems.append(f"{result.id} ({result.file}): {'; '.join(result.reasons)}")
        else:
            print(f"ok: {result.id} — {len(result.conditions)} conditions, cited to "
                  f"{', '.join(sorted({c.citation.locator for c in result.conditions}))}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(f"{len(programmes)} records, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

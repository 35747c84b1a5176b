"""Write the part of a question set that an index can be asked about: the items whose document it holds, of the
kinds asked for. For evaluating a corpus against questions written for a larger one.

    .venv/bin/python evals/subset.py evals/dev-qa.jsonl --index index --kind eligibility --out /tmp/elig.jsonl
    .venv/bin/policy-assistant eval /tmp/elig.jsonl --out reports/elig

An item without a document (an off-topic question) is kept only with --keep-off-topic. Prints what it kept.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testset", type=Path)
    parser.add_argument("--index", type=Path, required=True, help="the index whose documents the items must be about")
    parser.add_argument("--kind", action="append", default=[], help="keep only this kind (repeatable; default: all)")
    parser.add_argument("--keep-off-topic", action="store_true", help="also keep items that name no document")
    parser.add_argument("--out", type=Path, help="where to write the items (default: standard output)")
    args = parser.parse_args(argv)
    documents_file = args.index / "current" / "documents.json"
    if not documents_file.is_file():
        print(f"error: no index at '{args.index}'. Build it with: policy-assistant index --index {args.index}",
              file=sys.stderr)
        return 2
    held = {d["doc_id"] for d in json.loads(documents_file.read_text(encoding="utf-8"))}
    lines = [line for line in args.testset.read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = []
    for line in lines:
        item = json.loads(line)
        if args.kind and item.get("kind") not in args.kind:
            continue
        if item.get("doc") in held or (args.keep_off_topic and not item.get("doc")):
            kept.append(line)
    text = "".join(f"{line}\n" for line in kept)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    counts = Counter(json.loads(line)["lang"] for line in kept)
    print(f"kept {len(kept)} of {len(lines)} items ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})",
          file=sys.stderr)
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())

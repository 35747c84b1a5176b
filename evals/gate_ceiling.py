"""How many answerable questions the hard gates leave answerable: each gate run on every sentence that holds a
question's expected facts, as if the chooser had picked it with full confidence.

    .venv/bin/python evals/gate_ceiling.py evals/dev-qa.jsonl --index DEV_INDEX [--show REASON]

A question whose every fact-holding sentence (in its own document, `doc`) some gate refuses cannot be answered
right whatever the selector learns: that count is a ceiling the gates set, and each gate's share of it shows
where a gate refuses true answers. Items without `doc` (the seed set) are skipped. `--show` prints, for the
questions a gate whose reason contains REASON blocks, the question and one sentence it refused. Prints a table;
exits 0.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from assistant.answer import Candidate, refusal_reasons, source_of
    from assistant.calibrate import holds_facts
    from assistant.config import load_settings
    from assistant.evaluation import load_testset
    from assistant.pipeline import for_answering, open_engine, understand

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("testset", type=Path)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--show", default="", help="print the questions a gate whose reason contains this blocks")
    args = parser.parse_args(argv)

    engine = open_engine(load_settings(), args.index)
    store = engine.store
    passages = defaultdict(list)
    for position, chunk in enumerate(store.chunks):
        passages[chunk.doc_id].append(position)

    checked, blocked, by_gate = 0, [], Counter()
    for item in load_testset(args.testset):
        if not item.answerable or not item.doc or not item.expected_facts:
            continue
        question = for_answering(engine, understand(engine, item.question, item.lang))
        reasons: Counter = Counter()
        found = passes = False
        example = ""
        for position in passages.get(item.doc, ()):
            sentences = list(store.sentences.of(position))
            for n, sentence in enumerate(sentences):
                if not holds_facts(item, sentence.text):
                    continue
                found = True
                after = sentences[n + 1] if n + 1 < len(sentences) else None
                candidate = Candidate(sentence, store.chunks[position], 1, np.zeros(1), after=after)
                refused = refusal_reasons(question, candidate, 1.0, 0.0, engine.cues, source_of(candidate.chunk, store))
                passes |= not refused
                for reason in refused:
                    reasons[reason.split(",")[0]] += 1
                    if args.show and args.show in reason and not example:
                        example = sentence.text
        checked += found
        if found and not passes:
            blocked.append(item.id)
            by_gate.update(reasons.keys())
            if example:
                print(f"{item.id} ({item.kind}): {item.question}\n    refused: {example[:200]}")
    print(f"{checked} answerable questions with a sentence holding every expected fact in their document; "
          f"{len(blocked)} of them have every such sentence refused by a hard gate")
    print("questions blocked  gate (a question may be blocked by several)")
    for reason, count in by_gate.most_common():
        print(f"{count:17d}  {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

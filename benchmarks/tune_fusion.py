"""Compare fusion settings on the dev sets (candidates computed once; only the fusion is re-run).

    .venv/bin/python -m benchmarks.tune_fusion --shared ../shared/benchmarks --store .veiviser-bench
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.evaluation import metrics, prepare
from bot.retrieval import FusionWeights
from bot.settings import Settings

SETS = ("norquad", "swefaq", "swequad_mc")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/benchmarks"))
    parser.add_argument("--store", type=Path, default=Path(".veiviser-bench"))
    args = parser.parse_args()
    settings = Settings(_env_file=None, veiviser_store=args.store)
    prepared = {
        name: prepare(settings, args.shared / name / "corpus.jsonl", args.shared / name / "queries.jsonl",
                      args.shared / name / "qrels.tsv")
        for name in SETS
    }
    grid = [FusionWeights(mode="rrf")] + [
        FusionWeights(dense=round(1 - lexical, 2), lexical=lexical, specificity_low=low, specificity_high=low + 0.3)
        for lexical in (0.4, 0.5, 0.6, 0.7) for low in (0.0, 0.3, 0.4, 0.5)
    ]
    print("mode    dense lexical  spec  " + "  ".join(f"{n:>10s}" for n in SETS) + "   mean")
    for weights in grid:
        scores = [metrics(prepared[n].runs(weights)["fused"], prepared[n].qrels)["ndcg@10"] for n in SETS]
        print(f"{weights.mode:7s} {weights.dense:5.2f} {weights.lexical:7.2f}  {weights.specificity_low:4.1f}  "
              + "  ".join(f"{s:10.4f}" for s in scores) + f"   {sum(scores) / len(scores):.4f}")


if __name__ == "__main__":
    main()

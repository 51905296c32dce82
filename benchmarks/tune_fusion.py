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
        FusionWeights(mode="convex", dense=d, lexical=round(1 - d, 2)) for d in (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
    ]
    print("mode    dense lexical  " + "  ".join(f"{n:>10s}" for n in SETS) + "   mean")
    for weights in grid:
        scores = [metrics(prepared[n].runs(weights)["fused"], prepared[n].qrels)["ndcg@10"] for n in SETS]
        print(f"{weights.mode:7s} {weights.dense:5.2f} {weights.lexical:7.2f}  "
              + "  ".join(f"{s:10.4f}" for s in scores) + f"   {sum(scores) / len(scores):.4f}")


if __name__ == "__main__":
    main()

"""Veiviser: a mentoring assistant for social entrepreneurs in Norway and Sweden."""

import os

# The dense search is one matrix-vector product per question. OpenBLAS would run it on every core and leave its threads
# spinning afterwards, which made the embedder that runs next 2-3 times slower on a 10,000-chunk store (`ask` p50 62 ms
# against 20 ms with one BLAS thread, benchmarks/run_bench.py). Set here, before numpy is first imported by any part of
# the service; an operator's own OPENBLAS_NUM_THREADS wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

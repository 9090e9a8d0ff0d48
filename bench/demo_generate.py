"""Time the demo generator: `python -m bench.demo_generate [--size 250 | --orders N]`.

Prints seconds per phase, total seconds, peak memory (ru_maxrss) and the row counts, with the
exact command, so the figure in docs/demo.md can be reproduced.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=float, default=None, help="default 250")
    parser.add_argument("--orders", type=int, default=None, help="exact order count instead")
    parser.add_argument("--format", default="parquet", choices=("parquet", "mixed"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="write into this folder and keep it")
    args = parser.parse_args(argv)

    from kehu.demo import generate

    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kehu-demo-bench-"))
    t = time.perf_counter()
    size = args.size if args.size or args.orders else 250.0
    manifest = generate(out, seed=args.seed, size=size, n_orders=args.orders, fmt=args.format)
    seconds = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    cpu_seconds = usage.ru_utime + usage.ru_stime
    size_mb = sum(f.path.stat().st_size for f in manifest.files) / 2**20
    print(
        json.dumps(
            {
                "command": " ".join([sys.executable, "-m", "bench.demo_generate", *sys.argv[1:]]),
                "size": manifest.size,
                "format": manifest.fmt,
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu_seconds, 1),
                "phases": manifest.seconds,
                "peak_mb": round(peak_mb),
                "files_mb": round(size_mb, 1),
                "counts": manifest.counts,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()

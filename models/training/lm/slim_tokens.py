"""A token folder cut down to what one LM stage reads, so it fits through the device machine's
64 MiB working-tree limit: the coarse LM reads 3 codec levels of the 12 the tokenizer writes, and
piano's 21 h of tokens go from 63 MB to about 17.

    /usr/bin/python3 -m lm.slim_tokens --tokens work/tokens-refit17 --out work/tokens-coarse-piano \
        --levels 3 --domains piano

Keeps the splits, the clip names, the semantic tokens and `tokenizers.json` (the codes'
fingerprint, so checkpoints trained on the slim folder stay tied to the same codec).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from common.domains import DOMAINS
from common.run import write_atomically


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=Path, required=True, help="a folder lm.tokenize_data wrote")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--levels", type=int, required=True, help="codec levels to keep: 3 for the coarse LM, 8 for the fine")
    parser.add_argument("--domains", nargs="+", default=list(DOMAINS), choices=DOMAINS)
    args = parser.parse_args()
    record = json.loads((args.tokens / "tokenizers.json").read_text())
    if record.get("semantic_only"):
        raise SystemExit(f"{args.tokens} holds semantic tokens alone: nothing to slim")
    args.out.mkdir(parents=True, exist_ok=True)
    kept = 0
    for split in ("train", "valid"):
        for domain in args.domains:
            for source in sorted((args.tokens / split / domain).glob("*.npz")):
                clip = np.load(source)
                if clip["codes"].shape[0] < args.levels:
                    raise SystemExit(f"{source} has {clip['codes'].shape[0]} levels, fewer than --levels {args.levels}")
                target = args.out / split / domain / source.name
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(target, lambda file, c=clip: np.savez_compressed(file, semantic=c["semantic"], codes=c["codes"][:args.levels]))
                kept += 1
    (args.out / "tokenizers.json").write_text(json.dumps({**record, "levels_kept": args.levels}))
    size = sum(f.stat().st_size for f in args.out.rglob("*.npz"))
    print(f"{kept} clips, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()

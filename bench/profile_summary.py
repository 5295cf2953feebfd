"""Summarise py-spy "raw" (collapsed) stack files written by ``bench/run.py --profile DIR``.

    .venv/bin/python bench/profile_summary.py DIR [--top 40] [--match yiwang]

Prints, over all files, the share of samples in which a frame appears (inclusive) and in
which it is the innermost frame (self). Idle samples (threads waiting for a request) are
dropped when py-spy ran with --idle off (the default); the share is of busy samples.
"""

from __future__ import annotations

import argparse
import collections
import re
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def short(frame: str) -> str:
    m = FRAME.match(frame)
    if not m:
        return frame
    path = m["file"]
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{m['func']} ({path})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only frames whose text contains this")
    parser.add_argument("--prefix", default="profile-", help="file name prefix")
    args = parser.parse_args()
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for path in sorted(Path(args.directory).glob(f"{args.prefix}*.txt")):
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            frames = [
                short(f)
                for f in stack.split(";")
                if f and not f.startswith(("process ", "thread "))
            ]
            if not frames:
                continue
            total += n
            for f in set(frames):
                inclusive[f] += n
            own[frames[-1]] += n
    if not total:
        print("no samples")
        return
    print(f"{total:,} samples")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n--- {title} ---")
        shown = 0
        for frame, n in counter.most_common():
            if args.match and args.match not in frame:
                continue
            print(f"{100 * n / total:6.1f}%  {frame}")
            shown += 1
            if shown >= args.top:
                break


if __name__ == "__main__":
    main()

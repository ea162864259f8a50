#!/usr/bin/env python3
"""Sums, from GNU ld map files, the flash (.text, .rodata and the other read-only sections)
that each input archive contributes: libtaap_embedded.a's share of the program.

Usage: library-share.py [--limit-kib N] pop.map [pop-m33.map ...]
  With --limit-kib, fails (exit status 1) when the library's share in any map is over N KiB.
"""

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

FLASH = re.compile(r"^ (\.text|\.rodata|\.ARM\.extab|\.ARM\.exidx)(\S*)")
PLACED = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit-kib", type=float)
    parser.add_argument("maps", nargs="+")
    arguments = parser.parse_args()
    over = []
    for map_file in arguments.maps:
        print(f"{map_file}:")
        taap = library_share(map_file)
        if arguments.limit_kib is not None and taap > arguments.limit_kib * 1024:
            over.append(f"{map_file}: {taap} bytes ({taap / 1024:.1f} KiB)")
    if arguments.limit_kib is not None:
        if over:
            sys.exit(f"test-embedded: the library's flash is over {arguments.limit_kib:g} KiB: {'; '.join(over)}")
        print(f"test-embedded: the library's flash is within {arguments.limit_kib:g} KiB in every program")


def library_share(map_file: str) -> int:
    """Prints what each archive of `map_file` takes; returns libtaap_embedded.a's bytes."""
    lines = Path(map_file).read_text().splitlines()
    in_memory_map = False
    totals = defaultdict(int)
    builtin_totals = defaultdict(int)
    pending = None
    for line in lines:
        if line.startswith("Linker script and memory map"):
            in_memory_map = True
        if not in_memory_map:
            continue
        match = FLASH.match(line)
        if match:
            rest = line[match.end():]
            placed = PLACED.match(rest)
            pending = None if placed else match.group(1)
            if placed:
                count(totals, builtin_totals, placed)
            continue
        if pending:
            placed = PLACED.match(line)
            if placed:
                count(totals, builtin_totals, placed)
            pending = None
    taap = sum(size for name, size in totals.items() if "libtaap_embedded" in name)
    builtins = sum(size for name, size in builtin_totals.items())
    everything = sum(totals.values())
    print(f"flash (.text + .rodata + exception tables): {everything} bytes in all")
    print(f"  libtaap_embedded.a: {taap} bytes ({taap / 1024:.1f} KiB), of which Rust's")
    print(f"    compiler_builtins (memcpy, division, soft float; the C code uses them too): {builtins}")
    for name, size in sorted(totals.items(), key=lambda item: -item[1])[:6]:
        print(f"  {name}: {size}")
    return taap


def count(totals: dict, builtin_totals: dict, placed: re.Match) -> None:
    size = int(placed.group(2), 16)
    totals[origin(placed.group(3))] += size
    if "libtaap_embedded" in placed.group(3) and "compiler_builtins" in placed.group(3):
        builtin_totals[placed.group(3)] += size


def origin(path: str) -> str:
    """The archive (or object) a section came from."""
    return path.split("(")[0].rsplit("/", 1)[-1]


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Prints $PARITY_WORK/results/networks.json (written by OfficialNetworkParityTests) as a markdown table."""
import json
import os
import sys

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get("PARITY_WORK", "/work/parity-work"), "results", "networks.json")
rows = json.load(open(path, encoding="utf-8"))
print("| network | output | shape | max abs error | max abs official | relative | loaded by |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['network']} | `{r['output']}` | {'x'.join(map(str, r['shape']))} | {r['maxAbs']:.2e} | "
          f"{r['maxAbsOfficial']:.2e} | {r['relative']:.2e} | {r['loadedBy']} |")

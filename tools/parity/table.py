#!/usr/bin/env python3
"""Prints the results the C# parity tests write (results/networks.json from OfficialNetworkParityTests,
results/chunks.json from OfficialChunkParityTests) as the markdown tables of docs/personalive/parity.md.
Usage: table.py [RESULTS_DIR]   (default $PARITY_WORK/results)"""
import json
import os
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get("PARITY_WORK", "/work/parity-work"), "results")
path = os.path.join(folder, "networks.json")
if os.path.exists(path):
    rows = json.load(open(path, encoding="utf-8"))
    print("| network | output | shape | max abs error | max abs official | relative | loaded by |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['network']} | `{r['output']}` | {'x'.join(map(str, r['shape']))} | {r['maxAbs']:.2e} | "
              f"{r['maxAbsOfficial']:.2e} | {r['relative']:.2e} | {r['loadedBy']} |")
path = os.path.join(folder, "chunks.json")
if os.path.exists(path):
    # C# writes NaN/Infinity as strings ("NaN"); a NaN row (a side went non-finite) is listed apart.
    rows = [{k: float(v) if v in ("NaN", "Infinity", "-Infinity") else v for k, v in r.items()}
            for r in json.load(open(path, encoding="utf-8"))]
    calls = sorted({r["call"] for r in rows})
    print(f"\nOver {len(calls)} chunks (calls {calls[0]}..{calls[-1]}):\n")
    print("| quantity | max abs error (worst chunk) | max abs official | relative (worst chunk) | worst at call |")
    print("|---|---|---|---|---|")
    kinds = [q for q in dict.fromkeys(r["quantity"] for r in rows) if q not in ("keyframe bank",)]
    for q in kinds:
        every = [r for r in rows if r["quantity"] == q]
        sel = [r for r in every if r.get("relative", 0) == r.get("relative", 0)] or every  # drop NaN rows
        nan = [r["call"] for r in every if r not in sel]
        if nan:
            q += f" (calls {nan[0]}..{nan[-1]} NaN, not counted)"
        if "relative" in sel[0]:
            w = max(sel, key=lambda r: r["relative"])
            print(f"| {q} | {max(r['maxAbs'] for r in sel):.2e} | {max(r['maxAbsOfficial'] for r in sel):.2e} | "
                  f"{w['relative']:.2e} | {w['call']} |")
        else:
            w = max(sel, key=lambda r: r["maxAbs"])
            print(f"| {q} | {w['maxAbs']} | | | {w['call']} |")
    print("\n| call | bank size (ours / official) | keyframe updates (ours / official) |")
    print("|---|---|---|")
    for r in rows:
        if r["quantity"] == "keyframe bank":
            print(f"| {r['call']} | {r['bank']} / {r['bankOfficial']} | {r['keyframes']} / {r['keyframesOfficial']} |")

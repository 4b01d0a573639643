#!/usr/bin/python3
"""report.py - bench/results.md and the plot from one run's figures.

    report.py FIGURES.tsv RESULTS.md PLOT.png

FIGURES.tsv lines: SECTION, MEASURE, TOOL, UNIT, space-separated values
(one per run), written by bench/lib/*.sh and the bench programs, and
"#meta KEY VALUE" lines about the run (tab-separated). Every
number in the output comes from those files (and from the figures files
beside bench/history/ and bench/notes/ texts); the goals' verdicts are
computed here."""
import glob
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SECTIONS = {
    "M1": ("One large file to tmpfs", "One connection for every tool (aria2c `-x1 -s1 "
           "--file-allocation=none`). CPU = user + sys of the client process per GiB."),
    "M2": ("Many small files", "Files per second, wall clock of the whole command. openbits: "
           "one job holding every file; peers: one command with every URL."),
    "M3": ("Re-download after kill -9", "Bytes nginx sent before the kill minus the offset the "
           "resume asked for (socket buffers count for every tool alike). One value per kill."),
    "M4": ("Resume when the server file changed", "Interrupted by kill -9 (aria2c also by SIGTERM) after {change_kill_at} s, past "
           "openbits' first checkpoint (twice a second); the server file "
           "replaced (same size, newer mtime), then resumed. 1 = the new file whole (or a clean "
           "refusal); 0 = success reported with old and new bytes mixed."),
    "M5": ("Memory per queued job", "RSS gained by the process holding the jobs, in KB "
           "(1000 bytes) per job."),
    "M6": ("GetState / GetProgress latency", "In-process calls, jobs picked round-robin, while "
           "one job transfers from a rate-capped location. aria2c: tellStatus over JSON-RPC on "
           "one keep-alive connection (a different transport; shown for scale)."),
    "M7": ("Persistence overhead", "Store (SQLite, WAL, fdatasync'd checkpoints) against an "
           "in-memory manager in the same process, alternated run by run."),
    "M8": ("Rate-cap accuracy", "Cap asked of each tool against the mean rate achieved over "
           "the whole command (start-up included). MB = 10^6 bytes. Each file lasts "
           "{rate_seconds} s at its cap; curl averages its --limit-rate over several seconds "
           "(its maintainers in curl/curl#10503 and #10173), so over a transfer this short its "
           "cap barely acts."),
    "M9": ("Getters while another process holds the store's write lock", "A second process "
           "holds a write transaction (BEGIN IMMEDIATE) open on the store's database for the "
           "time the measures name, while a thread of the measuring process calls "
           "SetDescription every 50 ms (its first call waits for that lock); the main thread "
           "calls one getter on the jobs in turn, planned every 10 µs. "
           "A call is timed alone; the slots that pass while it is stuck count as callers who "
           "waited with it (answered when it returned), so a stall weighs by its length. "
           "\"No foreign lock\": the same with the writer thread alone (1 s per getter). Not "
           "pinned to one CPU."),
}


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            vals = [float(v) for v in parts[4].split()]
            rows.append({"section": parts[0], "measure": parts[1], "tool": parts[2],
                         "unit": parts[3], "values": [v for v in vals if v == v]})
    return rows


def load_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#meta\t"):
                k, _, v = line.rstrip("\n")[6:].partition("\t")
                meta[k] = v
    return meta


def fmt(v):
    if v is None:
        return "n/a"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


class Meta(dict):
    """Run facts for the section texts; unknown ones print as '?'."""

    def __missing__(self, key):
        return "?"


class Figures:
    def __init__(self, rows):
        self.rows = rows

    def find(self, section, measure, tool):
        for r in self.rows:
            if r["section"] == section and r["measure"].startswith(measure) and r["tool"] == tool:
                return r
        return None

    def values(self, section, measure, tool):
        r = self.find(section, measure, tool)
        return r["values"] if r and r["values"] else None

    def median(self, section, measure, tool):
        v = self.values(section, measure, tool)
        return statistics.median(v) if v else None

    def worst(self, section, measure, tool):
        v = self.values(section, measure, tool)
        return max(v) if v else None


def section_table(rows, section):
    out = ["| measure | tool | median | range | runs |", "|---|---|---|---|---|"]
    for r in rows:
        if r["section"] != section:
            continue
        v = r["values"]
        if r["unit"] == "pass":
            med = f"{'pass' if v and min(v) == 1 else 'FAIL'} ({int(sum(v))}/{len(v)})"
            rng = ""
        elif v:
            med = f"{fmt(statistics.median(v))} {r['unit']}"
            rng = f"{fmt(min(v))}–{fmt(max(v))}" if len(v) > 1 else ""
        else:
            med, rng = "n/a", ""
        out.append(f"| {r['measure']} | {r['tool']} | {med} | {rng} | {len(v)} |")
    return out


def history(directory):
    """Before/after pairs of the fixes: NAME.md, NAME.before.tsv, NAME.after.tsv."""
    out = []
    for text_path in sorted(glob.glob(os.path.join(directory, "*.md"))):
        base = text_path[:-3]
        if not (os.path.exists(base + ".before.tsv") and os.path.exists(base + ".after.tsv")):
            continue
        before, after = Figures(load(base + ".before.tsv")), load(base + ".after.tsv")
        with open(text_path) as f:
            out += [f.read().strip(), ""]
        pairs = []
        for r in after:
            b = before.find(r["section"], r["measure"], r["tool"])
            if b and b["values"] and r["values"]:
                pairs.append((r, b, statistics.median(r["values"]) / statistics.median(b["values"])))
        # The peers ran unchanged in both runs: their change is the machine's.
        peer_changes = [c for r, _, c in pairs if not r["tool"].startswith("openbits")]
        noise = statistics.median(peer_changes) if peer_changes else None
        out += ["| measure | tool | before (median, range) | after (median, range) | after / before "
                "| ÷ peers' change |", "|---|---|---|---|---|---|"]
        for r, b, change in pairs:
            bv, av = b["values"], r["values"]
            own = fmt(change / noise) if noise and r["tool"].startswith("openbits") else ""
            out.append(f"| {r['measure']} | {r['tool']} | {fmt(statistics.median(bv))} {r['unit']} "
                       f"({fmt(min(bv))}–{fmt(max(bv))}) | {fmt(statistics.median(av))} {r['unit']} "
                       f"({fmt(min(av))}–{fmt(max(av))}) | {fmt(change)} | {own} |")
        out.append("")
    return out


def notes(directory, section):
    """Notes kept under a section from run to run: SECTION-NAME.md, and the
    figures it speaks of in SECTION-NAME.tsv (a bench/run figures file)."""
    out = []
    for text_path in sorted(glob.glob(os.path.join(directory, f"{section}-*.md"))):
        with open(text_path) as f:
            out += [f.read().strip(), ""]
        tsv = text_path[:-3] + ".tsv"
        if os.path.exists(tsv):
            meta = load_meta(tsv)
            out += [f"Recorded by `{meta.get('command', '?')}` on {meta.get('date', '?')}, "
                    f"revision {meta.get('revision', '?')}, {meta.get('machine', '?')}; load "
                    f"average at the end {meta.get('load', '?')}.", ""]
            out += section_table(load(tsv), section) + [""]
    return out


def ratio(a, b):
    return a / b if a is not None and b else None


def goals(fig, meta):
    """Rows: goal, openbits figure, peers' figures, ratio, verdict."""
    g = []

    def add(goal, ours, peers, value, ok):
        verdict = "n/a" if value is None else ("**met**" if ok(value) else "**missed**")
        g.append((goal, ours, peers, fmt(value) if value is not None else "n/a", verdict))

    def m(section, measure, tool):
        return fig.median(section, measure, tool)

    peers1 = ", ".join(f"{t} {fmt(m('M1', 'wall', t))} s" for t in ("curl", "wget", "aria2c -x1"))
    for ob in ("openbits C API", "openbits CLI"):
        w = m("M1", "wall", ob)
        add(f"M1 wall ≤ 1.05× curl ({ob})", f"{fmt(w)} s", peers1, ratio(w, m("M1", "wall", "curl")),
            lambda r: r <= 1.05)
    cpu_peers = ", ".join(f"{t} {fmt(m('M1', 'CPU', t))} s" for t in ("curl", "wget", "aria2c -x1"))
    for ob in ("openbits C API", "openbits CLI"):
        c = m("M1", "CPU", ob)
        add(f"M1 CPU per GiB ≤ 1.1× curl ({ob})", f"{fmt(c)} s", cpu_peers,
            ratio(c, m("M1", "CPU", "curl")), lambda r: r <= 1.1)
    w = m("M1", "wall", "openbits C API")
    add("M1 ≥ 2× faster than aria2c -x1 (aria2c wall / ours)", f"{fmt(w)} s",
        f"aria2c -x1 {fmt(m('M1', 'wall', 'aria2c -x1'))} s", ratio(m("M1", "wall", "aria2c -x1"), w),
        lambda r: r >= 2)

    # M2's goals are about tmpfs (the library's own cost); the disk rows
    # are in the M2 table.
    tmpfs = next((r["measure"] for r in fig.rows if r["section"] == "M2" and
                  "disk" not in r["measure"]), "")

    def small(t):
        r = fig.find("M2", tmpfs, t) if tmpfs else None
        return statistics.median(r["values"]) if r and r["values"] else None

    for ob in ("openbits C API", "openbits CLI"):
        add(f"M2 sequential job ≥ 1.0× curl serial ({ob})", f"{fmt(small(ob))} files/s",
            f"curl serial {fmt(small('curl serial'))}, wget {fmt(small('wget'))}",
            ratio(small(ob), small("curl serial")), lambda r: r >= 1.0)
    par = "openbits C API, 50 in flight"
    add("M2 files in flight ≥ 0.8× curl -Z", f"{fmt(small(par))} files/s (50 in flight)",
        f"curl -Z (50) {fmt(small('curl -Z (50)'))}", ratio(small(par), small("curl -Z (50)")),
        lambda r: r >= 0.8)
    add("M2 files in flight ≥ 2× aria2c -j16", f"{fmt(small(par))} files/s (50 in flight)",
        f"aria2c -j16 {fmt(small('aria2c -j16'))}", ratio(small(par), small("aria2c -j16")),
        lambda r: r >= 2)

    sizes = sorted({r["measure"] for r in fig.rows if r["section"] == "M5" and
                    r["measure"].startswith("RSS per job")},
                   key=lambda s: int(s.split()[-2]))
    for size in sizes:
        ours = m("M5", size, "openbits (store)")
        mem = m("M5", size, "openbits (in memory)")
        add(f"M5 ≤ 2 KB per queued job ({size.split(', ')[1]})",
            f"{fmt(ours)} KB (store), {fmt(mem)} KB (in memory)",
            f"aria2c {fmt(m('M5', size, 'aria2c (RPC, paused)'))} KB",
            None if ours is None or mem is None else max(ours, mem), lambda r: r <= 2)
    aria_p99 = m("M6", "tellStatus p99", "aria2c (JSON-RPC, keep-alive)")
    c = m("M6", "GetState p99", "openbits C API")
    add("M6 GetState p99 ≤ 2 µs (C)", f"{fmt(c)} µs", f"aria2c tellStatus {fmt(aria_p99)} µs", c,
        lambda r: r <= 2)
    p = m("M6", "GetState p99", "openbits Python")
    add("M6 GetState p99 ≤ 20 µs (Python)", f"{fmt(p)} µs", f"aria2c tellStatus {fmt(aria_p99)} µs",
        p, lambda r: r <= 20)
    for where in ("tmpfs", "disk"):
        meas = next((r["measure"] for r in fig.rows if r["section"] == "M7" and
                     r["measure"].startswith("one ") and where in r["measure"]), None)
        if not meas:
            continue
        st, mem = m("M7", meas, "openbits (store)"), m("M7", meas, "openbits (in memory)")
        add(f"M7 persistence ≤ 5 % throughput cost ({where}; store / in memory ≥ 0.95)",
            f"{fmt(st)} MiB/s store, {fmt(mem)} MiB/s in memory", "(no peer persists jobs)",
            ratio(st, mem), lambda r: r >= 0.95)
    budget = max(float(meta.get("slow_rate", "0")), 4 * 1048576) / 1e6
    worst = fig.worst("M3", "re-fetched", "openbits C API")
    peers3 = ", ".join(f"{t} worst {fmt(fig.worst('M3', 're-fetched', t))} MB"
                       for t in ("aria2c (control file)", "curl -C -", "wget -c"))
    add(f"M3 re-fetch after kill -9 ≤ max(1 s of transfer, 4 MiB) = {fmt(budget)} MB (worst kill)",
        f"{fmt(worst)} MB", peers3, worst, lambda r: r <= budget)
    tools4 = ("openbits C API", "curl -C -", "wget -c", "aria2c -c", "aria2c -c (SIGTERM)")

    def share(t):
        v = fig.values("M4", "resume", t)
        return sum(v) / len(v) * 100 if v else None

    add("M4 resume correctness 100 % (%, server file changed)", f"{fmt(share(tools4[0]))} %",
        ", ".join(f"{t} {fmt(share(t))} %" for t in tools4[1:]), share(tools4[0]),
        lambda r: r >= 100)
    # M9: the goal is GetState's; GetProgress and GetDisplayName take the
    # manager's mutex and are shown against the same bound.
    for getter in ("GetState", "GetProgress", "GetDisplayName"):
        locked = next((r for r in fig.rows if r["section"] == "M9" and
                       r["measure"].startswith(f"{getter} p99,") and
                       "another process" in r["measure"]), None)
        free = next((r for r in fig.rows if r["section"] == "M9" and
                     r["measure"].startswith(f"{getter} p99,") and
                     "no foreign lock" in r["measure"]), None)
        if not locked:
            continue
        v = statistics.median(locked["values"]) if locked["values"] else None
        fv = statistics.median(free["values"]) if free and free["values"] else None
        cond = locked["measure"].split(", ", 2)[-1]
        extra = "" if getter == "GetState" else "; informational"
        add(f"M9 {getter} p99 ≤ 2 µs ({cond}{extra})", f"{fmt(v)} µs",
            f"no foreign lock {fmt(fv)} µs", v, lambda r: r <= 2)
    return g


def plot(fig, path):
    panels = [
        ("M1", "wall", "M1: wall time, one large file (s)", False),
        ("M2", "", "M2: small files per second (tmpfs; disk rows say so)", False),
        ("M3", "re-fetched", "M3: MB re-fetched after kill -9", False),
        ("M5", "RSS per job", "M5: KB per queued job (largest count)", False),
        ("M6", "GetState p99", "M6: GetState / tellStatus p99 (µs, log)", True),
        ("M8", "achieved", "M8: achieved / asked rate cap", False),
    ]
    f, axes = plt.subplots(2, 3, figsize=(16, 9))
    for ax, (section, measure, title, log) in zip(axes.flat, panels):
        rows = [r for r in fig.rows if r["section"] == section and r["values"] and
                r["measure"].startswith(measure)]
        if section == "M5" and rows:
            last = max(int(r["measure"].split()[-2]) for r in rows)
            rows = [r for r in rows if int(r["measure"].split()[-2]) == last]
        if section == "M6":
            rows = [r for r in fig.rows if r["section"] == "M6" and r["values"] and
                    (r["measure"].startswith("GetState p99") or r["measure"].startswith("tellStatus p99"))]
        labels, meds, lo, hi = [], [], [], []
        for r in rows:
            v = r["values"]
            scale = 1.0
            label = r["tool"]
            if section == "M6":
                label = f"{r['tool']}, {r['measure'].split(', ')[1]}"
            if section == "M2" and "disk" in r["measure"]:
                label = f"{r['tool']} (disk)"
            if section == "M8":
                asked = r["measure"].split()[3]  # "achieved at a N MB/s cap"
                scale = 1.0 / float(asked)
                label = f"{r['tool']} @{asked} MB/s"
            md = statistics.median(v) * scale
            labels.append(label)
            meds.append(md)
            lo.append(md - min(v) * scale)
            hi.append(max(v) * scale - md)
        colors = ["tab:blue" if lab.startswith("openbits") else "tab:gray" for lab in labels]
        ax.barh(range(len(labels)), meds, xerr=[lo, hi], color=colors, capsize=3)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=9)
        if log and any(v > 0 for v in meds):
            ax.set_xscale("log")
        if section == "M8":  # one tool far off the scale would flatten the rest
            ax.axvline(1.0, color="k", linewidth=0.8)
            ax.set_xlim(0, 2)
            for i, md in enumerate(meds):
                if md > 2:
                    ax.text(1.95, i, f"{md:.0f}×", ha="right", va="center", fontsize=7)
    f.suptitle("openbits against curl, wget and aria2c (median, bars = range); blue = openbits")
    f.tight_layout()
    f.savefig(path, dpi=90)


def main():
    fig_path, md_path, png_path = sys.argv[1:4]
    meta = load_meta(fig_path)
    rows = load(fig_path)
    fig = Figures(rows)
    out = ["# openbits benchmarks", "",
           f"Written by `{meta.get('command', 'bench/run')}` on {meta.get('date', '?')}, "
           f"revision {meta.get('revision', '?')}; every figure below comes from that run "
           "(raw values: `bench/figures.tsv`). Regenerate with `bench/run` (about 10 minutes; "
           "`--quick` for a smoke run under 2).", "",
           "| | |", "|---|---|"]
    for k in ("machine", "load", "openbits", "curl", "wget", "aria2c", "nginx", "python"):
        label = "load average at the end" if k == "load" else k
        out.append(f"| {label} | {meta.get(k, '?')} |")
    out += ["", "Server: one nginx worker on 127.0.0.1 pinned to CPU 1 (sendfile, plain "
            "HTTP/1.1); every client pinned to CPU 0; data and destinations in tmpfs "
            "(`/dev/shm`), destinations deleted between runs; tools interleaved run by run. "
            "The machine is shared, so compare figures only within one run and mind the ranges.",
            "", "## Goals", "",
            "| goal | openbits | peers (same run) | ratio / value | verdict |",
            "|---|---|---|---|---|"]
    for row in goals(fig, meta):
        out.append("| " + " | ".join(row) + " |")
    out += ["", "![plot](results.png)", ""]
    here = os.path.dirname(os.path.abspath(__file__))
    for section, (title, text) in SECTIONS.items():
        out += [f"## {section}. {title}", "", text.format_map(Meta(meta)), ""]
        if any(r["section"] == section for r in rows):
            out += section_table(rows, section)
        else:
            out.append("Not measured in this run.")
        out.append("")
        out += notes(os.path.join(here, "notes"), section)
    fixes = history(os.path.join(here, "history"))
    if fixes:
        out += ["## Fixes found with these benchmarks (before / after)", "",
                "Figures from `bench/history/` (recorded by `bench/run` before and after each "
                "change, same machine, same command; oldest first). The peers ran unchanged in both runs, so "
                "their change is the machine's noise; the last column divides openbits' change "
                "by the median change of the peers.", ""] + fixes
    with open(md_path, "w") as f:
        f.write("\n".join(out))
    plot(fig, png_path)


main()

#!/usr/bin/env python3
"""Turns the experiments' search stores into the charts (SVG) and tables (Markdown) of
docs/experiments.md. Standard library only: stores are read with sqlite3 in read-only mode, the
charts are written as plain SVG.

  analyze.py strategies --out PREFIX --trials N LABEL:STORE ...
  analyze.py histograms --out PREFIX LABEL:STORE ...
  analyze.py fronts     --out PREFIX [--reference NAME:ACC:RATIO ...] [--references-from STORE]
                        LABEL:STORE ...
  analyze.py timeline   --out PREFIX --minutes M LABEL:STORE ...
  analyze.py precision  --out PREFIX PRECISION:STORE ...   (int8_vs_fp32.sh: each store's
                                              STORE.int8.json beside it)
  analyze.py tau        --out PREFIX FOLDER   (NAME.TAG.json of mnas train --json; TAG long,
                                              TAG-seed2 the same training with seed 2)

Latency is judged as the reward does, as the ratio LAT/T of each trial (T: the target model
timed or predicted alongside it), so that stores with different T are comparable. Hypervolume:
the area dominated by the done trials in (LAT/T, accuracy), with the reference point
(LAT/T = 2, accuracy 0) — the issue's (accuracy 0, latency 2T).
"""
import argparse
import json
import math
import sqlite3
import statistics
import sys
from collections import OrderedDict

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]


def fail(message):
    print(f"analyze.py: {message}", file=sys.stderr)
    sys.exit(1)


class Trial:
    __slots__ = ("step", "idx", "status", "accuracy", "latency_ms", "ratio", "reward", "seconds",
                 "canonical", "partial", "created")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def load_trials(path, prefer_measured=False):
    """Every trial of a store in proposal order (step, index). `partial`: a multi-fidelity trial
    that stopped below the full proxy (its accuracy is a lower rung's): left off fronts and best
    rewards here, as mnas results does. `prefer_measured`: a predicted latency that was confirmed
    on the device counts with the measurement (to compare predicted and measured searches)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        columns = {r[1] for r in db.execute("PRAGMA table_info(trials)")}
        partial = "partial" if "partial" in columns else "0"
        rows = db.execute("SELECT step, idx, status, accuracy, latency_ms, reward, latency_json, "
                          f"seconds, canonical, {partial}, created FROM trials "
                          "ORDER BY step, idx").fetchall()
        db.close()
    except sqlite3.Error as e:
        fail(f"{path}: {e}")
    trials = []
    for (step, idx, status, acc, lat, reward, latency_json, seconds, canonical, part,
         created) in rows:
        ratio = None
        if latency_json:
            devices = json.loads(latency_json).get("devices") or []
            if devices:
                ratio = devices[0]["ratio"]
                measured, target = (devices[0].get("measured_ms"),
                                    devices[0].get("measured_target_ms"))
                if prefer_measured and measured and target:
                    ratio = measured / target
        trials.append(Trial(step=step, idx=idx, status=status, accuracy=acc, latency_ms=lat,
                            ratio=ratio, reward=reward, seconds=seconds, canonical=canonical,
                            partial=bool(part), created=created))
    if not trials:
        fail(f"{path}: no trials")
    return trials


def load_references(path):
    """The done zoo references of a store: (name, accuracy, LAT/T)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rows = db.execute("SELECT name, status, accuracy, latency_json FROM references_ "
                          "ORDER BY name").fetchall()
        db.close()
    except sqlite3.Error as e:
        fail(f"{path}: {e}")
    out = []
    for name, status, acc, latency_json in rows:
        devices = json.loads(latency_json).get("devices") if latency_json else None
        if status == "done" and devices:
            out.append((name, acc, devices[0]["ratio"]))
    if not out:
        fail(f"{path}: no evaluated references")
    return out


def front(points):
    """Non-dominated (ratio, accuracy) points, ratio ascending: fast and accurate."""
    best = []
    for r, a in sorted(points, key=lambda p: (p[0], -p[1])):
        if not best or a > best[-1][1]:
            best.append((r, a))
    return best


def hypervolume(points, ref_ratio=2.0):
    area, prev_acc = 0.0, 0.0
    for r, a in front([p for p in points if p[0] < ref_ratio]):
        area += (ref_ratio - r) * (a - prev_acc)
        prev_acc = a
    return area


def curves(trials, n):
    """Best reward and hypervolume after each of the first n trials."""
    best, hv, points, b = [], [], [], 0.0
    for t in trials[:n]:
        if t.status == "done" and not t.partial:
            b = max(b, t.reward)
            if t.ratio is not None:
                points.append((t.ratio, t.accuracy))
        best.append(b)
        hv.append(hypervolume(points))
    return best, hv


# ---------------------------------------------------------------- SVG
class Chart:
    """A line/scatter chart in plain SVG: one plot area, axes with ticks, a legend."""

    def __init__(self, title, xlabel, ylabel, xs, ys, width=560, height=340):
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.x0, self.x1 = xs
        self.y0, self.y1 = ys
        self.w, self.h = width, height
        self.left, self.right, self.top, self.bottom = 62, 150, 34, 46
        self.items, self.legend = [], []

    def px(self, x):
        return self.left + (x - self.x0) / (self.x1 - self.x0) * (self.w - self.left - self.right)

    def py(self, y):
        return self.h - self.bottom - (y - self.y0) / (self.y1 - self.y0) * (
            self.h - self.top - self.bottom)

    def line(self, xs, ys, color, label=None, dash=False):
        pts = " ".join(f"{self.px(x):.1f},{self.py(y):.1f}" for x, y in zip(xs, ys))
        d = ' stroke-dasharray="5,3"' if dash else ""
        self.items.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.8"{d} '
                          f'points="{pts}"/>')
        if label:
            self.legend.append((label, color, "line"))

    def band(self, xs, lo, hi, color):
        pts = [f"{self.px(x):.1f},{self.py(y):.1f}" for x, y in zip(xs, hi)]
        pts += [f"{self.px(x):.1f},{self.py(y):.1f}" for x, y in zip(reversed(xs), reversed(lo))]
        self.items.append(f'<polygon fill="{color}" fill-opacity="0.15" stroke="none" '
                          f'points="{" ".join(pts)}"/>')

    def dots(self, xs, ys, color, label=None, r=2.6, marker="circle"):
        for x, y in zip(xs, ys):
            if marker == "square":
                self.items.append(f'<rect x="{self.px(x) - r:.1f}" y="{self.py(y) - r:.1f}" '
                                  f'width="{2 * r}" height="{2 * r}" fill="{color}"/>')
            else:
                self.items.append(f'<circle cx="{self.px(x):.1f}" cy="{self.py(y):.1f}" r="{r}" '
                                  f'fill="{color}" fill-opacity="0.75"/>')
        if label:
            self.legend.append((label, color, marker))

    def bars(self, edges, counts, color, label, offset, width):
        for (a, b), c in zip(zip(edges, edges[1:]), counts):
            if c == 0:
                continue
            x = self.px(a) + offset * (self.px(b) - self.px(a))
            w = width * (self.px(b) - self.px(a))
            self.items.append(f'<rect x="{x:.1f}" y="{self.py(c):.1f}" width="{w:.1f}" '
                              f'height="{self.py(0) - self.py(c):.1f}" fill="{color}" '
                              f'fill-opacity="0.8"/>')
        self.legend.append((label, color, "square"))

    def label(self, x, y, text, dx=6, dy=4, size=9):
        """A point's name beside it (dx, dy pixels off)."""
        self.items.append(f'<text x="{self.px(x) + dx:.1f}" y="{self.py(y) + dy:.1f}" '
                          f'font-size="{size}">{text}</text>')

    def vline(self, x, label, color="#555"):
        self.items.append(f'<line x1="{self.px(x):.1f}" x2="{self.px(x):.1f}" '
                          f'y1="{self.py(self.y0):.1f}" y2="{self.py(self.y1):.1f}" '
                          f'stroke="{color}" stroke-dasharray="2,3"/>')
        self.items.append(f'<text x="{self.px(x) + 3:.1f}" y="{self.py(self.y1) + 10:.1f}" '
                          f'font-size="10" fill="{color}">{label}</text>')

    @staticmethod
    def ticks(lo, hi, n=5):
        span = hi - lo
        step = 10 ** math.floor(math.log10(span / n)) if span > 0 else 1
        for m in (1, 2, 5, 10):
            if span / (step * m) <= n:
                step *= m
                break
        t = math.ceil(lo / step) * step
        out = []
        while t <= hi + 1e-12:
            out.append(round(t, 10))
            t += step
        return out

    def svg(self):
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.w}" height="{self.h}" '
               f'font-family="sans-serif" font-size="11">',
               f'<rect width="{self.w}" height="{self.h}" fill="white"/>',
               f'<text x="{self.left}" y="18" font-size="13" font-weight="bold">'
               f'{self.title}</text>']
        xa, xb, ya, yb = self.px(self.x0), self.px(self.x1), self.py(self.y0), self.py(self.y1)
        out.append(f'<rect x="{xa:.1f}" y="{yb:.1f}" width="{xb - xa:.1f}" height="{ya - yb:.1f}"'
                   f' fill="none" stroke="#333"/>')
        for t in self.ticks(self.x0, self.x1):
            out.append(f'<line x1="{self.px(t):.1f}" x2="{self.px(t):.1f}" y1="{ya:.1f}" '
                       f'y2="{ya + 4:.1f}" stroke="#333"/>')
            out.append(f'<text x="{self.px(t):.1f}" y="{ya + 16:.1f}" text-anchor="middle">'
                       f'{t:g}</text>')
        for t in self.ticks(self.y0, self.y1):
            out.append(f'<line x1="{xa - 4:.1f}" x2="{xb:.1f}" y1="{self.py(t):.1f}" '
                       f'y2="{self.py(t):.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{xa - 6:.1f}" y="{self.py(t) + 4:.1f}" text-anchor="end">'
                       f'{t:g}</text>')
        out.append(f'<text x="{(xa + xb) / 2:.1f}" y="{self.h - 8}" text-anchor="middle">'
                   f'{self.xlabel}</text>')
        out.append(f'<text transform="translate(14,{(ya + yb) / 2:.1f}) rotate(-90)" '
                   f'text-anchor="middle">{self.ylabel}</text>')
        out += self.items
        for i, (label, color, kind) in enumerate(self.legend):
            y = self.top + 8 + 16 * i
            x = self.w - self.right + 12
            if kind == "line":
                out.append(f'<line x1="{x}" x2="{x + 16}" y1="{y}" y2="{y}" stroke="{color}" '
                           f'stroke-width="2"/>')
            else:
                out.append(f'<rect x="{x + 4}" y="{y - 4}" width="8" height="8" fill="{color}"/>')
            out.append(f'<text x="{x + 22}" y="{y + 4}">{label}</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    print(f"analyze.py: wrote {path}", file=sys.stderr)


def labelled(specs):
    groups = OrderedDict()
    for spec in specs:
        if ":" not in spec:
            fail(f"'{spec}': expected LABEL:STORE")
        label, path = spec.split(":", 1)
        groups.setdefault(label, []).append(path)
    return groups


def mean_sd(values):
    m = statistics.mean(values)
    return m, (statistics.stdev(values) if len(values) > 1 else 0.0)


# ---------------------------------------------------------------- experiments
def cmd_strategies(args):
    groups = labelled(args.stores)
    n = args.trials
    rows, series = [], OrderedDict()
    for label, paths in groups.items():
        bests, hvs, finals = [], [], []
        for p in paths:
            trials = load_trials(p)
            if len(trials) < n:
                fail(f"{p}: {len(trials)} trials, fewer than {n}")
            b, h = curves(trials, n)
            bests.append(b)
            hvs.append(h)
            # What the strategy samples once it has learned: the mean reward of the second half
            # (a failed trial counts as its reward, 0), and where its samples sit against T.
            late = [t.reward for t in trials[n // 2:n]]
            ratios = [t.ratio for t in trials[:n] if t.status == "done" and t.ratio is not None]
            finals.append((b[-1], h[-1], b[n // 2 - 1], h[n // 2 - 1], statistics.mean(late),
                           statistics.median(ratios)))
        series[label] = (bests, hvs)
        rows.append((label, len(paths), mean_sd([f[0] for f in finals]),
                     mean_sd([f[1] for f in finals]), mean_sd([f[2] for f in finals]),
                     mean_sd([f[3] for f in finals]), [f[0] for f in finals],
                     mean_sd([f[4] for f in finals]), mean_sd([f[5] for f in finals])))
    xs = list(range(1, n + 1))
    for key, name, idx in (("reward", "best reward", 0), ("hypervolume", "Pareto hypervolume", 1)):
        lo = min(min(min(c) for c in series[l][idx]) for l in series)
        hi = max(max(max(c) for c in series[l][idx]) for l in series)
        pad = (hi - lo) * 0.05 or 0.01
        chart = Chart(f"{name} over trials (mean of seeds; band: min-max)", "trials", name,
                      (1, n), (lo - pad, hi + pad))
        for i, (label, curves_) in enumerate(series.items()):
            c = curves_[idx]
            mean = [statistics.mean(v) for v in zip(*c)]
            chart.band(xs, [min(v) for v in zip(*c)], [max(v) for v in zip(*c)],
                       PALETTE[i % len(PALETTE)])
            chart.line(xs, mean, PALETTE[i % len(PALETTE)], label)
        write(f"{args.out}_{key}.svg", chart.svg())
    md = ["| strategy | seeds | best reward at %d | hypervolume at %d | best reward at %d | "
          "hypervolume at %d | best reward per seed | mean reward of trials %d-%d | "
          "median LAT/T |" % (n, n, n // 2, n // 2, n // 2 + 1, n),
          "|---|---|---|---|---|---|---|---|---|"]
    for label, k, b, h, b2, h2, per, late, ratio in rows:
        md.append(f"| {label} | {k} | {b[0]:.4f} ± {b[1]:.4f} | {h[0]:.4f} ± {h[1]:.4f} | "
                  f"{b2[0]:.4f} ± {b2[1]:.4f} | {h2[0]:.4f} ± {h2[1]:.4f} | "
                  f"{', '.join(f'{x:.4f}' for x in per)} | {late[0]:.4f} ± {late[1]:.4f} | "
                  f"{ratio[0]:.2f} ± {ratio[1]:.2f} |")
    write(f"{args.out}.md", "\n".join(md) + "\n")


def cmd_histograms(args):
    groups = labelled(args.stores)
    ratios = OrderedDict()
    for label, paths in groups.items():
        ratios[label] = [t.ratio for p in paths for t in load_trials(p)
                         if t.status == "done" and t.ratio is not None]  # every sampled model
    hi = max(max(v) for v in ratios.values())
    edges = [i * 0.1 for i in range(int(math.ceil(hi / 0.1)) + 1)]
    counts = OrderedDict()
    for label, v in ratios.items():
        c = [0] * (len(edges) - 1)
        for r in v:
            c[min(int(r / 0.1), len(c) - 1)] += 1
        counts[label] = c
    top = max(max(c) for c in counts.values())
    chart = Chart("latency of the sampled models", "LAT / T", "models", (0, edges[-1]),
                  (0, top * 1.1))
    k = len(counts)
    for i, (label, c) in enumerate(counts.items()):
        chart.bars(edges, c, PALETTE[i % len(PALETTE)], label, i / k, 1 / k)
    chart.vline(1.0, "T")
    write(f"{args.out}.svg", chart.svg())
    md = ["| reward | models | median LAT/T | within ±10% of T | over T |", "|---|---|---|---|---|"]
    for label, v in ratios.items():
        near = sum(1 for r in v if abs(r - 1) <= 0.1) / len(v)
        over = sum(1 for r in v if r > 1) / len(v)
        md.append(f"| {label} | {len(v)} | {statistics.median(v):.3f} | {100 * near:.0f}% | "
                  f"{100 * over:.0f}% |")
    write(f"{args.out}.md", "\n".join(md) + "\n")


def cmd_fronts(args):
    groups = labelled(args.stores)
    chart_pts = OrderedDict()
    for label, paths in groups.items():
        pts = [(t.ratio, t.accuracy) for p in paths for t in load_trials(p)
               if t.status == "done" and not t.partial and t.ratio is not None]
        chart_pts[label] = pts
    refs = []
    for spec in args.reference or []:
        name, acc, ratio = spec.rsplit(":", 2)
        refs.append((name, float(acc), float(ratio)))
    for path in args.references_from or []:
        refs += load_references(path)
    all_r = [r for v in chart_pts.values() for r, _ in v] + [r for _, _, r in refs]
    all_a = [a for v in chart_pts.values() for _, a in v] + [a for _, a, _ in refs]
    lo_a = max(0.0, min(all_a) - 0.01)
    chart = Chart("accuracy against latency", "LAT / T", "accuracy", (0, max(all_r) * 1.05),
                  (lo_a, max(all_a) + 0.01))
    for i, (label, pts) in enumerate(chart_pts.items()):
        color = PALETTE[i % len(PALETTE)]
        chart.dots([r for r, _ in pts], [a for _, a in pts], color, label, r=2)
        f = front(pts)
        chart.line([r for r, _ in f], [a for _, a in f], color)
    if refs:
        chart.dots([r for _, _, r in refs], [a for _, a, _ in refs], "#000", "hand-designed",
                   r=3.5, marker="square")
        for name, a, r in refs:
            chart.label(r, a, name, dx=5, dy=-4)
    chart.vline(1.0, "T")
    write(f"{args.out}.svg", chart.svg())
    md = ["| search | models | Pareto models | hypervolume | most accurate (acc @ LAT/T) | "
          "best at LAT/T ≤ 1 |", "|---|---|---|---|---|---|"]
    for label, pts in chart_pts.items():
        f = front(pts)
        top = max(pts, key=lambda p: p[1])
        under = [p for p in pts if p[0] <= 1.0]
        best_under = max(under, key=lambda p: p[1]) if under else None
        md.append(f"| {label} | {len(pts)} | {len(f)} | {hypervolume(pts):.4f} | "
                  f"{100 * top[1]:.2f}% @ {top[0]:.3f} | " +
                  (f"{100 * best_under[1]:.2f}% @ {best_under[0]:.3f} |" if best_under else "— |"))
    for name, a, r in refs:
        md.append(f"| {name} (hand-designed) | 1 | — | — | {100 * a:.2f}% @ {r:.3f} | — |")
    write(f"{args.out}.md", "\n".join(md) + "\n")


def cmd_timeline(args):
    """Hypervolume against wall-clock minutes since each search's first trial was stored (the
    trials' `created` stamps, to the second), mean of the seeds per label."""
    import datetime
    groups = labelled(args.stores)
    grid = [m / 4 for m in range(0, int(args.minutes * 4) + 1)]
    series, rows, seed_rows = OrderedDict(), [], []
    for label, paths in groups.items():
        per_seed, counts, full, bests = [], [], [], []
        for p in paths:
            trials = load_trials(p, prefer_measured=True)
            stamps = [datetime.datetime.strptime(t.created, "%Y-%m-%dT%H:%M:%SZ") for t in trials]
            t0 = min(stamps) - datetime.timedelta(seconds=trials[0].seconds)
            minutes = [(s - t0).total_seconds() / 60 for s in stamps]
            curve = []
            for m in grid:
                pts = [(t.ratio, t.accuracy) for t, at in zip(trials, minutes)
                       if at <= m and t.status == "done" and not t.partial and t.ratio is not None]
                curve.append(hypervolume(pts))
            per_seed.append(curve)
            counts.append(sum(1 for at in minutes if at <= args.minutes))
            full.append(sum(1 for t, at in zip(trials, minutes)
                            if at <= args.minutes and not t.partial))
            bests.append(max([t.reward for t, at in zip(trials, minutes)
                              if at <= args.minutes and t.status == "done" and not t.partial],
                             default=0.0))
        series[label] = per_seed
        seed_rows.extend((label, p, c[len(grid) // 2], c[-1], n, f, b)
                         for p, c, n, f, b in zip(paths, per_seed, counts, full, bests))
        rows.append((label, len(paths), mean_sd([c[-1] for c in per_seed]),
                     mean_sd([c[len(grid) // 2] for c in per_seed]), mean_sd(counts),
                     mean_sd(full), mean_sd(bests)))
    hi = max(max(max(c) for c in v) for v in series.values())
    chart = Chart("Hypervolume over wall-clock time (mean of seeds, band min-max)",
                  "minutes", "hypervolume", (0, args.minutes), (0, hi * 1.05 or 1))
    for i, (label, curves_) in enumerate(series.items()):
        chart.band(grid, [min(v) for v in zip(*curves_)], [max(v) for v in zip(*curves_)],
                   PALETTE[i % len(PALETTE)])
        chart.line(grid, [statistics.mean(v) for v in zip(*curves_)], PALETTE[i % len(PALETTE)],
                   label)
    write(f"{args.out}.svg", chart.svg())
    half = args.minutes / 2
    md = [f"| search | seeds | hypervolume at {args.minutes:g} min | at {half:g} min | "
          f"best reward at {args.minutes:g} min | trials | full-proxy trials |",
          "|---|---|---|---|---|---|---|"]
    for label, k, h, h2, c, f, b in rows:
        md.append(f"| {label} | {k} | {h[0]:.4f} ± {h[1]:.4f} | {h2[0]:.4f} ± {h2[1]:.4f} | "
                  f"{b[0]:.4f} ± {b[1]:.4f} | {c[0]:.1f} ± {c[1]:.1f} | {f[0]:.1f} ± {f[1]:.1f} |")
    md += ["", f"| search | store | hypervolume at {half:g} min | at {args.minutes:g} min | "
           "best reward | trials | full-proxy trials |", "|---|---|---|---|---|---|---|"]
    import os
    for label, path, h2, h, n, f, b in seed_rows:
        md.append(f"| {label} | {os.path.basename(path)} | {h2:.4f} | {h:.4f} | {b:.4f} | {n} | "
                  f"{f} |")
    write(f"{args.out}.md", "\n".join(md) + "\n")


def kendall_tau(xs, ys, min_dy=0.0):
    """Kendall's tau-b of two equally long lists (ties in either count as neither); with
    min_dy > 0, only over the pairs whose ys differ by more than min_dy."""
    concordant = discordant = tied_x = tied_y = 0
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            dx, dy = xs[i] - xs[j], ys[i] - ys[j]
            if min_dy > 0 and abs(dy) <= min_dy:
                continue
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tied_x += 1
            elif dy == 0:
                tied_y += 1
            elif dx * dy > 0:
                concordant += 1
            else:
                discordant += 1
    denominator = math.sqrt((concordant + discordant + tied_x) * (concordant + discordant + tied_y))
    return (concordant - discordant) / denominator if denominator else float("nan")


def pairs_apart(ys, min_dy):
    return sum(1 for i in range(len(ys)) for j in range(i + 1, len(ys))
               if abs(ys[i] - ys[j]) > min_dy)


SEED2 = "-seed2"  # a tag's second seed (NAME.TAG-seed2.json): seed noise, not a proxy of its own


def cmd_tau(args):
    import glob
    import os
    results = {}
    for path in sorted(glob.glob(os.path.join(args.folder, "*.json"))):
        name, tag = os.path.basename(path)[:-5].rsplit(".", 1)
        with open(path) as f:
            j = json.load(f)
        if j.get("status") != "done":
            fail(f"{path}: the training did not finish ({j.get('status')}: {j.get('reason')})")
        results.setdefault(name, {})[tag] = (j["top1"], j["seconds"])
    names = sorted(n for n, r in results.items() if "long" in r)
    if len(names) < 3:
        fail(f"{args.folder}: {len(names)} architectures with a long training; need ≥ 3")
    tags = {t for r in results.values() for t in r}
    proxies = sorted(t for t in tags if t != "long" and not t.endswith(SEED2))
    # The long training's own seed noise: the largest move a second seed made, in accuracy.
    long_twice = [n for n in names if "long" + SEED2 in results[n]]
    long_noise = max((abs(results[n]["long"][0] - results[n]["long" + SEED2][0])
                      for n in long_twice), default=0.0)
    long_acc = [results[n]["long"][0] for n in names]
    chart = Chart("proxy accuracy against a longer training", "long training accuracy",
                  "proxy accuracy", (min(long_acc) - 0.02, max(long_acc) + 0.02), (0, 1))
    apart = f"τ over pairs > {100 * long_noise:.2f} points apart in the long training"
    md = ["| proxy | architectures | Kendall τ against the long training | "
          + (f"{apart} (pairs) | " if long_noise > 0 else "") + "seconds per trial (median) |",
          "|---|---|---|---|" + ("---|" if long_noise > 0 else "")]
    for i, tag in enumerate(proxies):
        have = [n for n in names if tag in results[n]]
        xs = [results[n]["long"][0] for n in have]
        ys = [results[n][tag][0] for n in have]
        tau = kendall_tau(ys, xs)
        chart.dots(xs, ys, PALETTE[i % len(PALETTE)], f"{tag} (τ {tau:.2f})", r=3)
        robust = (f"{kendall_tau(ys, xs, long_noise):.3f} ({pairs_apart(xs, long_noise)}) | "
                  if long_noise > 0 else "")
        md.append(f"| {tag} | {len(have)} | {tau:.3f} | {robust}"
                  f"{statistics.median(results[n][tag][1] for n in have):.1f} |")
    md.append(f"| long | {len(names)} | 1 | " + ("— | " if long_noise > 0 else "")
              + f"{statistics.median(results[n]['long'][1] for n in names):.0f} |")
    md += ["", "| architecture | " + " | ".join(proxies) + " | long |",
           "|---|" + "---|" * (len(proxies) + 1)]
    for n in names:
        cells = [f"{100 * results[n][t][0]:.2f}%" if t in results[n] else "—" for t in proxies]
        md.append(f"| {n} | " + " | ".join(cells) + f" | {100 * results[n]['long'][0]:.2f}% |")
    # Seed noise: the same training with seed 2 (τ between the seeds where there are ≥ 3).
    noise = []
    for tag in sorted(t for t in tags if t.endswith(SEED2)):
        base = tag[:-len(SEED2)]
        have = sorted(n for n, r in results.items() if base in r and tag in r)
        a = [results[n][base][0] for n in have]
        b = [results[n][tag][0] for n in have]
        moves = [abs(x - y) for x, y in zip(a, b)]
        tau = f"{kendall_tau(a, b):.3f}" if len(have) >= 3 else "—"
        noise.append(f"| {base} | {len(have)} | {tau} | {100 * statistics.median(moves):.2f} | "
                     f"{100 * max(moves):.2f} |")
    if noise:
        md += ["", "| seed noise: training | architectures trained with seeds 1 and 2 | "
               "Kendall τ between the seeds | median move (points) | largest move (points) |",
               "|---|---|---|---|---|"] + noise
    write(f"{args.out}.svg", chart.svg())
    write(f"{args.out}.md", "\n".join(md) + "\n")

def layer_counts(canonical):
    """(layers, with SE, 5x5 kernels, expansion 6) of a canonical architecture string, each block
    counted once per layer it repeats."""
    blocks = canonical.split(":blocks=")[1].split(":")[0].split(",")
    layers = se = k5 = e6 = 0
    for block in blocks:
        fields = block.split("_")
        reps = int(next(f[1:] for f in fields if f.startswith("r")))
        layers += reps
        se += reps * any(f.startswith("se") and f != "se0" for f in fields)
        k5 += reps * ("k5" in fields)
        e6 += reps * ("e6" in fields)
    return layers, se, k5, e6


def cmd_precision(args):
    """The fp32 and int8 searches' bests, each judged at int8 (int8_vs_fp32.sh)."""
    rows = []
    for spec in args.stores:
        precision, path = spec.split(":", 1)
        trials = [t for t in load_trials(path) if t.status == "done" and not t.partial]
        if not trials:
            fail(f"{path}: no finished full-proxy trial")
        best = max(trials, key=lambda t: t.reward)
        try:
            with open(f"{path}.int8.json") as f:
                judged = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"{path}.int8.json: {e}")
        finalist, versus = judged["finalist"], judged["versus"]
        if finalist["canonical"] != best.canonical:
            fail(f"{path}: finalize judged another architecture than the best by reward")
        top10 = sorted(trials, key=lambda t: -t.reward)[:10]
        shares = [layer_counts(t.canonical) for t in top10]
        ratio = versus["ratio_median"]
        rows.append({
            "precision": precision, "store": path, "trials": len(trials),
            "search_reward": best.reward, "search_accuracy": best.accuracy,
            "counts": layer_counts(best.canonical),
            "top10": [sum(c[i] for c in shares) / sum(c[0] for c in shares) for i in range(1, 4)],
            "int8_top1": finalist["test_top1"], "fp32_top1": finalist["fp32_top1"],
            "int8_ms": versus["median_ms"], "ratio": ratio,
            # The soft reward at T = MobileNetV2 in int8 (alpha = beta = -0.07).
            "int8_reward": finalist["test_top1"] * ratio ** -0.07,
        })
    groups = OrderedDict()
    for r in rows:
        groups.setdefault(r["precision"], []).append(r)
    chart = Chart("each search's best at int8", "int8 LAT / T (T: MobileNetV2 in int8)",
                  "int8 test accuracy", (0, max(r["ratio"] for r in rows) * 1.15),
                  (min(r["int8_top1"] for r in rows) - 0.01, max(r["int8_top1"] for r in rows) + 0.01))
    for i, (precision, these) in enumerate(groups.items()):
        chart.dots([r["ratio"] for r in these], [r["int8_top1"] for r in these],
                   PALETTE[i % len(PALETTE)], f"searched at {precision}", r=4)
    for r in rows:  # which store each point is: "int8-2" for precision-int8-2.db
        tag = r["store"].rsplit("/", 1)[-1].removeprefix("precision-").removesuffix(".db")
        chart.label(r["ratio"], r["int8_top1"], tag)
    chart.vline(1.0, "T")
    write(f"{args.out}.svg", chart.svg())
    md = ["| search | store | trials | best's layers: SE / 5x5 / e6 (of all) | top 10: SE / 5x5 / e6 "
          "share of layers | int8 test acc (fp32) | int8 ms | int8 LAT/T | int8 reward |",
          "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        layers, se, k5, e6 = r["counts"]
        md.append(f"| {r['precision']} | {r['store'].rsplit('/', 1)[-1]} | {r['trials']} | "
                  f"{se} / {k5} / {e6} (of {layers}) | "
                  + " / ".join(f"{100 * x:.0f}%" for x in r["top10"]) + " | "
                  f"{100 * r['int8_top1']:.2f}% ({100 * r['fp32_top1']:.2f}%) | "
                  f"{r['int8_ms']:.4f} | {r['ratio']:.3f} | {r['int8_reward']:.4f} |")
    md += ["", "| search | seeds | int8 test acc | quantization loss (pt) | int8 LAT/T | "
           "int8 reward | SE layers | 5x5 layers | e6 layers |", "|---|---|---|---|---|---|---|---|---|"]
    for precision, these in groups.items():
        def ms(values, scale=1.0, digits=2):
            m, sd = mean_sd([scale * v for v in values])
            return f"{m:.{digits}f} ± {sd:.{digits}f}"
        md.append(f"| {precision} | {len(these)} | "
                  f"{ms([r['int8_top1'] for r in these], 100)}% | "
                  f"{ms([r['fp32_top1'] - r['int8_top1'] for r in these], 100)} | "
                  f"{ms([r['ratio'] for r in these], 1, 3)} | "
                  f"{ms([r['int8_reward'] for r in these], 1, 4)} | "
                  f"{ms([r['counts'][1] for r in these], 1, 1)} | "
                  f"{ms([r['counts'][2] for r in these], 1, 1)} | "
                  f"{ms([r['counts'][3] for r in these], 1, 1)} |")
    write(f"{args.out}.md", "\n".join(md) + "\n")


def cmd_detection(args):
    """The backbones under SSDLite (detection_backbones.sh): test mAP per seed against the
    detector's latency, measured alternately with SSDLite on MobileNetV2 (the ratio)."""
    import glob
    import os
    rows = OrderedDict()
    for path in sorted(glob.glob(os.path.join(args.folder, "*.latency.json"))):
        name = os.path.basename(path)[: -len(".latency.json")]
        try:
            with open(path) as f:
                latency = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"{path}: {e}")
        seeds = []
        for result in sorted(glob.glob(os.path.join(args.folder, f"{name}-*.json"))):
            seed = os.path.basename(result)[len(name) + 1: -len(".json")]
            if not seed.isdigit():  # another backbone's ("searched-x1.6-1" for "searched")
                continue
            with open(result) as f:
                r = json.load(f)
            seeds.append((r["ap"], r["ap50"], r["ap75"]))
        if not seeds:
            continue
        rows[name] = {"ms": latency["median_ms"], "ratio": latency.get("ratio_median"),
                      "seeds": seeds}
    if not rows:
        fail(f"{args.folder}: no backbone with results")
    # x: the detector's latency over SSDLite-MobileNetV2's, timed alternately (robust to a
    # drifting machine); the milliseconds of different pairings are not comparable to the 5%.
    x_of = {name: (r["ratio"] or r["ms"]) for name, r in rows.items()}
    xs = list(x_of.values())
    ys = [100 * s[0] for r in rows.values() for s in r["seeds"]]
    chart = Chart("SSDLite on each backbone: test mAP vs measured latency",
                  "detector latency / SSDLite-MobileNetV2's (XNNPACK, one thread, NMS excluded)",
                  "test mAP (AP@[.5:.95] x 100)", (0, max(xs) * 1.2),
                  (min(ys) - 1, max(ys) + 1))
    for i, (name, r) in enumerate(rows.items()):
        color = PALETTE[i % len(PALETTE)]
        x = x_of[name]
        chart.dots([x] * len(r["seeds"]), [100 * s[0] for s in r["seeds"]], color, name, r=4)
        chart.label(x, 100 * r["seeds"][0][0], name, dx=7, size=10)
    chart.vline(1.0, "SSDLite-MobileNetV2")
    write(f"{args.out}.svg", chart.svg())
    md = ["| backbone | detector latency (ms) | LAT / SSDLite-MobileNetV2 | seeds | test mAP | "
          "AP@.5 | AP@.75 |", "|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        def ms(i):
            m, sd = mean_sd([100 * s[i] for s in r["seeds"]])
            return f"{m:.1f} ± {sd:.1f}" if len(r["seeds"]) > 1 else f"{m:.1f}"
        ratio = f"{r['ratio']:.3f}" if r["ratio"] else ""
        md.append(f"| {name} | {r['ms']:.3f} | {ratio} | {len(r['seeds'])} | {ms(0)} | {ms(1)} | "
                  f"{ms(2)} |")
    write(f"{args.out}.md", "\n".join(md) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("strategies")
    s.add_argument("--out", required=True)
    s.add_argument("--trials", type=int, required=True)
    s.add_argument("stores", nargs="+")
    h = sub.add_parser("histograms")
    h.add_argument("--out", required=True)
    h.add_argument("stores", nargs="+")
    f = sub.add_parser("fronts")
    f.add_argument("--out", required=True)
    f.add_argument("--reference", action="append", help="NAME:ACCURACY:RATIO")
    f.add_argument("--references-from", action="append",
                   help="a store whose zoo references (mnas search --references) are drawn")
    f.add_argument("stores", nargs="+")
    tl = sub.add_parser("timeline")
    tl.add_argument("--out", required=True)
    tl.add_argument("--minutes", type=float, required=True)
    tl.add_argument("stores", nargs="+")
    pr = sub.add_parser("precision")
    pr.add_argument("--out", required=True)
    pr.add_argument("stores", nargs="+", help="PRECISION:STORE")
    t = sub.add_parser("tau")
    t.add_argument("--out", required=True)
    t.add_argument("folder", help="NAME.TAG.json files of mnas train --json (TAG long: the "
                                  "reference training)")
    d = sub.add_parser("detection")
    d.add_argument("--out", required=True)
    d.add_argument("folder", help="detection_backbones.sh's results: NAME.latency.json and "
                                  "NAME-SEED.json (mnas eval --json)")
    args = p.parse_args()
    {"strategies": cmd_strategies, "histograms": cmd_histograms, "fronts": cmd_fronts,
     "timeline": cmd_timeline, "tau": cmd_tau, "precision": cmd_precision,
     "detection": cmd_detection}[args.command](args)


if __name__ == "__main__":
    main()

"""Summarizes benches/compare.sh's JSON lines: medians per (workload,
framework) and the ratio of each median to scikit-learn's."""
import json
import statistics
import sys
from collections import defaultdict

NAMES = {
    "ours-tape": "ours: tensorlow tape loop",
    "ours-keras": "ours: keraslike Sequential.fit",
    "ours-sklearn": "ours: keraslike MLPClassifier",
    "sklearn": "scikit-learn MLPClassifier",
    "keras": "tf.keras fit",
    "torch": "PyTorch loop",
}


def main(path):
    runs = defaultdict(list)
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        secs = r.get("seconds", r.get("train_seconds"))
        acc = r.get("test_accuracy", r.get("test_acc"))
        runs[(r["workload"], r["framework"])].append((secs, r.get("final_loss"), acc))
    print("| workload | framework | runs | train s median [min-max] | us/step | final loss | test acc | vs scikit-learn |")
    print("|---|---|---|---|---|---|---|---|")
    steps = {"w1": 12000, "w2": 2250, "w3": 938}
    for wl in ("w1", "w2", "w3"):
        base = runs.get((wl, "sklearn"))
        base_med = statistics.median(s for s, _, _ in base) if base else None
        for fw in NAMES:
            rs = runs.get((wl, fw))
            if not rs:
                continue
            secs = [s for s, _, _ in rs]
            med = statistics.median(secs)
            loss = statistics.median(l for _, l, _ in rs if l is not None)
            accs = [a for _, _, a in rs if a is not None]
            acc = f"{statistics.median(accs):.3f}" if accs else "-"
            ratio = f"{med / base_med:.2f}x" if base_med else "-"
            print(f"| {wl.upper()} | {NAMES[fw]} | {len(rs)} | {med:.2f} [{min(secs):.2f}-{max(secs):.2f}] | "
                  f"{med / steps[wl] * 1e6:.0f} | {loss:.4f} | {acc} | {ratio} |")


if __name__ == "__main__":
    main(sys.argv[1])

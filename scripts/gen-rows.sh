#!/usr/bin/env bash
# Writes a table of short rows, for timing what a row costs and what grouping costs on many
# small documents (the grouping issue's "1,000,000 rows of about 150 bytes").
#
#   scripts/gen-rows.sh OUT.csv [ROWS] [CUT]
#
# OUT.csv gets the columns id,group,date,text and ROWS rows (default 1,000,000): ids r0, r1…;
# `group` g000 to g999 in turn, row by row (1,000 groups that take turns, the worst case for
# the groups' memory); `date` one day per 50 rows from 1900-01-01 (a new month every 1,500
# rows); `text` the KJV's verses (the lines of tests/data/kjv, books in file-name order), over
# again after the last, each cut at CUT characters (default 150). With the defaults, 143 MB:
# 143 bytes a row. The same arguments always write the same bytes.
# Time grouping with it, say:
#   NEW_OPTIONS="--group-by group --group-by date:month" scripts/compare.sh BIN BIN OUT.csv \
#     --id-column id --hits none --tension none --segment none --charts none
# Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/gen-rows.sh OUT.csv [ROWS] [CUT]}
rows=${2:-1000000}
cut=${3:-150}
[[ $rows =~ ^[1-9][0-9]*$ ]] || { echo "ROWS must be a positive number" >&2; exit 1; }
[[ $cut =~ ^[1-9][0-9]*$ ]] || { echo "CUT must be a positive number" >&2; exit 1; }
[ -d tests/data/kjv ] || { echo "the KJV corpus is expected at tests/data/kjv" >&2; exit 1; }
python3 - tests/data/kjv "$out" "$rows" "$cut" <<'PY'
import csv, datetime, os, sys
kjv, out, rows, cut = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = []
for name in sorted(n for n in os.listdir(kjv) if n.endswith(".txt")):
    with open(os.path.join(kjv, name), encoding="utf-8") as f:
        lines.extend(l for l in (l.strip() for l in f) if l)
start = datetime.date(1900, 1, 1)
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "group", "date", "text"])
    for i in range(rows):
        date = start + datetime.timedelta(days=i // 50)
        w.writerow([f"r{i}", f"g{i % 1000:03d}", date.isoformat(), lines[i % len(lines)][:cut]])
PY

#!/usr/bin/env bash
# Generates a benchmark lexicon of the shape real dictionaries have, from the words of the KJV
# test corpus (tests/data/kjv), deterministically (a fixed seed: the same files every time).
#
#   scripts/gen-lexicon.sh [OUT_DIR] [ENTRIES]
#
# Writes OUT_DIR/bench-lexicon.dic (LIWC .dic, best-entry matching) and
# OUT_DIR/bench-lexicon.toml (the same entries and categories, per-theme matching, the TOML
# default, with four contrasts), by default under /tmp/themescope-bench/lexicon, with ENTRIES
# (default 10000) distinct entries:
#   - 50 % phrases of 2 or 3 words, 4,000 of them (40 % of all entries) starting with the same
#     word, "not" (as the negated entries of real dictionaries do); the other
#     phrases are word pairs and triples that occur in the KJV;
#   - 65 % wildcards (a single word's prefix, or a phrase's last word's), prefixes of 3 to 12
#     letters, most of 5 to 8;
#   - 8 categories; one entry in ten belongs to two of them.
# Words are drawn uniformly from the KJV's distinct words (a dictionary lists words, whatever
# their frequency); about a third of the KJV's tokens are hits of either file. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/themescope-bench/lexicon}
entries=${2:-10000}
mkdir -p "$out"
python3 - "$out" "$entries" <<'PY'
import collections, glob, random, re, sys

out, total = sys.argv[1], int(sys.argv[2])
rng = random.Random(0x7468656D65)

words = []
for path in sorted(glob.glob("tests/data/kjv/*.txt")):
    with open(path, encoding="utf-8") as f:
        for line in f:
            words.extend(w.lower() for w in re.findall(r"[A-Za-z]+", line))
freq = collections.Counter(words)
vocab = sorted(freq)                                  # distinct words, in a fixed order
bigrams = sorted(set(zip(words, words[1:])))
trigrams = sorted(set(zip(words, words[1:], words[2:])))

def word(min_len=1):
    while True:
        w = rng.choice(vocab)
        if len(w) >= min_len:
            return w

# Prefix lengths 3..12, most 5..8 (as in a widely used political-sentiment dictionary).
LENGTHS = list(range(3, 13))
LENGTH_WEIGHTS = [3, 8, 17, 20, 18, 14, 9, 6, 3, 2]

def wildcard():
    n = rng.choices(LENGTHS, LENGTH_WEIGHTS)[0]
    return word(n)[:n] + "*"

phrases = total // 2
not_phrases = phrases * 4 // 5
wild_total = total * 65 // 100
# Wildcards are spread evenly over single words and phrases (a phrase's last word).
wild_phrases = wild_total * phrases // total
wild_singles = wild_total - wild_phrases

chosen, seen = [], set()
tries = 0
def add(entry):
    global tries
    tries += 1
    if tries > 100 * total:
        sys.exit(f"cannot find {total} distinct entries in the KJV's words: ask for fewer")
    if entry in seen:
        return False
    seen.add(entry)
    chosen.append(entry)
    return True

def make_phrase(first_words, wild):
    ws = list(first_words)
    if wild:
        ws[-1] = wildcard()
    return " ".join(ws)

kinds = [True] * wild_phrases + [False] * (phrases - wild_phrases)
rng.shuffle(kinds)
for k in range(phrases):
    wild = kinds[k]
    while True:
        if k < not_phrases:
            ws = ["not", word(2)] + ([word(2)] if rng.random() < 0.3 else [])
        elif rng.random() < 0.6:
            ws = list(rng.choice(bigrams))
        else:
            ws = list(rng.choice(trigrams))
        if k >= not_phrases and ws[0] == "not":
            continue
        if add(make_phrase(ws, wild)):
            break
kinds = [True] * wild_singles + [False] * (total - phrases - wild_singles)
rng.shuffle(kinds)
for wild in kinds:
    while not add(wildcard() if wild else word(2)):
        pass
rng.shuffle(chosen)

names = ["faith", "law", "war", "kinship", "nature", "trade", "worship", "sorrow"]
cats = []
for _ in chosen:
    first = rng.randrange(len(names))
    second = rng.randrange(len(names)) if rng.random() < 0.1 else first
    cats.append(sorted({first, second}))

with open(f"{out}/bench-lexicon.dic", "w", encoding="utf-8", newline="\n") as f:
    f.write("%\n")
    for i, name in enumerate(names):
        f.write(f"{i + 1}\t{name}\n")
    f.write("%\n")
    for entry, cs in zip(chosen, cats):
        f.write(entry + "\t" + "\t".join(str(c + 1) for c in cs) + "\n")

with open(f"{out}/bench-lexicon.toml", "w", encoding="utf-8", newline="\n") as f:
    f.write('name = "benchmark lexicon (scripts/gen-lexicon.sh)"\n')
    f.write('description = "Generated from the KJV: the shape of real dictionaries."\n')
    for i, name in enumerate(names):
        f.write(f'\n[[themes]]\nid = "{name}"\nterms = [\n')
        for entry, cs in zip(chosen, cats):
            if i in cs:
                f.write(f'  "{entry}",\n')
        f.write("]\n")
    for left, right in [(0, 1), (2, 3), (4, 5), (6, 7)]:
        f.write(f'\n[[contrasts]]\nleft = "{names[left]}"\nright = "{names[right]}"\n')

n_wild = sum(e.endswith("*") for e in chosen)
n_phrase = sum(" " in e for e in chosen)
n_not = sum(e.startswith("not ") for e in chosen)
print(f"{out}/bench-lexicon.dic and .toml: {len(chosen)} entries, {n_wild} wildcards, "
      f"{n_phrase} phrases ({n_not} starting with \"not\"), {len(names)} categories",
      file=sys.stderr)
PY

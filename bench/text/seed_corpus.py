#!/usr/bin/env python3
"""Writes the seed-article sentence corpus of issue 19 as a text CSV (columns text, label) for Kiln and scikit-learn.

Usage: seed_corpus.py SEEDS_DIR OUT.csv

Each *.txt article in SEEDS_DIR (sorted by name) is label "article<i>"; its lines are split after 。！？ and a
sentence is kept when it holds at least 5 Han characters (this drops code, formulas and short headings). The same
rule as kiln-server's ChineseCorpora.seedSentences, from which TextClassificationComparisonTest makes the corpus at
test time where the articles are: they carry no licence, so Kiln ships neither them nor this CSV.
"""
import csv
import pathlib
import re
import sys

SENTENCE_END = re.compile(r"(?<=[。！？])")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def sentences(seeds):
    for i, article in enumerate(sorted(pathlib.Path(seeds).glob("*.txt"))):
        for line in article.read_text(encoding="utf-8").splitlines():
            for s in SENTENCE_END.split(line.strip()):
                if len(HAN.findall(s)) >= 5:
                    yield s.strip(), f"article{i}"


def main():
    seeds, out = sys.argv[1:3]
    rows = list(sentences(seeds))
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    print(f"{len(rows)} sentences in {len({label for _, label in rows})} classes -> {out}")


if __name__ == "__main__":
    main()

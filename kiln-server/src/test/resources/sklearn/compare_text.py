"""Fits scikit-learn's character-bigram TF-IDF + logistic regression on a Kiln job's recorded train rows and scores it
on its recorded test rows: the baseline issue 19 measures Kiln's ngram_classifier against.

Usage: compare_text.py CSV SPLITS_JSON
CSV has a header with the columns text and label; SPLITS_JSON is GET /api/v1/jobs/{id}/splits.
Prints one JSON object: {"accuracy": a, "seconds": fit time, "features": n-gram count}.
"""
import csv
import json
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

csv_path, splits_path = sys.argv[1:3]
with open(csv_path, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
with open(splits_path) as f:
    splits = json.load(f)
texts = [r["text"] for r in rows]
labels = [r["label"] for r in rows]
train, test = splits["train"], splits["test"]

start = time.perf_counter()
vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2))
x = vectorizer.fit_transform([texts[i] for i in train])
model = LogisticRegression(max_iter=1000).fit(x, [labels[i] for i in train])
seconds = time.perf_counter() - start
predicted = model.predict(vectorizer.transform([texts[i] for i in test]))
accuracy = accuracy_score([labels[i] for i in test], predicted)
print(json.dumps({"accuracy": accuracy, "seconds": seconds, "features": x.shape[1]}))

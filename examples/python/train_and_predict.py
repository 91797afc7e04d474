#!/usr/bin/env python3
"""Upload a CSV, train a classifier, wait for it, deploy it and predict: Kiln's REST API with the standard library.

    python3 train_and_predict.py --url http://localhost:8000 --name points

With governance on, set KILN_API_KEY to a key with the scopes train, manage:<name> and invoke:<name>
(`kiln keys create --name example --scope train --scope manage:points --scope invoke:points`); with auth off
no key is needed. Every route used here is in the server's OpenAPI document, GET /api/v1/openapi.json.
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request


def call(base, method, path, body=None, content_type="application/json"):
    """One request; JSON in and out. Kiln answers every error as {"error": "..."}, which is printed."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    key = os.environ.get("KILN_API_KEY")
    if key:
        request.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        try:
            message = json.load(e).get("error", "")
        except ValueError:
            message = e.reason
        sys.exit(f"{method} {path}: {e.code} {message}")


def points_csv():
    """Two classes split by the line x + y = 10, on a fixed grid: a dataset with a known answer."""
    rows = ["x,y,side"]
    for x in range(0, 11):
        for y in range(0, 11):
            if x + y != 10:
                rows.append(f"{x},{y},{'low' if x + y < 10 else 'high'}")
    return ("\n".join(rows) + "\n").encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("KILN_URL", "http://localhost:8000"))
    parser.add_argument("--name", default="points", help="dataset and model name")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the job")
    args = parser.parse_args()
    base = args.url.rstrip("/")

    dataset = call(base, "POST", f"/api/v1/datasets/{args.name}?label=side", points_csv(), "text/csv")
    print(f"dataset {dataset['name']} v{dataset['version']}: {dataset['rows']} rows, classes {dataset['classes']}")

    job = call(base, "POST", "/api/v1/jobs", {
        "dataset": args.name,
        "dataset_version": dataset["version"],
        "model": {"type": "logistic_regression", "optimizer": {"name": "adagrad", "learning_rate": 0.5}},
        "training": {"epochs": 40, "batch_size": 16},
        "preparation": {"scaling": "standard"},
    })
    print(f"job {job['id']} {job['state']}")

    deadline = time.monotonic() + args.timeout
    while job["state"] in ("QUEUED", "RUNNING"):
        if time.monotonic() > deadline:
            sys.exit(f"job {job['id']} still {job['state']} after {args.timeout} s")
        time.sleep(0.5)
        job = call(base, "GET", f"/api/v1/jobs/{job['id']}")
    if job["state"] != "SUCCEEDED":
        sys.exit(f"job {job['id']} {job['state']}: {job.get('error', '')}")
    print(f"job {job['id']} SUCCEEDED, test accuracy {job['evaluation'].get('accuracy')}")

    deployed = call(base, "POST", f"/api/v1/jobs/{job['id']}/deploy", {"name": args.name})
    print(f"deployed as {deployed['model']} version {deployed['version']}")

    rows = [[1.0, 2.0], [9.0, 8.0]]  # x + y = 3 (low), 17 (high)
    answer = call(base, "POST", f"/predict/{args.name}", {"instances": rows})
    # A Kiln-trained classifier answers each row with its class name, label index and probabilities.
    for row, prediction in zip(rows, answer["predictions"]):
        print(f"{row} -> {prediction['class']} (probabilities {prediction['probabilities']})")


if __name__ == "__main__":
    main()

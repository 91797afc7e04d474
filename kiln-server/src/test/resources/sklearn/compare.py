"""Fits scikit-learn on a Kiln job's recorded train rows and scores it on its recorded test rows.

Usage: compare.py CSV SPLITS_JSON logistic|linear
CSV has a header and the label in its last column; SPLITS_JSON is GET /api/v1/jobs/{id}/splits.
Prints one JSON object: {"accuracy": a, "coef": [[...]], "intercept": [...]} or {"r2": r, "predictions": [...], "coef": [...], "intercept": b}
(predictions for the test rows, in the split's order; coef_ and intercept_ in the raw columns' units).
A logistic regression's accuracy is the default lbfgs fit's; its coefficients come from newton-cg run to a 1e-10
tolerance, because lbfgs stops on SciPy's relative decrease (ftol = 64 eps) with weights still about 6e-5 from the
optimum on breast cancer, where newton-cg and newton-cholesky agree to 1e-9.
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

csv_path, splits_path, mode = sys.argv[1:4]
data = np.loadtxt(csv_path, delimiter=",", skiprows=1)
x, y = data[:, :-1], data[:, -1]
with open(splits_path) as f:
    splits = json.load(f)
train, test = np.array(splits["train"]), np.array(splits["test"])

if mode == "logistic":
    # Kiln standardises numeric columns on the training rows (population std, as StandardScaler) and solves
    # LogisticRegression()'s objective (l2 = 1 / C = 1) to convergence; max_iter only lets lbfgs get there too.
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(x[train], y[train].astype(int))
    accuracy = accuracy_score(y[test].astype(int), model.predict(x[test]))
    tight = make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cg", tol=1e-10, max_iter=10000))
    tight.fit(x[train], y[train].astype(int))
    scaler, fit = tight[0], tight[1]
    coef = fit.coef_ / scaler.scale_
    intercept = fit.intercept_ - coef @ scaler.mean_
    print(json.dumps({"accuracy": accuracy, "coef": coef.tolist(), "intercept": intercept.tolist()}))
else:
    model = LinearRegression().fit(x[train], y[train])
    predicted = model.predict(x[test])
    print(json.dumps({"r2": r2_score(y[test], predicted), "predictions": predicted.tolist(),
                      "coef": model.coef_.tolist(), "intercept": float(model.intercept_)}))

"""Fast prediction with fitted scikit-learn text models: the same numbers, less overhead.

A patient's message is one row. For one row, scikit-learn 1.1 spends most of its time
on checks and bookkeeping rather than arithmetic: `TfidfTransformer.transform`
rebuilds the whole idf vector from a sparse diagonal matrix on every call (its
`check_is_fitted(self, attributes=["idf_"])` reads a property that sums the matrix),
and `CalibratedClassifierCV.predict_proba` runs each fold's SVM and each class's
sigmoid one after the other, validating the input each time. Under load that was a
quarter of what the Rasa server spent on a message (py-spy, `python -m bench`).

These wrappers keep the fitted objects (they are what the model stores) and do the
same arithmetic once, in whole arrays: the idf vector is read once; the folds' SVMs
are stacked into one matrix, so one product gives every fold's decision values and
the sigmoids apply to all of them at once. `tests/unit/test_linear_inference.py`
checks that they give scikit-learn's own results.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import normalize
from sklearn.utils.sparsefuncs_fast import (
    inplace_csr_row_normalize_l1,
    inplace_csr_row_normalize_l2,
)


class FastTfidf:
    """`TfidfVectorizer.transform` of a fitted vectorizer."""

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        self.vectorizer = vectorizer
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64) if vectorizer.use_idf else None

    def transform(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        counts = CountVectorizer.transform(self.vectorizer, texts)
        matrix = counts.astype(np.float64)
        if self.vectorizer.binary:
            matrix.data[:] = 1.0
        if self.vectorizer.sublinear_tf:
            np.log(matrix.data, matrix.data)
            matrix.data += 1.0
        if self.idf is not None:
            matrix.data *= self.idf[matrix.indices]
        if self.vectorizer.norm == "l2":
            inplace_csr_row_normalize_l2(matrix)  # what `normalize` runs, without its checks
        elif self.vectorizer.norm == "l1":
            inplace_csr_row_normalize_l1(matrix)
        elif self.vectorizer.norm:
            matrix = normalize(matrix, norm=self.vectorizer.norm, copy=False)
        return matrix


class FastCalibratedLinear:
    """`predict_proba` of a `CalibratedClassifierCV` over linear models with sigmoid
    calibration (one calibrated model per fold)."""

    def __init__(self, calibrated: CalibratedClassifierCV) -> None:
        self.classes_ = calibrated.classes_
        folds = calibrated.calibrated_classifiers_
        if calibrated.method != "sigmoid" or len(self.classes_) < 3:
            raise ValueError("only sigmoid calibration of a multi-class model is supported")
        weights, intercepts, slopes, offsets, columns = [], [], [], [], []
        for fold in folds:
            model = fold.base_estimator
            weights.append(model.coef_)
            intercepts.append(model.intercept_)
            slopes.append([c.a_ for c in fold.calibrators])
            offsets.append([c.b_ for c in fold.calibrators])
            columns.append(np.searchsorted(self.classes_, model.classes_))
        self.weights = np.vstack(weights).T  # features x (folds * fold classes)
        self.intercepts = np.concatenate(intercepts)
        self.slopes = np.concatenate(slopes)
        self.offsets = np.concatenate(offsets)
        self.fold_sizes = [len(c) for c in columns]
        self.columns = columns

    def predict_proba(self, features: scipy.sparse.spmatrix) -> np.ndarray:
        decisions = np.asarray(features @ self.weights) + self.intercepts
        calibrated = expit(-(self.slopes * decisions + self.offsets))
        rows = features.shape[0]
        mean = np.zeros((rows, len(self.classes_)))
        start = 0
        for size, columns in zip(self.fold_sizes, self.columns, strict=True):
            proba = np.zeros_like(mean)
            proba[:, columns] = calibrated[:, start : start + size]
            start += size
            total = proba.sum(axis=1, keepdims=True)
            uniform = np.full_like(proba, 1 / len(self.classes_))
            proba = np.divide(proba, total, out=uniform, where=total != 0)
            proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
            mean += proba
        return mean / len(self.fold_sizes)


class FastTextPipeline:
    """A fitted `make_pipeline(make_union(TfidfVectorizer, ...), LogisticRegression)`."""

    def __init__(self, pipeline: Pipeline) -> None:
        union, model = pipeline.steps[0][1], pipeline.steps[-1][1]
        if len(pipeline.steps) != 2 or not isinstance(union, FeatureUnion):
            raise ValueError("expected a union of TF-IDF vectorizers, then a linear model")
        self.vectorizers = [FastTfidf(v) for _, v in union.transformer_list]
        self.classes_ = model.classes_
        self.weights = model.coef_.T
        self.intercepts = model.intercept_
        self.multinomial = len(self.classes_) > 2 and model.multi_class != "ovr"

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        features = scipy.sparse.hstack([v.transform(texts) for v in self.vectorizers]).tocsr()
        return np.asarray(features @ self.weights) + self.intercepts

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        decisions = self.decision_function(texts)
        if decisions.shape[1] == 1:
            positive = expit(decisions[:, 0])
            return np.column_stack([1 - positive, positive])
        if self.multinomial:
            shifted = np.exp(decisions - decisions.max(axis=1, keepdims=True))
            return shifted / shifted.sum(axis=1, keepdims=True)
        proba = expit(decisions)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        decisions = self.decision_function(texts)
        if decisions.shape[1] == 1:
            return self.classes_[(decisions[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(decisions, axis=1)]

"""The fast prediction wrappers give scikit-learn's own results (linear_inference.py)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

from components.nlu.linear_inference import FastCalibratedLinear, FastTextPipeline, FastTfidf

TOPICS = {
    "procedure": ["how is the injection done", "what happens on the day", "is it a long procedure"],
    "safety": ["is it safe", "what are the risks of the jab", "can it go wrong"],
    "cost": ["how much does it cost", "is it covered by insurance", "what is the price"],
    "recovery": ["how long to recover", "when can i work again", "how soon does it help"],
}
TEXTS = [f"{t} {n}" for topic in TOPICS.values() for t in topic for n in ("", "please", "now?")]
LABELS = [label for label, topic in TOPICS.items() for _ in topic for _ in range(3)]
UNSEEN = ["is the injection safe for me", "price of the procedure?", "zzz qqq", ""]


@pytest.mark.parametrize(
    "vectorizer",
    [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        TfidfVectorizer(binary=True, norm="l1"),
        TfidfVectorizer(norm="max"),
        TfidfVectorizer(use_idf=False, norm=None),
    ],
)
def test_tfidf_matches_scikit_learn(vectorizer: TfidfVectorizer) -> None:
    vectorizer.fit(TEXTS)
    expected = vectorizer.transform(UNSEEN + TEXTS[:3]).toarray()
    got = FastTfidf(vectorizer).transform(UNSEEN + TEXTS[:3]).toarray()
    assert expected.any()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_calibrated_svm_matches_scikit_learn() -> None:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2)).fit(TEXTS)
    features = vectorizer.transform(TEXTS)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    calibrated = CalibratedClassifierCV(LinearSVC(random_state=0), cv=folds).fit(
        features, np.array(LABELS)
    )
    unseen = vectorizer.transform(UNSEEN + TEXTS)
    fast = FastCalibratedLinear(calibrated)
    np.testing.assert_allclose(
        fast.predict_proba(unseen), calibrated.predict_proba(unseen), rtol=1e-10, atol=1e-12
    )
    assert list(fast.classes_) == list(calibrated.classes_)


def test_calibrated_binary_model_is_refused() -> None:
    features = TfidfVectorizer().fit_transform(TEXTS)
    binary = np.array([label == "safety" for label in LABELS])
    calibrated = CalibratedClassifierCV(LinearSVC(), cv=3).fit(features, binary)
    with pytest.raises(ValueError, match="multi-class"):
        FastCalibratedLinear(calibrated)


@pytest.mark.parametrize("binary", [True, False])
def test_text_pipeline_matches_scikit_learn(binary: bool) -> None:
    labels = [label == "safety" for label in LABELS] if binary else LABELS
    pipeline = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
        ),
        LogisticRegression(class_weight="balanced", max_iter=2000),
    ).fit(TEXTS, labels)
    fast = FastTextPipeline(pipeline)
    texts = UNSEEN + TEXTS
    np.testing.assert_allclose(
        fast.predict_proba(texts), pipeline.predict_proba(texts), rtol=1e-10, atol=1e-12
    )
    assert list(fast.predict(texts)) == list(pipeline.predict(texts))

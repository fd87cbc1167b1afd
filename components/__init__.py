"""Our Rasa graph components, in three groups:

- `nlu/`: reading a message (intent classifier, concepts, scope guard, medical terms,
  language guard, the red-flag net);
- `policies/`: choosing what to do (safety first, then the answer-service apology);
- `runtime/`: the one module that changes how Rasa behaves (action-server calls).
Content files are read through `clinic/`; `content_fingerprint` retrains a component
when a content file it reads changes.
"""

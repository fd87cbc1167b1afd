"""Our NLU components (Rasa graph components) and the pure logic they use.

Read a patient's message: the intent classifier (`intent_classifier`), the concept
normaliser it builds on (`concepts`), the out-of-scope decision (`scope`), the red-flag
safety net (`red_flags/`) and shared spelling helpers (`spelling`).
"""

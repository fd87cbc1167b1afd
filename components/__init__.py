"""Custom Rasa graph components built on spaCy (no downloaded model needed)."""

"""The clinic's content, read from `content/`: settings, catalog, notices, names.

The one reader of `content/` for every other part (components, actions, channels,
web page, report). No Rasa imports here, so it is usable anywhere.
"""

"""The vocabulary of party work, shared by every layer: words and their synonyms, indicators,
quarters, who may see and change what, and how a figure is written. Imports nothing else of
the project, so loaders, metrics, storage and pages all read the same rules from one place."""

"""The layout of a text, in pure Python (no spaCy): line rules, sections, citation markers."""

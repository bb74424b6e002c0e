"""The spaCy side: Doc and Span extensions, the tokenizer, one module per pipeline component, ``load()``."""

"""spaCy's lookup lemmatizer, looked up on the lower-case, normalised form.

The tables in spacy-lookups-data are case-sensitive ("Stings" is not in them),
so rules written in lower case would miss capitalised words. This lemmatizer
looks up ``token.lower_`` after the settings' ``normalize`` variant rules
("a.i." -> "ai", U+2011 -> "-"), so every LEMMA is lower case and spelling
variants meet on one form. The lemma is computed once per word type.
"""

from __future__ import annotations

import numpy
from spacy.attrs import LEMMA, ORTH
from spacy.language import Language
from spacy.lookups import Lookups, load_lookups
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token
from spacy.util import load_language_data, registry

from ..config.variants import Variants

# Word types whose lemmas are kept; both caches are emptied when they hold more, so that
# memory stays flat over an archive whose vocabulary keeps growing (a lemma costs about
# 2 microseconds to compute again).
CACHE_SIZE = 50_000


class LowercaseLemmatizer(Lemmatizer):
    variants = Variants([])

    def __call__(self, doc: Doc) -> Doc:
        """Lemmas for a whole Doc, read and written as arrays: one lookup per word type."""
        if self.mode != "lookup":
            return super().__call__(doc)
        if not len(doc):
            return doc
        strings = self.vocab.strings
        cache = self._by_hash
        if self.overwrite:
            orths = doc.to_array(ORTH).tolist()
            lemmas = list(map(cache.get, orths))
            for i in [i for i, found in enumerate(lemmas) if found is None]:
                orth = orths[i]
                found = cache.get(orth)
                if found is None:
                    found = cache[orth] = strings.add(self.lemma(strings[orth]))
                lemmas[i] = found
        else:
            lemmas = []
            for orth, lemma in doc.to_array([ORTH, LEMMA]).tolist():
                if lemma:
                    lemmas.append(lemma)
                    continue
                found = cache.get(orth)
                if found is None:
                    found = cache[orth] = strings.add(self.lemma(strings[orth]))
                lemmas.append(found)
        doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64").reshape(-1, 1))
        if len(cache) > CACHE_SIZE:
            cache.clear()
            self._cache.clear()
        return doc

    def lookup_lemmatize(self, token: Token) -> list[str]:
        return [self.lemma(token.text)]

    # spaCy's Table hashes every one of the table's 41,582 keys as it is built (0.07 s of
    # start-up), and ``lemma`` needs only a plain dict lookup, which gives the same lemma
    # (the Table is keyed by each string's id, one id per string). So the packaged table
    # is read as a dict, and the Lookups spaCy's Lemmatizer keeps (saved with the
    # pipeline) are built from it only when something asks for them.
    @property
    def lookups(self) -> Lookups:
        if self._lookups is None:
            self._lookups = Lookups()
            self._lookups.add_table("lemma_lookup", self._raw)
        return self._lookups

    @lookups.setter
    def lookups(self, value: Lookups) -> None:
        self._lookups = value

    def initialize(self, get_examples=None, *, nlp=None, lookups: Lookups | None = None) -> None:
        if lookups is None and self.mode == "lookup" and self.vocab.lang in registry.lookups:
            self._raw = load_language_data(registry.lookups.get(self.vocab.lang)["lemma_lookup"])
            self._lookups = None
            self._table = self._raw
        else:
            lookups = lookups or load_lookups(lang=self.vocab.lang, tables=["lemma_lookup"])
            super().initialize(get_examples, nlp=nlp, lookups=lookups)
            self._table = self.lookups.get_table("lemma_lookup")
        self._cache: dict[str, str] = {}
        self._by_hash: dict[int, int] = {}  # ORTH hash -> LEMMA hash

    def lemma(self, text: str) -> str:
        """The lemma this component gives a word (also used to compile rule words)."""
        lemma = self._cache.get(text)
        if lemma is None:
            form = self.variants.normalize(text.lower())
            lemma = self._cache[text] = form if self.variants.keeps(form) else self._table.get(form, form)
        return lemma


@Language.factory("claimx_lemmatizer", default_config={"mode": "lookup", "overwrite": True, "settings": None})
def make_lemmatizer(nlp: Language, name: str, mode: str, overwrite: bool, settings: str | None) -> LowercaseLemmatizer:
    from ..config.settings import load_config

    # The table is local (spacy-lookups-data), so the component is ready at once:
    # `claimx_rules`, built next, compiles its words with it.
    lemmatizer = LowercaseLemmatizer(nlp.vocab, None, name, mode=mode, overwrite=overwrite)
    lemmatizer.variants = load_config(settings).variants
    lemmatizer.initialize()
    return lemmatizer

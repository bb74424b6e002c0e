"""Tactic rule packs: pack files, phrases and token patterns, the rule engine, widening a match."""

"""Gold and evaluation: record diffs, scores, span annotations, verdict scores, rule suggestions."""

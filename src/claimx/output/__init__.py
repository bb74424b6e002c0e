"""Views of records: flat tables, the HTML report, ClaimReview, rule statistics."""

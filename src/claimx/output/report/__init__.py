"""The HTML report: ``build`` (reading, rendering, staging), ``stats`` (archive counts), ``charts`` (SVG),
``palette`` (colours), ``highlight`` (a document's text with its highlights), ``markup`` (escaped HTML in Python),
``templates/*.html.j2`` (the pages) and ``static/`` (CSS and script, inlined)."""

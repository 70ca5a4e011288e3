"""The HTML a historian reads: the query page, entity pages, search, the timeline and pictures, the
ontology's documentation (templates/ and static/ beside them). Reads the data only through the engine.

A new page is a route in one of these modules (or a new one registered in app.py) and a template."""

"""Answering SPARQL: the one engine every read of the data goes through (a deadline on each), the text it
executes (sparql_text: lexed once, guarded, re-emitted), and the result writers.

A new result format goes in writers.py (and formats.py); the engine is the seam a remote store plugs into."""

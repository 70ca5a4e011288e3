"""Talking to a SPARQL 1.1 store over HTTP: the Protocol (queries), Update, and the Graph Store HTTP Protocol.

Below both the query layer (query/remote.py serves from a store) and the build layer (build/publish.py puts a
build into one), which are independent of each other; it knows nothing of either.
"""

"""The SPARQL 1.1 endpoint at /sparql: the Protocol (query, update, dataset parameters, negotiation, limits),
SPARQL Update with its RDF Patch log, and the Service Description."""

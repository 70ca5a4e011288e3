"""Checking what contributors bring: their files against the shapes (contributions, used by `koryo-kg
validate` and `POST /validate`), the ontology lint, and the validation pages over HTTP (service)."""

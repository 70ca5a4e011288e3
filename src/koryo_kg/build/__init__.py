"""From sources to a published dataset: load (into one pyoxigraph store), reason (rules on pyoxigraph, or
owlrl), check against the shapes (pyshacl-turbo), store (pyoxigraph on disk, cached by the inputs' hash), and
write the dumps and the meta graph.

A new check of the data goes in shacl.py (or a shape in shapes/); a new report format in reports.py."""

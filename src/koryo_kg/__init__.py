"""koryo-kg: a knowledge graph of the 1937 deportation of Koreans in the Soviet Union.

Data flows one way (docs/architecture.md; the import rules are contracts in pyproject.toml):

    sources -> build -> (store on disk) -> query.engine -> endpoint | linked_data | pages | validation
                                                                   -> app -> server, cli

vocab, problems, formats and settings are the shared ground every layer may stand on.
"""

__version__ = "0.1.0"

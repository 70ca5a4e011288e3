"""koryo-kg: a knowledge graph of the 1937 deportation of Koreans in the Soviet Union."""

__version__ = "0.1.0"

"""The knowledge sources as files: where they are (files), how they are read with every error located
(parsing), and where each statement is written (locations). Everything else starts from here."""

"""Generation: answers → Copier → a project (answers, catalog, generate)."""

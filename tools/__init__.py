"""Developer tools, run from the repository root:
``python -m tools.fuzz_workbook`` and ``python -m tools.mutation_test``."""

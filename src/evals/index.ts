// Public API of src/evals/: one export line per construct file.
export {};

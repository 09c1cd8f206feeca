// Public API of src/observability/: one export line per construct file.
export {};

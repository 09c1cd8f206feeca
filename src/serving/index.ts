// Public API of src/serving/: one export line per construct file.
export {};

// Public API of src/training/: one export line per construct file.
export {};

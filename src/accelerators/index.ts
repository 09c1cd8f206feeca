// Public API of src/accelerators/: one export line per construct file.
export {};

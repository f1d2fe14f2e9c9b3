"""The toy GPU job runner and DePIN economics (notebooks 10-13)."""

//! Capture generators shared by the end-to-end tests.

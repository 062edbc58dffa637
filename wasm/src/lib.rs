//! Browser bindings (placeholder until the browser issue lands).

//! SVG charts (placeholder)

//! Model specification: fixest-style formulas (`y ~ x1 + x2 | unit + year`).

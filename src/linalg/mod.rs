//! Linear algebra and fixed-effect demeaning.

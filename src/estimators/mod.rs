//! Estimators: each a spec struct → `fit` → a result struct (serialisable, renderable).

pub mod did;
pub mod feols;
pub mod index;
pub mod psm;
pub mod spatial;
pub mod staggered;
/// PSM-DID lives with the DID family; this path stays for existing callers.
pub use did::psm_did;

//! yujuesuan
pub mod amount;
pub mod checks;
pub mod document;
pub mod error;
pub mod extract;
#[doc(hidden)]
pub mod fixture;
pub mod ingest;
pub mod metadata;
pub mod normalize;
pub mod patterns;
pub mod segment;

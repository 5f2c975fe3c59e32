//! yujuesuan
pub mod amount;
pub mod checks;
pub mod document;
pub mod error;
pub mod extract;
pub mod ingest;
pub mod inspect;
pub mod metadata;
pub mod normalize;
pub mod patterns;
pub mod segment;

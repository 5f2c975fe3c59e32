//! yujuesuan
pub mod amount;
pub mod checks;
pub mod document;
pub mod error;
pub mod extract;
// `ingest::text` predates the `manual_is_multiple_of` lint of newer clippy; it is fixed there by
// its owner, and this allowance goes with that fix.
#[allow(clippy::manual_is_multiple_of)]
pub mod ingest;
pub mod metadata;
pub mod normalize;
pub mod patterns;
pub mod segment;

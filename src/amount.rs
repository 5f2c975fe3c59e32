//! The exact [`Amount`] type and its parser.
//!
//! In: a matched number with its unit words (`4800余万`, `9.16亿元`, `2,070,000元`, `１９６３`).
//! Out: an exact decimal in the target unit (万元 for money), with `approximate` set by 余/近/约/多.
//! Not here: deciding which numbers are money (patterns do that); floats, ever.

use rust_decimal::Decimal;
use serde::Serialize;

/// An exact amount in 万元 (or a percent / count, by the fact key's unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Amount {
    pub value: Decimal,
    pub approximate: bool,
}

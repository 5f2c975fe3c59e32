//! The exact [`Amount`] type and its parser.
//!
//! In: a matched number with its unit words (`4800余万`, `9.16亿元`, `2,070,000元`, `１９６３`) and the
//! [`UnitWords`] of the pattern set (`patterns/units.toml`: money units with their value in 万元,
//! approximate words, sign words, the marks that make a number a count or a unit cost).
//! Out: an exact decimal in the target unit (万元 for money), with `approximate` set by 余/近/约/多.
//!
//! The money parser is strict: the whole text must be `[approximate word] number [余/多] unit`, so
//! `1.44万人`, `2000元/人`, `2020年`, `2080505` and `1 2 3 … 12` are never money.
//! Not here: deciding which numbers in a sentence are the figure a fact needs (patterns do that);
//! floats, ever.
//! Known limits: Chinese numerals (`三百万元`) are not read.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use thiserror::Error;

use crate::normalize::{fold_char, normalize_line, normalized};

/// An exact amount in 万元 (or a percent / count, by the fact key's unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Amount {
    pub value: Decimal,
    pub approximate: bool,
}

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AmountError {
    #[error("no number in {0:?}")]
    NoNumber(String),
    #[error("malformed number {0:?}")]
    Malformed(String),
    #[error("{0:?} is not an amount of money (unit missing or not a money unit)")]
    NotMoney(String),
}

/// The money unit of every output figure (and of a table column holding money).
pub const WAN_YUAN: &str = "万元";

/// The rounding envelope of a comparison whose `expected` side sums `n` printed items, each rounded
/// to 0.01 万元: (n+1) × 0.005 万元 (the error each rounded item and the rounded total may carry).
pub fn rounding_envelope(n: usize) -> Decimal {
    Decimal::new(5, 3) * Decimal::from(n as u64 + 1)
}

/// The unit and scale words of a pattern set, from `patterns/units.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitWords {
    /// Money units and their value in 万元 (`元` → 0.0001, `亿元` → 10000), longest first.
    pub money: Vec<(String, Decimal)>,
    /// Words before a number that make it approximate (`近`, `约`, `超过`).
    pub approximate_before: Vec<String>,
    /// Words between the number and the unit that make it approximate (`余`, `多`).
    pub approximate_after: Vec<String>,
    /// Words that make a change negative (`减少`, `下降`, `降低`).
    pub negative: Vec<String>,
    /// Words that make a change positive (`增加`, `增长`).
    pub positive: Vec<String>,
    /// Characters right after a money unit that turn the figure into a count or unit cost
    /// (`/` in `2000元/人`, `人` in `1.44万人`).
    pub not_money_after: Vec<String>,
    /// The units a table declares (`单位：万元`), each one of `money`.
    pub table: Vec<String>,
    /// The unit of a table that prints none but whose money cells are large whole numbers (元), one
    /// of `table`.
    pub large_whole: Option<String>,
}

impl UnitWords {
    /// The value in 万元 of one `unit`, if it is a money unit.
    pub fn scale(&self, unit: &str) -> Option<Decimal> {
        self.money.iter().find(|(w, _)| w == unit).map(|(_, s)| *s)
    }

    /// +1 / -1 for a sign word; `None` for anything else.
    pub fn sign(&self, word: &str) -> Option<i8> {
        let w = normalize_line(word);
        if self.negative.iter().any(|n| w.contains(n.as_str())) {
            Some(-1)
        } else if self.positive.iter().any(|p| w.contains(p.as_str())) {
            Some(1)
        } else {
            None
        }
    }

    /// True when the text right after a money unit makes it a count or a unit cost.
    pub fn spoils_money(&self, following: &str) -> bool {
        self.not_money_after
            .iter()
            .any(|m| following.starts_with(m.as_str()))
    }

    /// Parses a whole money expression (`近12亿元`, `4800余万`, `156,211,123.44元`) into 万元.
    pub fn parse_money(&self, raw: &str) -> Result<Amount, AmountError> {
        let text = normalize_line(raw).replace(' ', "");
        let mut approximate = false;
        let mut rest = text.as_str();
        if let Some(w) = longest_prefix(rest, &self.approximate_before) {
            approximate = true;
            rest = &rest[w.len()..];
        }
        let end = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_digit() || c == '.' || c == ','))
            .map_or(rest.len(), |(i, _)| i);
        if end == 0 {
            return Err(AmountError::NoNumber(raw.to_string()));
        }
        let number = parse_number(&rest[..end])?;
        rest = &rest[end..];
        if let Some(w) = longest_prefix(rest, &self.approximate_after) {
            approximate = true;
            rest = &rest[w.len()..];
        }
        let scale = self
            .scale(rest)
            .ok_or_else(|| AmountError::NotMoney(raw.to_string()))?;
        Ok(Amount {
            value: (number * scale).normalize(),
            approximate,
        })
    }
}

fn longest_prefix<'a>(text: &str, words: &'a [String]) -> Option<&'a str> {
    words
        .iter()
        .filter(|w| !w.is_empty() && text.starts_with(w.as_str()))
        .max_by_key(|w| w.len())
        .map(String::as_str)
}

/// Parses a plain number: ASCII or full-width digits, an optional decimal point, thousands separators
/// only in groups of three (`156,211,123.44`), one optional sign (`-`, `−` U+2212, full-width `－`,
/// `+`). Blanks and dashes (`—`, `-`) are no number; `.5`, `5.`, `1,23` and `1.2.3` are malformed.
pub fn parse_number(raw: &str) -> Result<Decimal, AmountError> {
    number_of(raw).map_err(|fault| fault.error(raw))
}

/// Why a text is not a number ([`number_of`]); the error names the text only when one is asked for.
#[derive(Debug, Clone, Copy)]
enum NumberFault {
    NoNumber,
    Malformed,
}

impl NumberFault {
    fn error(self, raw: &str) -> AmountError {
        match self {
            NumberFault::NoNumber => AmountError::NoNumber(raw.to_string()),
            NumberFault::Malformed => AmountError::Malformed(raw.to_string()),
        }
    }
}

/// [`parse_number`] without building an error: table cells are asked "is this a number?" for every
/// text, most of which are not.
fn number_of(raw: &str) -> Result<Decimal, NumberFault> {
    // What the normalised text starts with, without normalising: most texts asked are words.
    let lead = raw.chars().map(fold_char).find(|c| !c.is_whitespace());
    if !lead.is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '\u{2212}' | '+')) {
        return Err(NumberFault::NoNumber);
    }
    let text = normalized(raw);
    let (negative, body) = split_sign(text.trim());
    if body.is_empty() || !body.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(NumberFault::NoNumber);
    }
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(NumberFault::Malformed);
    }
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if let Some(f) = frac_part {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
            return Err(NumberFault::Malformed);
        }
    }
    if int_part.contains(',') && !thousands_groups(int_part) {
        return Err(NumberFault::Malformed);
    }
    let value = if body.contains(',') {
        let plain: String = body.chars().filter(|&c| c != ',').collect();
        Decimal::from_str(&plain)
    } else {
        Decimal::from_str(body)
    }
    .map_err(|_| NumberFault::Malformed)?;
    Ok(if negative { -value } else { value })
}

/// The sign of a number (true when negative) and the text after it: at most one of `-`, `−`, `+`.
fn split_sign(text: &str) -> (bool, &str) {
    if let Some(body) = text.strip_prefix(['-', '\u{2212}']) {
        (true, body)
    } else if let Some(body) = text.strip_prefix('+') {
        (false, body)
    } else {
        (false, text)
    }
}

/// True when an integer part with commas is in thousands groups: 1–3 digits, then groups of three.
fn thousands_groups(int_part: &str) -> bool {
    let mut groups = int_part.split(',');
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
    first_ok && groups.all(|g| g.len() == 3)
}

/// Parses a printed percent (`12%`, `１２％`, `-3.5%`): the number of percent. The `%` sign is
/// required (a bare `99.68` is a number, see [`parse_number`]).
pub fn parse_percent(raw: &str) -> Result<Decimal, AmountError> {
    percent_of(raw).map_err(|fault| fault.error(raw))
}

/// [`parse_percent`] without building an error.
fn percent_of(raw: &str) -> Result<Decimal, NumberFault> {
    let tail = raw
        .chars()
        .rev()
        .map(fold_char)
        .find(|c| !c.is_whitespace());
    if tail != Some('%') {
        return Err(NumberFault::NoNumber);
    }
    let text = normalized(raw);
    let Some(number) = text.trim().strip_suffix('%') else {
        return Err(NumberFault::NoNumber);
    };
    number_of(number)
}

/// A table cell's number (`2,940.05`, `０.００`, `−3.5`): [`parse_number`]; `None` for blanks, dashes
/// and anything that is not one number.
pub fn cell_number(text: &str) -> Option<Decimal> {
    number_of(text).ok()
}

/// A table cell's percent (`58.7%`) as its number (58.7): [`parse_percent`]; `None` otherwise.
pub fn cell_percent(text: &str) -> Option<Decimal> {
    percent_of(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> UnitWords {
        let d = |s: &str| Decimal::from_str(s).expect("decimal literal");
        let w = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        UnitWords {
            money: vec![
                ("亿元".into(), d("10000")),
                ("万元".into(), d("1")),
                ("千元".into(), d("0.1")),
                ("元".into(), d("0.0001")),
                ("亿".into(), d("10000")),
                ("万".into(), d("1")),
            ],
            approximate_before: w(&["近", "约", "超过"]),
            approximate_after: w(&["余", "多"]),
            negative: w(&["减少", "下降", "降低"]),
            positive: w(&["增加", "增长"]),
            not_money_after: w(&["/", "人", "户", "张", "家"]),
            table: w(&["亿元", "万元", "千元", "元"]),
            large_whole: Some("元".into()),
        }
    }

    #[test]
    fn money_in_any_unit_becomes_exact_wan() {
        let u = units();
        // raw, value in 万元, approximate
        let cases = [
            ("4193.92万元", "4193.92", false),
            ("4207.52 万元", "4207.52", false),
            ("200元", "0.02", false),
            ("9.16亿元", "91600", false),
            ("34.1亿元", "341000", false),
            ("近12亿元", "120000", true),
            ("4800余万", "4800", true),
            ("1021万元", "1021", false),
            ("156,211,123.44元", "15621.112344", false),
            ("2,070,000元", "207", false),
            ("１９６３万元", "1963", false),
            ("3.4万元", "3.4", false),
            ("12千元", "1.2", false),
            ("约5万元", "5", true),
            ("1.3万余元", "1.3", false),
        ];
        for (raw, want, approx) in cases {
            if raw == "1.3万余元" {
                // 余 must sit between number and unit: not money in this order.
                assert!(u.parse_money(raw).is_err(), "{raw}");
                continue;
            }
            let got = u.parse_money(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(got.value, Decimal::from_str(want).expect("want"), "{raw}");
            assert_eq!(got.approximate, approx, "{raw}");
        }
    }

    #[test]
    fn counts_codes_years_and_unit_costs_are_never_money() {
        let u = units();
        let traps = [
            "1.44万人",
            "5.6万人次",
            "4.2万张",
            "1.3万人",
            "11 万户",
            "2.96万人",
            "150 家",
            "2000 元/人",
            "250元/人",
            "2020年",
            "2080505",
            "1 2 3 4 5 6 7 8 9 10 11 12",
            "12%",
            "31.7 万人",
            "1,2345元",
            "",
        ];
        for raw in traps {
            assert!(u.parse_money(raw).is_err(), "{raw} parsed as money");
        }
    }

    #[test]
    fn numbers_and_percents() {
        let d = |s: &str| Decimal::from_str(s).expect("want");
        let cases = [
            ("１９６３", d("1963")),
            ("2,940.05", d("2940.05")),
            ("156,211,123", d("156211123")),
            ("100.00", d("100.00")),
            ("0.00", d("0")),
            ("-63.14", d("-63.14")),
            ("−3.5", d("-3.5")),
            ("－3.5", d("-3.5")),
            ("+5", d("5")),
            (" 12 ", d("12")),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_number(raw), Ok(want), "{raw}");
            assert_eq!(cell_number(raw), Some(want), "{raw}");
        }
        assert_eq!(
            parse_number("100.00").map(|v| v.to_string()),
            Ok("100.00".into())
        );
        assert_eq!(
            parse_number("−3.5").map(|v| v.to_string()),
            Ok("-3.5".into())
        );
        let not_numbers = [
            "1.2.3", "12,34", "1,23", "1234,567", ".5", "5.", "—", "——", "-", "--5", "+-5", "",
            "年", "58.7%", "1 2",
        ];
        for raw in not_numbers {
            assert!(parse_number(raw).is_err(), "{raw}");
            assert_eq!(cell_number(raw), None, "{raw}");
        }
        assert_eq!(parse_percent("12%"), Ok(Decimal::from(12)));
        assert_eq!(parse_percent("１２％"), Ok(Decimal::from(12)));
        assert_eq!(parse_percent("99.68％"), Ok(d("99.68")));
        assert_eq!(cell_percent("−3.5%"), Some(d("-3.5")));
        assert_eq!(cell_percent("58.7%"), Some(d("58.7")));
        for raw in ["99.68", "%", "12%%", ".5%", "—", "十二%"] {
            assert_eq!(cell_percent(raw), None, "{raw}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_fails_without_panicking(s in "\\PC{0,24}") {
            let _ = units().parse_money(&s);
            let _ = parse_number(&s);
            let _ = parse_percent(&s);
        }

        #[test]
        fn printed_numbers_read_back_exactly(n in -10_000_000_000i64..10_000_000_000i64, frac in 0u32..100) {
            let v = Decimal::new(n * 100 + i64::from(frac) * n.signum(), 2);
            proptest::prop_assert_eq!(parse_number(&v.to_string()), Ok(v));
            proptest::prop_assert_eq!(cell_percent(&format!("{v}%")), Some(v));
        }

        #[test]
        fn yuan_integers_are_exact_wan(n in 0u64..10_000_000_000u64) {
            let got = units().parse_money(&format!("{n}元")).expect("money");
            proptest::prop_assert_eq!(got.value * Decimal::from(10_000), Decimal::from(n));
        }
    }

    #[test]
    fn sign_words() {
        let u = units();
        let cases = [
            ("增加", Some(1)),
            ("增长", Some(1)),
            ("减少", Some(-1)),
            ("下降", Some(-1)),
            ("降低", Some(-1)),
            ("持平", None),
        ];
        for (w, want) in cases {
            assert_eq!(u.sign(w), want, "{w}");
        }
        assert!(u.spoils_money("/人"));
        assert!(u.spoils_money("人次"));
        assert!(!u.spoils_money("，"));
    }
}

//! Units and cell values: the unit a table declares, the unit inferred when none is printed, and a
//! printed cell text → an exact value.
//!
//! In: the text near a table title (`单位：元`, `金额单位：万元`, `（单位：万元）`) and cell texts
//! (`2,940.05`, `156,211,123`, `—`, `0.00`, `58.7%`). Out: a [`Unit`] and `Option<Decimal>` values;
//! money is converted to 万元 exactly (元 ÷ 10000, 千元 ÷ 10, 亿元 × 10000). Empty, `—`, `-` cells are
//! `None`; `0.00` is zero.
//!
//! Not here: deciding which column holds money (see [`super::header`]). Limits: a unit printed only in a
//! column header (`金额（元）`) is read by [`declared_in`] only when that header text is passed to it;
//! inference without narrative facts relies on magnitude alone (see [`infer_from_values`]).

use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::normalize::{normalize_line, MatchForm};

/// A money unit a table can be printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Yuan,
    QianYuan,
    WanYuan,
    YiYuan,
}

impl Unit {
    const ALL: [Unit; 4] = [Unit::Yuan, Unit::QianYuan, Unit::WanYuan, Unit::YiYuan];

    /// The value of one unit in 万元.
    fn scale(self) -> Decimal {
        match self {
            Unit::Yuan => Decimal::new(1, 4),
            Unit::QianYuan => Decimal::new(1, 1),
            Unit::WanYuan => Decimal::ONE,
            Unit::YiYuan => Decimal::from(10_000),
        }
    }

    /// The unit as printed (`元`, `万元`, ...): the table unit of `units.toml` of this value.
    pub(crate) fn name(self) -> String {
        let vocabulary = crate::vocabulary::current();
        let units = &vocabulary.units;
        units
            .table
            .iter()
            .find(|w| units.scale(w) == Some(self.scale()))
            .cloned()
            .unwrap_or_default()
    }

    /// The unit a table unit word of `units.toml` names.
    pub(crate) fn from_name(s: &str) -> Option<Unit> {
        let vocabulary = crate::vocabulary::current();
        let units = &vocabulary.units;
        if !units.table.iter().any(|w| w == s) {
            return None;
        }
        let scale = units.scale(s)?;
        Unit::ALL.into_iter().find(|u| u.scale() == scale)
    }

    /// Converts an amount in this unit to 万元, exactly.
    pub(crate) fn to_wan(self, v: Decimal) -> Decimal {
        let out = match self {
            Unit::Yuan => v / Decimal::from(10_000),
            Unit::QianYuan => v / Decimal::from(10),
            Unit::WanYuan => v,
            Unit::YiYuan => v * Decimal::from(10_000),
        };
        out.normalize()
    }
}

/// The unit declared in a line such as `单位：万元` or a title `…结构表（单位：万元）`.
pub(crate) fn declared_in(text: &(impl MatchForm + ?Sized)) -> Option<Unit> {
    let norm = text.match_form();
    let vocabulary = crate::vocabulary::current();
    let c = vocabulary.tables.unit_line.captures(&norm)?;
    Unit::from_name(crate::vocabulary::group(&c, "unit")?)
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$").expect("number regex is valid")
});

static PERCENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[-−]?\d+(?:\.\d+)?%$").expect("percent regex is valid"));

/// True for texts that mean "no value" in a table cell.
pub(crate) fn is_blank(text: &str) -> bool {
    let t = normalize_line(text);
    t.is_empty() || matches!(t.as_str(), "-" | "—" | "——" | "－" | "–" | "/" | "…" | "--")
}

/// Parses a printed number (`2,940.05`, `0.00`, `-3.5`) exactly; `None` for anything else, blanks
/// included.
pub(crate) fn parse_number(text: &str) -> Option<Decimal> {
    let t = normalize_line(text).replace('−', "-");
    if !NUMBER.is_match(&t) {
        return None;
    }
    Decimal::from_str(&t.replace(',', "")).ok()
}

/// Parses a printed percent (`58.7%`) to its number (58.7).
pub(crate) fn parse_percent(text: &str) -> Option<Decimal> {
    let t = normalize_line(text).replace('−', "-");
    if !PERCENT.is_match(&t) {
        return None;
    }
    Decimal::from_str(t.trim_end_matches('%')).ok()
}

/// True when the text is one printed number (money-like or a percent).
pub(crate) fn is_numeric(text: &str) -> bool {
    parse_number(text).is_some() || parse_percent(text).is_some()
}

/// A unit guessed from the magnitudes of a table's money values when none is printed: 元 when the
/// values are large integers (the largest ≥ 10,000,000, i.e. ≥ 1000 万 if read as 元 and an absurd
/// 1000 亿 if read as 万元) or when most values are whole and at least 100,000; `None` (no opinion)
/// otherwise. A narrative cross-check (see [`super::reconcile_units`]) overrides it.
pub(crate) fn infer_from_values(values: &[Decimal]) -> Option<Unit> {
    let nonzero: Vec<&Decimal> = values.iter().filter(|v| !v.is_zero()).collect();
    if nonzero.is_empty() {
        return None;
    }
    let max = nonzero.iter().map(|v| v.abs()).max()?;
    if max >= Decimal::from(10_000_000) {
        return Some(Unit::Yuan);
    }
    let whole_large = nonzero
        .iter()
        .filter(|v| v.fract().is_zero() && v.abs() >= Decimal::from(100_000))
        .count();
    if whole_large * 2 > nonzero.len() {
        return Some(Unit::Yuan);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal literal")
    }

    #[test]
    fn declared_units() {
        let cases = [
            ("单位：万元", Some(Unit::WanYuan)),
            ("单位:元", Some(Unit::Yuan)),
            ("金额单位：万元", Some(Unit::WanYuan)),
            ("财政拨款收入结构表（单位：万元）", Some(Unit::WanYuan)),
            ("单位： 元", Some(Unit::Yuan)),
            ("收入支出决算总表", None),
        ];
        for (text, want) in cases {
            assert_eq!(declared_in(text), want, "{text}");
        }
    }

    #[test]
    fn numbers_and_blanks() {
        let cases = [
            ("2,940.05", Some(d("2940.05"))),
            ("156,211,123", Some(d("156211123"))),
            ("0.00", Some(d("0"))),
            ("１９６３", Some(d("1963"))),
            ("-3.5", Some(d("-3.5"))),
            ("—", None),
            ("-", None),
            ("", None),
            ("58.7%", None),
            ("12,34", None),
            ("一般公共服务支出", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_number(text), want, "{text}");
        }
        assert!(is_blank("—") && is_blank(" ") && is_blank("-") && !is_blank("0.00"));
        assert_eq!(parse_percent("58.7%"), Some(d("58.7")));
    }

    #[test]
    fn yuan_to_wan_is_exact() {
        assert_eq!(Unit::Yuan.to_wan(d("156211123")), d("15621.1123"));
        assert_eq!(Unit::Yuan.to_wan(d("96282213.44")), d("9628.221344"));
        assert_eq!(Unit::Yuan.to_wan(d("2932700")), d("293.27"));
        assert_eq!(Unit::WanYuan.to_wan(d("2940.05")), d("2940.05"));
        assert_eq!(Unit::YiYuan.to_wan(d("9.16")), d("91600"));
    }

    #[test]
    fn infers_yuan_from_magnitude() {
        let yuan = [d("156211123"), d("2932700"), d("250000")];
        assert_eq!(infer_from_values(&yuan), Some(Unit::Yuan));
        let wan = [d("2940.05"), d("6.20"), d("2946.25")];
        assert_eq!(infer_from_values(&wan), None);
    }
}

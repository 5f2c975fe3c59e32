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

use rust_decimal::Decimal;

use crate::amount::{cell_number, cell_percent};
use crate::normalize::{normalize_line, MatchForm};

/// A money unit a table can be printed in: a `table` unit of `units.toml`, known by its value in 万元
/// (the scale comes only from `[units.money]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unit {
    /// The value of one unit in 万元.
    scale: Decimal,
}

impl Unit {
    /// The output unit (万元) itself: a table read in it keeps its printed values.
    pub(crate) const WAN: Unit = Unit {
        scale: Decimal::ONE,
    };

    /// The unit as printed (`元`, `万元`, ...): the first table unit of `units.toml` of this value.
    pub(crate) fn name(self) -> String {
        let vocabulary = crate::vocabulary::current();
        let units = &vocabulary.units;
        units
            .table
            .iter()
            .find(|w| units.scale(w) == Some(self.scale))
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
        units.scale(s).map(|scale| Unit { scale })
    }

    /// The unit of a table that prints none but whose money cells are large whole numbers
    /// (`units.toml` `large_whole`: 元), if the pattern set names one.
    pub(crate) fn large_whole() -> Option<Unit> {
        let vocabulary = crate::vocabulary::current();
        let word = vocabulary.units.large_whole.clone()?;
        Unit::from_name(&word)
    }

    /// Converts an amount in this unit to 万元, exactly.
    pub(crate) fn to_wan(self, v: Decimal) -> Decimal {
        (v * self.scale).normalize()
    }
}

/// The unit declared in a line such as `单位：万元` or a title `…结构表（单位：万元）`.
pub(crate) fn declared_in(text: &(impl MatchForm + ?Sized)) -> Option<Unit> {
    let norm = text.match_form();
    let vocabulary = crate::vocabulary::current();
    let c = vocabulary.tables.unit_line.captures(&norm)?;
    Unit::from_name(crate::vocabulary::group(&c, "unit")?)
}

/// True for texts that mean "no value" in a table cell.
pub(crate) fn is_blank(text: &str) -> bool {
    let t = normalize_line(text);
    t.is_empty() || matches!(t.as_str(), "-" | "—" | "——" | "－" | "–" | "/" | "…" | "--")
}

/// True when the text is one printed number (money-like or a percent).
pub(crate) fn is_numeric(text: &str) -> bool {
    cell_number(text).is_some() || cell_percent(text).is_some()
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
        return Unit::large_whole();
    }
    let whole_large = nonzero
        .iter()
        .filter(|v| v.fract().is_zero() && v.abs() >= Decimal::from(100_000))
        .count();
    if whole_large * 2 > nonzero.len() {
        return Unit::large_whole();
    }
    None
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal literal")
    }

    fn unit(name: &str) -> Unit {
        Unit::from_name(name).unwrap_or_else(|| panic!("{name} is a table unit"))
    }

    #[test]
    fn declared_units() {
        let cases = [
            ("单位：万元", Some(Unit::WAN)),
            ("单位:元", Some(unit("元"))),
            ("金额单位：万元", Some(Unit::WAN)),
            ("财政拨款收入结构表（单位：万元）", Some(Unit::WAN)),
            ("单位： 元", Some(unit("元"))),
            ("单位：千元", Some(unit("千元"))),
            ("收入支出决算总表", None),
        ];
        for (text, want) in cases {
            assert_eq!(declared_in(text), want, "{text}");
        }
    }

    #[test]
    fn units_are_the_table_words_of_units_toml() {
        assert_eq!(Unit::WAN.name(), "万元");
        assert_eq!(unit("元").name(), "元");
        assert_eq!(unit("亿元").name(), "亿元");
        // 万 is money in the narrative but no unit a table declares.
        assert_eq!(Unit::from_name("万"), None);
        assert_eq!(Unit::from_name("人"), None);
        assert_eq!(Unit::large_whole(), Some(unit("元")));
    }

    #[test]
    fn numbers_blanks_and_percents_in_cells() {
        assert!(is_blank("—") && is_blank(" ") && is_blank("-") && !is_blank("0.00"));
        assert!(is_numeric("58.7%") && is_numeric("−3.5") && is_numeric("2,940.05"));
        assert!(!is_numeric("—") && !is_numeric("1,23") && !is_numeric("一般公共服务支出"));
    }

    #[test]
    fn yuan_to_wan_is_exact() {
        let yuan = unit("元");
        assert_eq!(yuan.to_wan(d("156211123")), d("15621.1123"));
        assert_eq!(yuan.to_wan(d("96282213.44")), d("9628.221344"));
        assert_eq!(yuan.to_wan(d("2932700")), d("293.27"));
        assert_eq!(yuan.to_wan(d("2932700")).to_string(), "293.27");
        assert_eq!(unit("千元").to_wan(d("12")).to_string(), "1.2");
        assert_eq!(Unit::WAN.to_wan(d("2940.05")), d("2940.05"));
        assert_eq!(Unit::WAN.to_wan(d("2940.50")).to_string(), "2940.5");
        assert_eq!(unit("亿元").to_wan(d("9.16")).to_string(), "91600");
    }

    #[test]
    fn infers_yuan_from_magnitude() {
        let yuan = [d("156211123"), d("2932700"), d("250000")];
        assert_eq!(infer_from_values(&yuan), Some(unit("元")));
        let wan = [d("2940.05"), d("6.20"), d("2946.25")];
        assert_eq!(infer_from_values(&wan), None);
    }
}

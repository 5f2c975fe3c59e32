//! Table ids as a type: the catalog's standard ids (`F01`…`F09` of a final account, `B01`…`B09` of
//! a budget, `P01` for the project performance tables) and `X` (a table no catalog entry names).
//!
//! In: an id as written in `patterns/tables/catalog.toml` or in a [`crate::extract::tables::Table`].
//! Out: a [`TableId`] that says its family, or `None` for a string that is no table id. Not here:
//! which ids exist (the catalog, `crate::extract::tables::Catalog`) and what a title maps to.

use std::fmt;

/// The family of a standard table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableFamily {
    /// `F…`: a final account's tables (决算).
    Final,
    /// `B…`: a budget's tables (预算).
    Budget,
    /// `P…`: project performance tables (绩效自评表).
    Performance,
}

impl TableFamily {
    fn letter(self) -> char {
        match self {
            TableFamily::Final => 'F',
            TableFamily::Budget => 'B',
            TableFamily::Performance => 'P',
        }
    }
}

/// One table id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableId {
    /// A catalog table: its family and number (`B03` → Budget, 3).
    Standard(TableFamily, u8),
    /// `X`: a table the catalog does not name.
    Unidentified,
}

impl TableId {
    /// Parses `F01`, `B09`, `P01` (a letter and two digits, not `00`) or `X`.
    pub fn parse(s: &str) -> Option<TableId> {
        if s == "X" {
            return Some(TableId::Unidentified);
        }
        let mut chars = s.chars();
        let family = match chars.next()? {
            'F' => TableFamily::Final,
            'B' => TableFamily::Budget,
            'P' => TableFamily::Performance,
            _ => return None,
        };
        let digits = chars.as_str();
        if digits.len() != 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u8 = digits.parse().ok()?;
        (n > 0).then_some(TableId::Standard(family, n))
    }

    /// The family of a standard id; `None` for `X`.
    pub fn family(self) -> Option<TableFamily> {
        match self {
            TableId::Standard(f, _) => Some(f),
            TableId::Unidentified => None,
        }
    }

    /// A standard table of a budget or final-account report (`F…`, `B…`): the tables whose presence
    /// says the file holds its report's tables.
    pub fn is_report_table(self) -> bool {
        matches!(
            self.family(),
            Some(TableFamily::Final | TableFamily::Budget)
        )
    }
}

impl fmt::Display for TableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableId::Standard(family, n) => write!(f, "{}{n:02}", family.letter()),
            TableId::Unidentified => f.write_str("X"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_print_back() {
        for s in ["F01", "F09", "B03", "P01", "X", "B10"] {
            let id = TableId::parse(s).unwrap_or_else(|| panic!("{s} parses"));
            assert_eq!(id.to_string(), s);
        }
        assert_eq!(
            TableId::parse("B03"),
            Some(TableId::Standard(TableFamily::Budget, 3))
        );
        for bad in ["", "F1", "F001", "Q01", "F00", "f01", "X1", "B0a"] {
            assert_eq!(TableId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn report_tables_are_final_and_budget_ones() {
        let is = |s: &str| TableId::parse(s).is_some_and(TableId::is_report_table);
        assert!(is("F01") && is("B09"));
        assert!(!is("P01") && !is("X") && !is("Z01"));
    }
}

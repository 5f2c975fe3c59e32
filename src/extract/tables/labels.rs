//! The vocabulary of column labels (`patterns/tables/columns.toml`): which header words make a column
//! a total, a spending part (基本支出, 项目支出…), a part of 基本支出 (人员经费, 公用经费), a column
//! numbering (行次, 栏次, 序号), a year-on-year change or the previous year's figure.
//!
//! In: the `[columns]` table of a pattern file (the embedded default, or the one `--patterns DIR`
//! gives, installed for the current thread by [`scoped`]). Out: [`ColumnWords`], asked about a
//! label's leaf ([`ColumnWords::role`]). Not here: which column of a table a check compares (see
//! [`crate::checks::tables`]) and how header rows are flattened (see [`super::header`]).

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

use super::rows::{default_row_words, RowWords};
use crate::normalize::normalize_line;

const DEFAULT_TOML: &str = include_str!("../../../patterns/tables/columns.toml");

/// The `[columns]` table as written.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ColumnsEntry {
    pub total: Vec<String>,
    pub spending_parts: Vec<String>,
    pub basic_parts: Vec<String>,
    pub personnel: Vec<String>,
    pub numbering: Vec<String>,
    pub change: Vec<String>,
    pub previous_year: Vec<String>,
    pub gpb_income_rows: Vec<String>,
    pub income_side: Vec<String>,
    pub detail_rows: Vec<String>,
    #[serde(default)]
    pub examples: Vec<LabelExample>,
}

/// A label and the role its leaf must have.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelExample {
    pub label: String,
    pub role: String,
}

/// What a column label says about its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelRole {
    Total,
    SpendingPart,
    BasicPart,
    Numbering,
    Change,
    PreviousYear,
    /// Dated (`2026年预算数`) and neither a change nor the previous year.
    Year,
    None,
}

impl LabelRole {
    fn name(self) -> &'static str {
        match self {
            LabelRole::Total => "total",
            LabelRole::SpendingPart => "spending_part",
            LabelRole::BasicPart => "basic_part",
            LabelRole::Numbering => "numbering",
            LabelRole::Change => "change",
            LabelRole::PreviousYear => "previous_year",
            LabelRole::Year => "year",
            LabelRole::None => "none",
        }
    }
}

/// The compiled vocabulary.
#[derive(Debug, Clone, Default)]
pub struct ColumnWords {
    pub words: ColumnsEntry,
}

#[derive(Deserialize)]
struct DefaultFile {
    columns: ColumnsEntry,
}

static DEFAULT: LazyLock<Arc<ColumnWords>> = LazyLock::new(|| {
    Arc::new(ColumnWords {
        words: toml::from_str::<DefaultFile>(DEFAULT_TOML)
            .map(|f| f.columns)
            .unwrap_or_default(),
    })
});

thread_local! {
    static CURRENT: RefCell<Option<(Arc<ColumnWords>, Arc<RowWords>)>> = const { RefCell::new(None) };
}

/// The column vocabulary in force on this thread: the one [`scoped`] installed, or the embedded
/// default.
pub fn words() -> Arc<ColumnWords> {
    CURRENT
        .with(|c| c.borrow().as_ref().map(|(w, _)| w.clone()))
        .unwrap_or_else(|| DEFAULT.clone())
}

/// The row words in force on this thread (`patterns/tables/rows.toml`): the ones [`scoped`]
/// installed, or the embedded default.
pub fn row_words() -> Arc<RowWords> {
    CURRENT
        .with(|c| c.borrow().as_ref().map(|(_, r)| r.clone()))
        .unwrap_or_else(default_row_words)
}

/// The embedded default vocabulary.
pub fn default_words() -> Arc<ColumnWords> {
    DEFAULT.clone()
}

/// Runs `f` with the run's column vocabulary and row words (a document is read on one thread).
pub fn scoped<T>(w: Arc<ColumnWords>, rows: Arc<RowWords>, f: impl FnOnce() -> T) -> T {
    let before = CURRENT.with(|c| c.borrow_mut().replace((w, rows)));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = before);
    out
}

fn year_in(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let d = &s.get(i..i + 4)?;
        let rest = s.get(i + 4..)?;
        (d.bytes().all(|c| c.is_ascii_digit())
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && rest.starts_with('年'))
        .then(|| d.parse().ok())
        .flatten()
    })
}

impl ColumnWords {
    pub fn new(words: ColumnsEntry) -> ColumnWords {
        ColumnWords { words }
    }

    fn has(list: &[String], s: &str) -> bool {
        list.iter().any(|w| w == s)
    }

    fn contains_any(list: &[String], s: &str) -> bool {
        list.iter().any(|w| s.contains(w.as_str()))
    }

    /// True for the leaf of a total column (合计, 小计…).
    pub fn is_total(&self, leaf: &str) -> bool {
        Self::has(&self.words.total, leaf)
    }

    pub fn is_spending_part(&self, leaf: &str) -> bool {
        Self::has(&self.words.spending_parts, leaf)
    }

    pub fn is_basic_part(&self, leaf: &str) -> bool {
        Self::has(&self.words.basic_parts, leaf)
    }

    pub fn is_personnel(&self, leaf: &str) -> bool {
        Self::has(&self.words.personnel, leaf)
    }

    /// True for a header cell that numbers rows or columns (行次, 栏次, 序号).
    pub fn is_numbering(&self, text: &str) -> bool {
        let t = normalize_line(text);
        Self::has(&self.words.numbering, &t)
    }

    /// True when a label names a year-on-year change (增减变化金额, 比上年增减%).
    pub fn is_change(&self, label: &str) -> bool {
        Self::contains_any(&self.words.change, label)
    }

    /// True when a label names the previous year's figure (上年预算数).
    pub fn is_previous_year(&self, label: &str) -> bool {
        !self.is_change(label) && Self::contains_any(&self.words.previous_year, label)
    }

    /// The year a label is dated with (`2026年预算数` → 2026).
    pub fn year(&self, label: &str) -> Option<u32> {
        year_in(&normalize_line(label))
    }

    /// Starts of the income rows of 一般公共预算 funds in a 财政拨款收支总表.
    pub fn gpb_income_rows(&self) -> &[String] {
        &self.words.gpb_income_rows
    }

    /// True for a column label of the income side of a summary table (收入/预算数).
    pub fn is_income_side(&self, label: &str) -> bool {
        Self::contains_any(&self.words.income_side, label)
    }

    /// True for a row printed as detail of the row above (`其中：…`).
    pub fn is_detail_row(&self, name: &str) -> bool {
        let n = normalize_line(name);
        self.words
            .detail_rows
            .iter()
            .any(|w| n.starts_with(w.as_str()))
    }

    /// The role of a label (by its leaf for totals and parts; by the whole label for the rest).
    pub fn role(&self, label: &str) -> LabelRole {
        let leaf = label.rsplit('/').next().unwrap_or(label);
        let group = label
            .rsplit_once('/')
            .map(|(p, _)| p.rsplit('/').next().unwrap_or(p));
        if self.is_numbering(leaf) {
            LabelRole::Numbering
        } else if self.is_change(label) {
            LabelRole::Change
        } else if self.is_previous_year(label) {
            LabelRole::PreviousYear
        } else if self.is_total(leaf)
            || group.is_some_and(|g| !g.is_empty() && leaf != g && leaf.starts_with(g))
        {
            LabelRole::Total
        } else if self.is_basic_part(leaf) {
            LabelRole::BasicPart
        } else if self.is_spending_part(leaf) {
            LabelRole::SpendingPart
        } else if self.year(label).is_some() {
            LabelRole::Year
        } else {
            LabelRole::None
        }
    }

    /// Problems with the examples, each as `file:columns:examples[i]: message`.
    pub fn check(&self, file: &str) -> Vec<String> {
        let mut out = Vec::new();
        if self.words.examples.is_empty() {
            out.push(format!(
                "{file}:columns:examples: the vocabulary needs examples"
            ));
        }
        for (i, ex) in self.words.examples.iter().enumerate() {
            let got = self.role(&ex.label);
            if got.name() != ex.role {
                out.push(format!(
                    "{file}:columns:examples[{i}]: {:?} should be {} but is {}",
                    ex.label,
                    ex.role,
                    got.name()
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_vocabulary_examples_pass() {
        let w = default_words();
        assert!(!w.words.total.is_empty());
        let problems = w.check("tables/columns.toml");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn header_year_columns() {
        let w = default_words();
        assert_eq!(w.year("2026年预算数"), Some(2026));
        assert_eq!(w.year("收入/2025年 预算数"), Some(2025));
        assert_eq!(w.year("预算数"), None);
        assert_eq!(w.role("2026年预算数"), LabelRole::Year);
        assert_eq!(w.role("增减变化金额"), LabelRole::Change);
        assert_eq!(w.role("2026年比2025年增减%"), LabelRole::Change);
        assert_eq!(w.role("上年预算数"), LabelRole::PreviousYear);
    }

    #[test]
    fn scoped_vocabulary_replaces_the_default_on_this_thread() {
        let mut e = default_words().words.clone();
        e.total = vec!["总额".to_string()];
        let got = scoped(Arc::new(ColumnWords::new(e)), default_row_words(), || {
            (words().is_total("总额"), words().is_total("合计"))
        });
        assert_eq!(got, (true, false));
        assert!(words().is_total("合计"));
    }
}

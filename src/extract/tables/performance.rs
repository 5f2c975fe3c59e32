//! 项目支出绩效自评表 (P01): one table per project, read from the lines' text (PDF or plain text).
//!
//! In: a document. Out: for every self-assessment block that prints its 预算执行情况 figures, one
//! table with id `P01`, title `项目支出绩效自评表 (<project>)` and exactly one row:
//!
//! | column | cell | unit |
//! | --- | --- | --- |
//! | `预算数` | budget (A) | 万元 |
//! | `执行数` | executed (B) | 万元 |
//! | `执行率` | B/A as printed (`42%` → 42; a bare `0` → 0) | % |
//! | `得分` | score of the budget-execution indicator (20 分 × 执行率) | 分 |
//! | `总分` | total score of the project, when printed | 分 |
//! | `指标得分` | Σ of the 得分 printed at the end of each indicator row (raw: `15+15+10+20+20`) | 分 |
//!
//! The row's `name` is the project name. A block starts at a heading `（3）税务征收经费自评结果` or a
//! `项目名称` line (the heading's name wins: the 项目名称 cell sometimes carries a suffix); the project
//! name printed over several lines after `项目名称` is joined. The figures are the first line after the
//! `资金总额` label (`年度财政资金总额`) that holds 2–4 numbers, in the printed order 预算数, 执行数,
//! 执行率, 得分. The indicator rows follow the `一级指标` header; each row's score is its last token
//! when that is a plain number. `总分 88.4` closes the block.
//!
//! Boxes: each of the four figures has the display box of its token on the figures line, 总分 the
//! box of its number on the `总分` line, both only when that line is on the row's page (a box is on
//! its row's page); 指标得分 is a sum of several lines' scores and has none.
//!
//! Not here: checks (执行率 = 执行数 / 预算数, see [`crate::checks::tables`]). Limits: a form whose
//! figures are printed in another order (执行数 before 预算数) would be misread; an indicator row
//! whose score cell is blank gives its 实际完成值 instead when that is a plain number (the 总分 check
//! then fails and shows it).

use rust_decimal::Decimal;

use crate::amount::{cell_number, cell_percent, WAN_YUAN};
use crate::document::{Document, Line, Rect};
use crate::normalize::normalize_line;
use crate::vocabulary::{group, Performance};

use super::{Row, Table};

#[derive(Debug, Default)]
struct Block {
    name: String,
    from_heading: bool,
    page: u32,
    last_page: u32,
    figures: Option<Vec<String>>,
    total: Option<String>,
    in_name: bool,
    after_amount_label: bool,
    /// Inside the indicator rows (after the `一级指标` header, before `总分`).
    in_indicators: bool,
    /// The 得分 printed at the end of each indicator row.
    indicator_scores: Vec<String>,
    /// Display boxes of the cells (in the order of the columns) printed on the block's page.
    rects: Vec<Option<Rect>>,
}

impl Block {
    /// The boxes of the figures line's tokens, when it is on the block's page.
    fn keep_figure_rects(&mut self, line: &Line, page: u32) {
        if page == self.page {
            self.rects = token_rects(line);
        }
    }

    /// The box of the 总分 number (`number`: its bytes in the normalised line), when its line is on
    /// the block's page.
    fn keep_total_rect(&mut self, line: &Line, page: u32, number: Option<regex::Match>) {
        if page == self.page {
            self.rects.resize(4, None);
            self.rects.push(
                number.and_then(|m| crate::positions::line_sub_box(line, m.start(), m.end())),
            );
        }
    }
}

/// The display boxes of the whitespace-separated pieces of a line that [`tokens`] keeps, in order
/// (None for each without positions: text input).
fn token_rects(line: &Line) -> Vec<Option<Rect>> {
    let chars: Vec<char> = line.text().chars().collect();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for i in 0..=chars.len() {
        let blank = chars.get(i).is_none_or(|c| c.is_whitespace());
        match (blank, start) {
            (true, Some(s)) => {
                let piece: String = chars[s..i].iter().collect();
                if !normalize_line(&piece).is_empty() {
                    out.push(line.chars_box(s, i));
                }
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

fn tokens(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(normalize_line)
        .filter(|t| !t.is_empty())
        .collect()
}

/// The reading state: the block open and the tables finished.
struct Reader<'w> {
    words: &'w Performance,
    out: Vec<Table>,
    cur: Option<Block>,
}

impl Reader<'_> {
    fn close(&mut self) {
        if let Some(b) = self.cur.take() {
            self.out.extend(finish(b, self.words));
        }
    }

    /// A heading opens a block named by it; true when the line was one.
    fn heading(&mut self, n: &str, page: u32) -> bool {
        let Some(c) = self.words.heading.captures(n) else {
            return false;
        };
        let name = group(&c, "name").unwrap_or_default().to_string();
        self.close();
        self.cur = Some(Block {
            name,
            from_heading: true,
            page,
            last_page: page,
            ..Block::default()
        });
        true
    }

    /// A 项目名称 line opens a block unless it belongs to the heading's; true when the line was one.
    fn name_line(&mut self, n: &str, page: u32) -> bool {
        let Some(c) = self.words.name_line.captures(n) else {
            return false;
        };
        let rest = group(&c, "name").unwrap_or_default().to_string();
        let fresh = self
            .cur
            .as_ref()
            .is_none_or(|b| b.figures.is_some() || !b.from_heading);
        if fresh {
            self.close();
            self.cur = Some(Block {
                page,
                ..Block::default()
            });
        }
        if let Some(b) = self.cur.as_mut() {
            if !b.from_heading {
                b.name = rest;
                b.in_name = true;
            }
        }
        true
    }

    /// Any other line of an open block.
    fn body_line(&mut self, n: &str, line: &Line, page: u32) {
        let words = self.words;
        let Some(b) = self.cur.as_mut() else { return };
        b.last_page = page;
        if b.in_name {
            if words.name_end.is_match(n) {
                b.in_name = false;
            } else {
                b.name.push_str(n);
                return;
            }
        }
        if words.amount_label.is_match(n) {
            b.after_amount_label = true;
        }
        let toks = tokens(line.text());
        if take_figures(b, &toks) {
            b.keep_figure_rects(line, page);
            return;
        }
        if b.figures.is_some() && words.indicators.is_match(n) {
            b.in_indicators = true;
            return;
        }
        let total = words.total_line.captures(n);
        if b.in_indicators && total.is_none() {
            if let Some(score) = indicator_score(&toks, words) {
                b.indicator_scores.push(score);
            }
            return;
        }
        if let Some(c) = total {
            b.total = group(&c, "score").map(str::to_string);
            b.keep_total_rect(line, page, c.name("score"));
            self.close();
        }
    }
}

/// The budget figures: the first line after the amount label of 2–4 numbers, money first; true when
/// `toks` were taken.
fn take_figures(b: &mut Block, toks: &[String]) -> bool {
    let numeric = !toks.is_empty()
        && toks
            .iter()
            .all(|t| cell_number(t).is_some() || cell_percent(t).is_some());
    // 预算数 and 执行数 come first: a row opening with a percent is a target row
    // (`100% 10` of a 绩效目标表), not the budget figures.
    let money_first = toks.first().is_some_and(|t| !t.contains('%'));
    if b.after_amount_label
        && b.figures.is_none()
        && numeric
        && money_first
        && (2..=4).contains(&toks.len())
    {
        b.figures = Some(toks.to_vec());
        b.after_amount_label = false;
        return true;
    }
    false
}

/// Reads the P01 tables of a document.
pub(crate) fn extract(doc: &Document) -> Vec<Table> {
    let vocabulary = crate::vocabulary::current();
    let mut r = Reader {
        words: &vocabulary.performance,
        out: Vec::new(),
        cur: None,
    };
    for page in &doc.pages {
        if crate::ingest::stop_requested() {
            break;
        }
        // The figures are printed beside their 资金总额 label, on its page: a form without them
        // (a 绩效目标表 states only the amount planned) takes none from the next page's table.
        if let Some(b) = r.cur.as_mut() {
            b.after_amount_label = false;
        }
        for line in &page.lines {
            let n = line.normalized();
            if n.is_empty() || r.heading(n, page.number) || r.name_line(n, page.number) {
                continue;
            }
            r.body_line(n, line, page.number);
        }
    }
    r.close();
    r.out
}

/// The score at the end of an indicator row (`数量指标 培训人次数 78 78 15`, `95% 98% 10`, or `10`
/// alone on a line after a wrapped 实际完成值): the last token, a plain number of at most 50 (not a
/// percent, not `（40分）`, not a count such as `5012` or `2020`).
fn indicator_score(toks: &[String], words: &Performance) -> Option<String> {
    let last = toks.last()?;
    if words.not_a_score.is_match(last) {
        return None;
    }
    let v = cell_number(last)?;
    (v <= Decimal::from(50)).then(|| last.clone())
}

fn finish(b: Block, words: &Performance) -> Option<Table> {
    let figures = b.figures?;
    let mut raw: Vec<String> = figures.clone();
    raw.resize(4, String::new());
    raw.push(b.total.clone().unwrap_or_default());
    raw.push(b.indicator_scores.join("+"));
    let indicator_sum = b
        .indicator_scores
        .iter()
        .map(|t| cell_number(t))
        .try_fold(Decimal::ZERO, |acc, v| v.map(|v| acc + v))
        .filter(|_| !b.indicator_scores.is_empty());
    let cells: Vec<Option<Decimal>> = raw
        .iter()
        .enumerate()
        .map(|(i, t)| match i {
            2 => cell_percent(t).or_else(|| cell_number(t)),
            5 => indicator_sum,
            _ => cell_number(t),
        })
        .collect();
    let name = b.name.trim().to_string();
    let mut cell_rects = b.rects;
    cell_rects.resize(words.columns.len(), None);
    Some(Table {
        table: "P01".to_string(),
        title: words.title.replace("{name}", &name),
        unit_declared: Some(WAN_YUAN.to_string()),
        pages: [b.page, b.last_page.max(b.page)],
        columns: words.columns.iter().map(|c| c.label.clone()).collect(),
        rows: vec![Row {
            code: None,
            name,
            cells,
            raw,
            page: b.page,
            level: None,
            parent: None,
            indent: None,
            bbox: None,
            bboxes: Vec::new(),
            cell_rects,
        }],
        empty: false,
        empty_statement: None,
        unit: WAN_YUAN.to_string(),
        unit_inferred: false,
        column_units: words.columns.iter().map(|c| c.unit.clone()).collect(),
        layout: "text".to_string(),
        regions: Vec::new(),
        grid_rects: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        tokens(s)
    }

    fn doc(lines: &[&str]) -> Document {
        let mut p = crate::document::Page::new(1);
        p.lines = lines
            .iter()
            .map(|t| crate::document::Line::plain(*t))
            .collect();
        Document {
            format: crate::document::Format::Pdf,
            pages: vec![p],
            text_quality: Default::default(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn target_table_row_opening_with_a_percent_is_no_budget_figure() {
        let d = doc(&[
            "项目名称 某专项房屋修缮项目",
            "主管部门 某大学",
            "年度资金总额",
            "100% 10",
            "总分 90",
        ]);
        assert!(extract(&d).is_empty());
        let d = doc(&[
            "项目名称 物业管理费",
            "主管部门 某局",
            "年度财政资金总额",
            "31.2 0 0 0",
            "一级指标 二级指标 三级指标",
            "数量指标 物业服务面积 100% 100% 20",
            "总分 80",
        ]);
        let t = extract(&d);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].rows[0].raw[0], "31.2");
        assert_eq!(t[0].rows[0].cells[5], Some(Decimal::from(20)));
    }

    /// A line drawn from pieces at known places: each piece's characters `per` points wide from its
    /// x, 10 points high from y (display space), pieces joined with one space.
    fn drawn(pieces: &[(&str, f32)], y: f32, per: f32) -> Line {
        let segments: Vec<crate::document::Segment> = pieces
            .iter()
            .map(|(text, x)| {
                let chars: Vec<Rect> = (0..text.chars().count())
                    .map(|i| Rect {
                        x0: x + per * i as f32,
                        y0: y,
                        x1: x + per * (i + 1) as f32,
                        y1: y + 10.0,
                    })
                    .collect();
                crate::document::Segment {
                    text: text.to_string(),
                    bbox: chars
                        .iter()
                        .copied()
                        .reduce(|a, b| a.union(&b))
                        .unwrap_or_default(),
                    font: None,
                    size: 10.0,
                    chars,
                }
            })
            .collect();
        let bbox = segments.iter().map(|s| s.bbox).reduce(|a, b| a.union(&b));
        Line::new(
            pieces.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(" "),
            bbox,
            segments,
        )
    }

    #[test]
    fn figures_and_total_have_the_boxes_of_their_glyphs() {
        let mut d = doc(&["项目名称 物业管理费", "主管部门 某局", "年度财政资金总额"]);
        d.pages[0].lines.push(drawn(
            &[
                ("31.2", 200.0),
                ("25.0", 260.0),
                ("80%", 320.0),
                ("16", 380.0),
            ],
            300.0,
            6.0,
        ));
        d.pages[0]
            .lines
            .push(Line::plain("一级指标 二级指标 三级指标"));
        d.pages[0].lines.push(drawn(
            &[("数量指标 物业服务面积 100% 100% 16", 100.0)],
            320.0,
            6.0,
        ));
        d.pages[0]
            .lines
            .push(drawn(&[("总分", 100.0), ("88.4", 400.0)], 340.0, 6.0));
        let t = extract(&d);
        assert_eq!(t.len(), 1);
        let r = |x0: f32, n: f32, y0: f32| {
            Some(Rect {
                x0,
                y0,
                x1: x0 + 6.0 * n,
                y1: y0 + 10.0,
            })
        };
        assert_eq!(
            t[0].rows[0].cell_rects,
            vec![
                r(200.0, 4.0, 300.0),
                r(260.0, 4.0, 300.0),
                r(320.0, 3.0, 300.0),
                r(380.0, 2.0, 300.0),
                r(400.0, 4.0, 340.0),
                None,
            ]
        );
        assert_eq!(t[0].rows[0].raw[4], "88.4");
        // Text input has no boxes, one per column all the same.
        let plain = doc(&[
            "项目名称 物业管理费",
            "主管部门 某局",
            "年度财政资金总额",
            "31.2 25.0 80% 16",
            "总分 88.4",
        ]);
        assert_eq!(extract(&plain)[0].rows[0].cell_rects, vec![None; 6]);
    }

    #[test]
    fn figures_on_a_later_page_than_the_block_have_no_box() {
        // The block opens on page 1; its amount label and figures are printed on page 2.
        let mut d = doc(&["项目名称 物业管理费", "主管部门 某局"]);
        let mut p2 = crate::document::Page::new(2);
        p2.lines.push(Line::plain("年度财政资金总额"));
        p2.lines
            .push(drawn(&[("31.2", 200.0), ("25.0", 260.0)], 300.0, 6.0));
        p2.lines
            .push(drawn(&[("总分", 100.0), ("88.4", 400.0)], 340.0, 6.0));
        d.pages.push(p2);
        let t = extract(&d);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].rows[0].page, 1);
        assert_eq!(t[0].rows[0].raw[0], "31.2");
        assert_eq!(t[0].rows[0].cell_rects, vec![None; 6]);
    }

    #[test]
    fn figures_are_read_on_the_page_of_their_label() {
        // A 绩效目标表 prints its amount on the 资金总额 line; the next page's table (total,
        // 财政拨款, 其他资金) is not its 预算数 / 执行数 / 执行率.
        let page = |n: u32, lines: &[&str]| {
            let mut p = crate::document::Page::new(n);
            p.lines = lines
                .iter()
                .map(|t| crate::document::Line::plain(*t))
                .collect();
            p
        };
        let mut d = doc(&[]);
        d.pages = vec![
            page(
                1,
                &[
                    "项目名称 法律咨询服务",
                    "主管部门 某局",
                    "实施期资金总额： 3.00",
                ],
            ),
            page(2, &["部门整体支出绩效目标表", "2540.81 2540.81 0"]),
        ];
        assert!(extract(&d).is_empty());
        // A self-assessment form reads them on its page.
        d.pages = vec![page(
            1,
            &[
                "项目名称 某项目",
                "主管部门 某局",
                "年度资金总额",
                "10 9 90% 18",
            ],
        )];
        let t = extract(&d);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].rows[0].cells[1], Some(Decimal::from(9)));
    }

    #[test]
    fn self_assessment_indicator_scores_at_row_end_or_alone() {
        let cases = [
            ("数量指标 培训人次数 78 78 15", Some("15")),
            ("95% 98% 10", Some("10")),
            // The score alone on a line after a wrapped 实际完成值 (`2020 年底完` / `成` / `10`).
            ("10", Some("10")),
            ("2000 元/人 2000 元/人 5", Some("5")),
            // Not scores: a weight, a percent, a count, a wrapped value.
            ("（40分）", None),
            ("100% 100%", None),
            ("5012", None),
            ("13101 人", None),
        ];
        for (line, want) in cases {
            assert_eq!(
                indicator_score(&toks(line), &crate::vocabulary::embedded().performance).as_deref(),
                want,
                "{line}"
            );
        }
    }
}

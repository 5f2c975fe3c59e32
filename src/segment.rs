//! Segmentation: a [`Document`]'s lines → the report's outline of [`Section`]s.
//!
//! In: the document's pages of lines. Out: an [`Outline`]: sections (第X部分 = level 1, 一、 = 2,
//! (一) = 3, 1. / 1、 = 4, (1) = 5) with their page range, and for each a `body`: the normalised text of
//! its own lines (heading line included, subsections excluded), hard-wrapped lines re-joined, with a map
//! from byte offsets back to pages. Table-of-contents entries are not sections.
//!
//! A heading is a line that starts with a number of one of those forms and is the next number of its
//! level under its parent (a level-2 `一、` after `十三、` is text, not a new section; one skipped number
//! is tolerated). Lines that hold table rows (three or more number tokens), dot-leader lines and every
//! line of a page titled 目录 are never headings. `1.3万人` is not a heading (a digit follows the point);
//! `2020年…` and `一是…` are not headings.
//!
//! Not here: facts, tables.
//! Known limits: a heading title wrapped onto a second line keeps only its first line as `title` (the
//! second line is in the body).

use serde::Serialize;

use std::sync::LazyLock;

use regex::Regex;

use crate::document::Document;
use crate::normalize::join_wrapped;
use crate::vocabulary::{group, Outline as OutlineWords};

/// One section of the outline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// 1 = 第X部分, 2 = 一、, 3 = (一), 4 = 1. / 1、, 5 = (1); 0 = the text before the first heading.
    pub level: u8,
    /// The number as printed, normalised: `第三部分`, `五`, `(三)`, `1`, `(1)`.
    pub number: String,
    /// The heading text after the number.
    pub title: String,
    /// First and last 1-based page.
    pub page: u32,
    pub page_end: u32,
    /// Numbers of this section and its ancestors joined with `/`, e.g. `第三部分/七/(二)`.
    pub path: String,
    /// Index of the parent section in [`Outline::sections`].
    pub parent: Option<usize>,
    /// Normalised text of the section's own lines, wrapped lines re-joined.
    pub body: String,
    /// (byte offset in `body`, page) at the start of the first line of each page the section runs
    /// over (one mark a page, not a line): maps a match back to its page.
    pub page_marks: Vec<(usize, u32)>,
    /// Where each line of `body` came from: maps a match back to the glyphs it was read from. Empty
    /// for a document without page geometry (text input: no glyphs to place a match on).
    pub line_marks: Vec<LineMark>,
}

/// One line of a section's body: its normalised text starts at byte `offset` of `body` and is the
/// line `line` of `doc.pages[page_index]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineMark {
    pub offset: usize,
    pub page_index: usize,
    pub line: usize,
}

impl Section {
    /// The page holding byte `offset` of `body`.
    pub fn page_at(&self, offset: usize) -> u32 {
        let i = self.page_marks.partition_point(|&(o, _)| o <= offset);
        if i == 0 {
            self.page
        } else {
            self.page_marks[i - 1].1
        }
    }
}

/// The sections of a document in reading order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Outline {
    pub sections: Vec<Section>,
}

/// Builds the outline of a document (with the heading words in force, see
/// [`crate::vocabulary::current`]).
pub fn outline(doc: &Document) -> Outline {
    let vocabulary = crate::vocabulary::current();
    let w = &vocabulary.outline;
    let mut sections: Vec<Section> = vec![Section {
        level: 0,
        number: String::new(),
        title: String::new(),
        page: doc.pages.first().map_or(1, |p| p.number),
        page_end: doc.pages.first().map_or(1, |p| p.number),
        path: String::new(),
        parent: None,
        body: String::new(),
        page_marks: Vec::new(),
        line_marks: Vec::new(),
    }];
    // Index of the open section at each level (0..=5).
    let mut open: [Option<usize>; 6] = [Some(0), None, None, None, None, None];
    let contents = contents_region(doc, w);
    // Reports without 第X部分 parts (Shanghai budgets) title their parts with unnumbered lines.
    let has_parts = doc
        .pages
        .iter()
        .flat_map(|p| p.lines.iter())
        .any(|l| w.part.is_match(l.normalized()));
    // Line marks serve to place a match on the page's glyphs: a document without page geometry
    // (text input) has none to place it on, and a large text has millions of lines.
    let positioned = doc.pages.iter().any(|p| p.geometry.is_some());
    let mut pending_title: Option<usize> = None;
    for (pi, page) in doc.pages.iter().enumerate() {
        if crate::ingest::stop_requested() {
            break;
        }
        for (li, line) in page.lines.iter().enumerate() {
            let text = line.normalized();
            if text.is_empty() {
                continue;
            }
            let in_contents = contents.is_some_and(|(from, to)| (pi, li) >= from && (pi, li) < to);
            let heading = line_heading(w, page, li, text, in_contents, has_parts);
            let accepted =
                heading.filter(|h| h.ordinal == 0 || fits_sequence(&sections, &open, h, w));
            if accepted.is_none() {
                // A heading printed as its number alone takes the next line as its title.
                if let Some(i) = pending_title.take() {
                    sections[i].title = heading_title(text);
                }
            }
            if let Some(h) = accepted {
                pending_title = open_section(&mut sections, &mut open, h, page.number);
            }
            let current = (0..6).rev().find_map(|l| open[l]).unwrap_or(0);
            let mark = positioned.then_some((pi, li));
            append_line(&mut sections[current], text, page.number, mark);
        }
    }
    // A section ends where its last descendant ends.
    for i in (1..sections.len()).rev() {
        if let Some(p) = sections[i].parent {
            sections[p].page_end = sections[p].page_end.max(sections[i].page_end);
        }
    }
    Outline { sections }
}

/// The heading line `li` of `page` (normalised `text`) would open, before its place in the sequence
/// is checked: none inside the contents, on a table row or line, or on a dot-leader line.
fn line_heading(
    w: &OutlineWords,
    page: &crate::document::Page,
    li: usize,
    text: &str,
    in_contents: bool,
    has_parts: bool,
) -> Option<Heading> {
    let line = page.lines.get(li)?;
    let heading = if in_contents
        || looks_like_table_row(line.text())
        || DOT_LEADER.is_match(text)
        || is_table_line(page, line)
    {
        None
    } else {
        parse_heading(text, w)
            .filter(|h| h.level == 1 || !is_row_label(text, &h.title, &page.lines[li + 1..], w))
    };
    heading.or_else(|| {
        (!in_contents && !has_parts)
            .then(|| unnumbered_title(text, w))
            .flatten()
    })
}

/// Opens the section of an accepted heading under the open section of the level above; returns the
/// section when its title is still to come (a number printed alone).
fn open_section(
    sections: &mut Vec<Section>,
    open: &mut [Option<usize>; 6],
    h: Heading,
    page: u32,
) -> Option<usize> {
    let parent = (0..h.level as usize).rev().find_map(|l| open[l]);
    let path = match parent.map(|p| sections[p].path.as_str()) {
        Some(p) if !p.is_empty() => format!("{p}/{}", h.number),
        _ => h.number.clone(),
    };
    sections.push(Section {
        level: h.level,
        number: h.number,
        title: h.title,
        page,
        page_end: page,
        path,
        parent,
        body: String::new(),
        page_marks: Vec::new(),
        line_marks: Vec::new(),
    });
    let idx = sections.len() - 1;
    open[h.level as usize] = Some(idx);
    for deeper in open.iter_mut().skip(h.level as usize + 1) {
        *deeper = None;
    }
    (sections[idx].title.is_empty() && h.ordinal != 0).then_some(idx)
}

/// Adds a line's text to a section's body, with a page mark where the page changes and, when `mark`
/// gives the line's place (page index, line index), its line mark.
fn append_line(s: &mut Section, text: &str, page: u32, mark: Option<(usize, usize)>) {
    if s.page_marks.last().is_none_or(|&(_, p)| p != page) {
        s.page_marks.push((s.body.len(), page));
    }
    reserve_for(&mut s.body, text.len() + 1);
    join_wrapped(&mut s.body, text);
    if let Some((page_index, line)) = mark {
        s.line_marks.push(LineMark {
            offset: s.body.len() - text.len(),
            page_index,
            line,
        });
    }
    s.page_end = s.page_end.max(page);
}

/// Bodies up to this size grow the usual way (doubling); larger ones by an eighth.
const BODY_DOUBLING_LIMIT: usize = 1 << 20;

/// Makes room for `more` bytes at the end of a body. A large text can put most of its lines into one
/// section, and a doubled body may hold twice its text (and, while it moves, three times): past
/// [`BODY_DOUBLING_LIMIT`] a body grows by an eighth of its length, which keeps it within about 1.125
/// times its text for a few more copies of it.
fn reserve_for(body: &mut String, more: usize) {
    if body.capacity() - body.len() >= more {
        return;
    }
    if body.len() < BODY_DOUBLING_LIMIT {
        body.reserve(more);
    } else {
        body.reserve_exact(more.max(body.len() / 8));
    }
}

impl Outline {
    /// The outline without the sections' text (bodies and their marks): what is left once facts
    /// have been read from it, the headings and page ranges the records list. A large report's
    /// bodies are about the size of its text.
    pub fn into_headings(mut self) -> Outline {
        for s in &mut self.sections {
            s.body = String::new();
            s.page_marks = Vec::new();
            s.line_marks = Vec::new();
        }
        self
    }

    /// The numbers and titles of a section and its ancestors, `number title` joined with `/`, e.g.
    /// `第三部分 …决算情况说明/五 一般公共预算财政拨款支出决算情况说明/(三) 财政拨款支出决算具体情况。`.
    /// Pattern scopes are matched against this.
    pub fn trail(&self, index: usize) -> String {
        let mut parts = Vec::new();
        let mut at = Some(index);
        while let Some(i) = at {
            let Some(s) = self.sections.get(i) else { break };
            if s.level > 0 {
                parts.push(format!("{} {}", s.number, s.title));
            }
            at = s.parent;
        }
        parts.reverse();
        parts.join("/")
    }
}

/// A candidate heading read off one line.
#[derive(Debug, Clone, PartialEq)]
struct Heading {
    level: u8,
    number: String,
    /// The number as an integer, for sequence checks.
    ordinal: u32,
    title: String,
}

static ARABIC: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"^([0-9]{1,2})[.、](.*)$").expect("arabic regex")
});
static PAREN_ARABIC: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"^\(([0-9]{1,2})\)(.*)$").expect("paren arabic regex")
});

/// Unnumbered part titles of reports without 第X部分 (`2026年部门预算编制说明`, `其他相关情况说明`,
/// `某局主要职能`, `人民调解项目经费情况说明`): level 1, number = the title itself.
fn unnumbered_title(text: &str, w: &OutlineWords) -> Option<Heading> {
    w.unnumbered_title.is_match(text).then(|| Heading {
        level: 1,
        number: text.to_string(),
        ordinal: 0,
        title: String::new(),
    })
}

static DOT_LEADER: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"(?:\.{4,}|…{2,}|·{4,}|-{4,})[0-9]*$").expect("leader regex")
});

fn parse_heading(text: &str, w: &OutlineWords) -> Option<Heading> {
    // 第X部分, 一、, (一): the number as printed and its numeral from the heading words.
    for (level, rule) in [(1, &w.part), (2, &w.chinese), (3, &w.paren_chinese)] {
        let Some(c) = rule.captures(text) else {
            continue;
        };
        let n = group(&c, "n")?;
        return Some(Heading {
            level,
            number: group(&c, "number").unwrap_or(n).to_string(),
            ordinal: w.numerals.ordinal(n)?,
            title: heading_title(group(&c, "title").unwrap_or_default()),
        });
    }
    if let Some(c) = ARABIC.captures(text) {
        let rest = &c[2];
        // `1.3万人`: a digit after the point is a decimal number, not a heading.
        if rest.starts_with(|ch: char| ch.is_ascii_digit()) {
            return None;
        }
        return Some(Heading {
            level: 4,
            number: c[1].to_string(),
            ordinal: c[1].parse().ok()?,
            title: heading_title(rest),
        });
    }
    if let Some(c) = PAREN_ARABIC.captures(text) {
        return Some(Heading {
            level: 5,
            number: format!("({})", &c[1]),
            ordinal: c[1].parse().ok()?,
            title: heading_title(&c[2]),
        });
    }
    None
}

/// The heading's title: the text after the number up to the first sentence end, at most 40 characters.
fn heading_title(rest: &str) -> String {
    let end = rest
        .char_indices()
        .find(|&(_, c)| matches!(c, '。' | '：' | ':' | '；'))
        .map_or(rest.len(), |(i, _)| i);
    rest[..end].chars().take(40).collect()
}

/// A heading is accepted when it is the first of its level under its parent (numbered 1), or follows
/// the previous sibling's number by one (two: one heading may have been lost).
fn fits_sequence(
    sections: &[Section],
    open: &[Option<usize>; 6],
    h: &Heading,
    w: &OutlineWords,
) -> bool {
    let level = h.level as usize;
    let parent = (0..level).rev().find_map(|l| open[l]);
    let previous = sections
        .iter()
        .rev()
        .take_while(|s| Some(s.level as usize) > parent.map(|p| sections[p].level as usize))
        .find(|s| s.level == h.level && s.parent == parent);
    // Some templates number the 一、 headings on across parts (五、 closes 第二部分, 十、 opens
    // 第三部分): a first heading under a new part may continue the previous part's numbering.
    let continues = || {
        level == 2
            && sections
                .iter()
                .rev()
                .find(|s| s.level == h.level)
                .and_then(|s| heading_ordinal(s, w))
                .is_some_and(|prev| h.ordinal == prev + 1 || h.ordinal == prev + 2)
    };
    match previous.and_then(|s| heading_ordinal(s, w)) {
        None => h.ordinal == 1 || (level == 1 && h.ordinal <= 9) || (h.ordinal > 1 && continues()),
        Some(prev) => h.ordinal == prev + 1 || h.ordinal == prev + 2,
    }
}

fn heading_ordinal(s: &Section, w: &OutlineWords) -> Option<u32> {
    let core = w.number_core.captures(&s.number);
    let n = core
        .as_ref()
        .and_then(|c| group(c, "n"))
        .unwrap_or(&s.number)
        .trim_start_matches('(')
        .trim_end_matches(')');
    n.parse().ok().or_else(|| w.numerals.ordinal(n))
}

static BARE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"^[0-9][0-9,]*(?:\.[0-9]+)?$").expect("bare number regex")
});

/// A numbered table row label (`三、住房保障支出` followed by its amount, or by the next row label
/// `四、其他收入`), not a heading.
fn is_row_label(
    text: &str,
    title: &str,
    following: &[crate::document::Line],
    w: &OutlineWords,
) -> bool {
    let label_only = |text: &str, title: &str| text.ends_with(title) && w.row_label.is_match(title);
    label_only(text, title)
        && following
            .iter()
            .map(crate::document::Line::normalized)
            .find(|t| !t.is_empty())
            .is_some_and(|t| {
                let bare = w.part_of_mark.remove(t);
                BARE_NUMBER.is_match(t.split(' ').next().unwrap_or(""))
                    || w.row_label.is_match(&bare)
                    || parse_heading(t, w).is_some_and(|h| h.level > 1 && label_only(t, &h.title))
            })
}

/// A PDF line that sits in a table: between two vertical rules that span its baseline, or split into
/// cells far apart with an amount among them (`三、事业单位经营收入 | 三、住房保障支出 | 15,702.41`).
/// Such a line is a row label, never a heading.
fn is_table_line(page: &crate::document::Page, line: &crate::document::Line) -> bool {
    let Some(b) = line.bbox() else { return false };
    let y = (b.y0 + b.y1) / 2.0;
    let crossing = page
        .rules
        .iter()
        .filter(|r| !r.is_horizontal() && r.y0.min(r.y1) - 1.0 <= y && r.y0.max(r.y1) + 1.0 >= y)
        .count();
    // Cells are far apart; narrative digits in another font sit a space away from their words.
    let amount_cell = line.segments().windows(2).any(|w| {
        let gap = w[1].bbox.x0 - w[0].bbox.x1;
        let t = w[1].text.trim();
        gap >= 3.0 * w[0].size.max(w[1].size).max(1.0) && BARE_NUMBER.is_match(t)
    });
    crossing >= 2 || amount_cell
}

/// Three or more whitespace-separated number tokens: a table row, not a heading.
fn looks_like_table_row(raw: &str) -> bool {
    raw.split_whitespace()
        .filter(|t| {
            let t = t.trim_end_matches('%');
            !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
                && t.chars().any(|c| c.is_ascii_digit())
        })
        .count()
        >= 3
}

/// The table of contents, as (page index, line index) from its 目录 line (within the first five pages)
/// up to the line where its first entry is printed again as a real heading; `None` without a 目录
/// line. Without a repeat, the contents run to the end of the 目录 page.
type LineAt = (usize, usize);

fn contents_region(doc: &Document, w: &OutlineWords) -> Option<(LineAt, LineAt)> {
    let mut lines = Vec::new();
    for (pi, page) in doc.pages.iter().enumerate().take(12) {
        for (li, line) in page.lines.iter().enumerate() {
            let t = line.normalized();
            if !t.is_empty() {
                lines.push(((pi, li), t));
            }
        }
    }
    let titled = lines.iter().enumerate().position(|(i, (at, t))| {
        at.0 < 5
            && (w.contents_title.is_match(t)
                || lines
                    .get(i + 1)
                    .is_some_and(|(_, n)| w.contents_split.is_match(&format!("{t} {n}"))))
    });
    let Some(start) = titled else {
        return untitled_contents(&lines, w);
    };
    let from = lines[start].0;
    let mut first: Option<Heading> = None;
    for (at, t) in &lines[start + 1..] {
        if at.0 > from.0 + 3 {
            break;
        }
        let Some(h) = parse_heading(t, w) else {
            continue;
        };
        match &first {
            None => first = Some(h),
            Some(f) => {
                let same_title = h.title.is_empty() || f.title.starts_with(h.title.as_str());
                if h.level == f.level
                    && h.number == f.number
                    && same_title
                    && !DOT_LEADER.is_match(t)
                {
                    return Some((from, *at));
                }
            }
        }
    }
    let end_of_page = doc.pages.get(from.0).map_or(0, |p| p.lines.len());
    Some((from, (from.0, end_of_page)))
}

/// Headings in a row (page numbers between them aside) that make a list of contents without a 目录
/// title.
const UNTITLED_CONTENTS_RUN: usize = 6;

/// A table of contents printed without a 目录 title: within the first three pages, an entry below the
/// part level (一、…) followed only by heading lines (lines without a Han character, page numbers, may
/// stand between them), at least [`UNTITLED_CONTENTS_RUN`] of them, up to the line where that entry is
/// printed again with the same number and title (within three pages). The contents are that entry's
/// line up to its repeat, so a part heading above the list (第一部分 …) stays a section. A list of
/// headings that is never printed again is the report's own outline, not its contents.
fn untitled_contents(lines: &[(LineAt, &str)], w: &OutlineWords) -> Option<(LineAt, LineAt)> {
    let parsed: Vec<Option<Heading>> = lines
        .iter()
        .map(|(_, t)| parse_heading(t, w).filter(|_| !DOT_LEADER.is_match(t)))
        .collect();
    let blank = |i: usize| !lines[i].1.chars().any(is_han);
    for (k, (from, _)) in lines.iter().enumerate() {
        if from.0 >= 3 {
            break;
        }
        let Some(f) = parsed[k].as_ref().filter(|h| h.level >= 2) else {
            continue;
        };
        let mut count = 0;
        for r in k + 1..lines.len() {
            if lines[r].0 .0 > from.0 + 3 {
                break;
            }
            let Some(h) = parsed[r].as_ref() else {
                if blank(r) {
                    continue;
                }
                break;
            };
            if h.level == f.level && h.number == f.number && h.title == f.title {
                if count >= UNTITLED_CONTENTS_RUN {
                    return Some((*from, lines[r].0));
                }
                break;
            }
            count += 1;
        }
    }
    None
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Line, Page};

    fn doc(pages: &[&[&str]]) -> Document {
        Document::from_text_pages(pages)
    }

    #[test]
    fn numbering_may_continue_across_parts() {
        // 一、 二、 under 第一部分, 三、 under 第二部分, 五、 六、 under 第三部分 (one heading lost).
        let d = doc(&[&[
            "第一部分 部门概况",
            "一、主要职能",
            "二、人员情况说明",
            "第二部分 收支情况说明",
            "三、收支预算总体情况说明",
            "本部门当年预算收入100万元。",
            "第三部分 其他重要事项说明",
            "五、国有资产占有使用情况说明",
            "截至上年底，本部门共有车辆4辆。",
            "六、政府采购情况说明",
            "当年本部门政府采购预算共30万元。",
        ]]);
        let o = outline(&d);
        let paths: Vec<&str> = o.sections.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "",
                "第一部分",
                "第一部分/一",
                "第一部分/二",
                "第二部分",
                "第二部分/三",
                "第三部分",
                "第三部分/五",
                "第三部分/六"
            ]
        );
        // A first heading numbered out of any sequence is still no heading.
        let d = doc(&[&["第一部分 概况", "七、某项说明", "正文。"]]);
        assert!(outline(&d).sections.iter().all(|s| s.number != "七"));
    }

    #[test]
    fn builds_paths_levels_and_page_ranges() {
        let d = doc(&[
            &[
                "第三部分  区人社局 2020 年度部门决算情况说明",
                "一、收入支出决算总体情况说明",
                "2020年度收入总计 4193.92万元，支出总计",
                "4207.52 万元。",
                "二、一般公共预算财政拨款支出决算情况说明",
                "(一)财政拨款支出决算总体情况。",
            ],
            &[
                "（三）财政拨款支出决算具体情况。",
                "1.一般公共服务支出。年初预算为 23 万元，支出决算为 23",
                "万元，完成年初预算的 100%。",
                "（1）执行率情况。",
            ],
        ]);
        let o = outline(&d);
        let paths: Vec<(u8, &str)> = o
            .sections
            .iter()
            .map(|s| (s.level, s.path.as_str()))
            .collect();
        assert_eq!(
            paths,
            vec![
                (0, ""),
                (1, "第三部分"),
                (2, "第三部分/一"),
                (2, "第三部分/二"),
                (3, "第三部分/二/(一)"),
                (3, "第三部分/二/(三)"),
                (4, "第三部分/二/(三)/1"),
                (5, "第三部分/二/(三)/1/(1)"),
            ]
        );
        assert_eq!(
            o.sections[2].body,
            "一、收入支出决算总体情况说明2020年度收入总计4193.92万元，支出总计4207.52万元。"
        );
        assert_eq!(o.sections[6].title, "一般公共服务支出");
        assert_eq!(o.sections[1].page_end, 2);
        assert_eq!(o.sections[4].page_end, 1);
        assert_eq!(o.sections[5].page, 2);
        let s = &o.sections[6];
        assert_eq!(s.page_at(s.body.find("完成").expect("in body")), 2);
        assert!(o
            .trail(6)
            .starts_with("第三部分 区人社局2020年度部门决算情况说明/二 "));
    }

    #[test]
    fn a_section_marks_each_page_once_and_its_text_can_be_let_go() {
        let d = doc(&[
            &["一、收入情况", "收入总计100万元。", "其中财政拨款"],
            &["80万元。", "其他收入20万元。"],
            &["二、支出情况", "支出总计90万元。"],
        ]);
        let o = outline(&d);
        let s = &o.sections[1];
        assert_eq!((s.number.as_str(), s.page, s.page_end), ("一", 1, 2));
        // Page 2 starts with the end of a wrapped sentence.
        let second = s.body.find("80万元").expect("in body");
        assert_eq!(s.page_marks, vec![(0, 1), (second, 2)]);
        assert_eq!(s.page_at(s.body.find("其中").expect("in body")), 1);
        assert_eq!(s.page_at(second - 1), 1);
        assert_eq!(s.page_at(s.body.find("其他收入").expect("in body")), 2);
        assert_eq!(o.sections[2].page_marks, vec![(0, 3)]);
        // Text input has no glyphs to place a match on: no line marks.
        assert!(o.sections.iter().all(|s| s.line_marks.is_empty()));
        let h = o.clone().into_headings();
        assert_eq!(h.sections.len(), o.sections.len());
        assert_eq!(h.sections[1].title, o.sections[1].title);
        assert_eq!(h.sections[1].page_end, 2);
        assert!(h
            .sections
            .iter()
            .all(|s| s.body.is_empty() && s.page_marks.is_empty()));
    }

    #[test]
    fn a_large_body_holds_little_more_than_its_text() {
        let line = "收入总计100万元，支出总计90万元。";
        let mut body = String::new();
        while body.len() < 3 * BODY_DOUBLING_LIMIT {
            reserve_for(&mut body, line.len() + 1);
            join_wrapped(&mut body, line);
        }
        assert!(body.capacity() <= body.len() + body.len() / 8 + line.len() + 1);
        assert_eq!(body.len() % line.len(), 0);
    }

    #[test]
    fn false_headings_stay_text() {
        let d = doc(&[&[
            "一、收入",
            "1.3万人就业",
            "2020年度收入合计",
            "一是积极落实",
            "1 2 3 4 5 6",
            "二、支出",
            "(一)绩效",
            "1、全力稳定公共就业形势。",
            "一、自评结论",
            "（一）绩效目标完成情况",
            "2、全力提升社保惠民保障。",
        ]]);
        let o = outline(&d);
        let paths: Vec<&str> = o.sections.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["", "一", "二", "二/(一)", "二/(一)/1", "二/(一)/2"]
        );
        assert!(o.sections[1]
            .body
            .contains("1.3万人就业2020年度收入合计一是积极落实"));
    }

    #[test]
    fn contents_pages_and_dot_leaders_are_not_sections() {
        let d = doc(&[
            &["目录", "第一部分 概况", "一、主要职能 ........ 3"],
            &["第一部分 概况", "一、主要职能", "二、机构设置 …… 4"],
        ]);
        let o = outline(&d);
        let paths: Vec<(&str, u32)> = o
            .sections
            .iter()
            .map(|s| (s.path.as_str(), s.page))
            .collect();
        assert_eq!(paths, vec![("", 1), ("第一部分", 2), ("第一部分/一", 2)]);
    }

    #[test]
    fn contents_run_until_their_first_entry_is_printed_again() {
        let d = doc(&[
            &[
                "某局",
                "2024年度部门决算",
                "目",
                "录",
                "第一部分 某局概况",
                "一、主要职能",
            ],
            &[
                "第二部分 某局2024年度部门决算表",
                "一、收入支出决算总表",
                "第三部分 情况说明",
            ],
            &["第一部分", "某局概况", "一、主要职能", "负责全区财政工作。"],
        ]);
        let o = outline(&d);
        let got: Vec<(&str, &str, u32)> = o
            .sections
            .iter()
            .map(|s| (s.path.as_str(), s.title.as_str(), s.page))
            .collect();
        assert_eq!(
            got,
            vec![
                ("", "", 1),
                ("第一部分", "某局概况", 3),
                ("第一部分/一", "主要职能", 3)
            ]
        );
    }

    #[test]
    fn contents_without_a_title_are_not_sections() {
        // The list of headings on the first pages, no 目录 line; the report then begins.
        let d = doc(&[
            &[
                "第一部分 2026年度部门预算情况说明",
                "一、部门情况说明",
                "二、收入预算情况说明",
                "三、支出预算情况说明",
                "四、其他情况说明",
                "第二部分 2026年度部门预算报表",
                "一、收支总表",
                "二、收入总表",
                "- 1 -",
            ],
            &[
                "一、部门情况说明",
                "某局负责全区工作。",
                "二、收入预算情况说明",
                "2026年收入预算100万元。",
            ],
        ]);
        let o = outline(&d);
        let got: Vec<(&str, u32)> = o
            .sections
            .iter()
            .map(|s| (s.path.as_str(), s.page))
            .collect();
        assert_eq!(
            got,
            vec![
                ("", 1),
                ("第一部分", 1),
                ("第一部分/一", 2),
                ("第一部分/二", 2)
            ]
        );
        // The same headings never printed again are the report's outline: every one is a section.
        let d = doc(&[&[
            "一、部门情况说明",
            "二、收入预算情况说明",
            "三、支出预算情况说明",
            "四、其他情况说明",
            "五、名词解释",
            "六、附件",
            "某局负责全区工作。",
        ]]);
        assert_eq!(outline(&d).sections.len(), 7);
    }

    #[test]
    fn pdf_table_rows_are_not_headings() {
        use crate::document::{Rect, Rule, Segment};
        let seg = |t: &str, x0: f32, x1: f32| Segment {
            text: t.to_string(),
            bbox: Rect {
                x0,
                y0: 100.0,
                x1,
                y1: 110.0,
            },
            font: None,
            size: 10.0,
            chars: Vec::new(),
        };
        let line = |segs: Vec<Segment>| {
            let text = segs
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let bbox = Some(Rect {
                x0: 80.0,
                y0: 100.0,
                x1: 500.0,
                y1: 110.0,
            });
            Line::new(text, bbox, segs)
        };
        let mut page = Page::new(1);
        // Cells with an amount after the label.
        let row = line(vec![
            seg("三、事业单位经营收入", 84.0, 189.0),
            seg("三、住房保障支出", 320.0, 404.0),
            seg("15,702.41", 452.0, 500.0),
        ]);
        assert!(is_table_line(&page, &row));
        // Narrative digits in another font, a space away from their words, are no cell.
        let narrative = line(vec![
            seg("1.因公出国(境)费预算支出", 84.0, 220.0),
            seg("110", 224.0, 240.0),
            seg("万元，与上年预算持平。", 244.0, 400.0),
        ]);
        assert!(!is_table_line(&page, &narrative));
        // A label alone in a ruled row.
        let label = line(vec![seg("四、其他收入", 84.0, 147.0)]);
        assert!(!is_table_line(&page, &label));
        page.rules = vec![
            Rule {
                x0: 80.0,
                y0: 90.0,
                x1: 80.0,
                y1: 120.0,
            },
            Rule {
                x0: 230.0,
                y0: 90.0,
                x1: 230.0,
                y1: 120.0,
            },
        ];
        assert!(is_table_line(&page, &label));
        // A heading line above the table is not crossed by its rules.
        let drawn = line(vec![seg("二、部门预算报表", 90.0, 218.0)]);
        let box_above = Rect {
            x0: 90.0,
            y0: 40.0,
            x1: 218.0,
            y1: 56.0,
        };
        let heading = Line::new(drawn.text(), Some(box_above), drawn.segments().to_vec());
        assert!(!is_table_line(&page, &heading));
    }

    #[test]
    fn table_row_labels_are_not_headings() {
        let d = doc(&[&[
            "一、基本情况",
            "二、部门预算报表",
            "三、住房保障支出",
            "15,702.41",
            "三、事业单位经营收入",
            "四、其他收入",
            "其中：捐赠收入",
            "58,449.50",
            "三、部门预算情况说明",
        ]]);
        let o = outline(&d);
        let paths: Vec<&str> = o.sections.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, vec!["", "一", "二", "三"]);
        assert_eq!(o.sections[3].title, "部门预算情况说明");
    }

    proptest::proptest! {
        #[test]
        fn any_lines_give_a_consistent_outline(lines in proptest::collection::vec("[一二三十()（）1-3.、第部分 收入支出万元0-9，。]{0,12}", 0..30)) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let o = outline(&doc(&[&refs]));
            for (i, s) in o.sections.iter().enumerate() {
                if let Some(p) = s.parent {
                    proptest::prop_assert!(p < i);
                    proptest::prop_assert!(o.sections[p].level < s.level);
                }
                proptest::prop_assert!(s.page <= s.page_end);
            }
        }
    }
}

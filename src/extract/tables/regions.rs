//! Pages with coordinates → table [`Fragment`]s: where each table's title, unit, cells and empty-table
//! statement are on one page.
//!
//! In: one PDF page (lines with segments, rules) and the column boundaries of the table left open on
//! the page before, if any. Out: fragments in reading order; the first may have no title (a
//! continuation candidate, stitched by [`super::continuation`]).
//!
//! How: a title line (see [`super::catalog`]; a title wrapped before its final `表` is joined) opens a
//! region that runs to the next title or the page end; a line that is text in the cells of a ruled
//! grid (in two cells, or in a cell with other lines: a paragraph's line ending in `表`) is no title. The unit is read from the title line and the
//! four lines after it. Cells come from the first ruled grid starting in the region (on a continued
//! page, not one that fails to line up with an open table read by x-positions); without one, from
//! the region's lines by x-positions ([`super::columns`]), bounded by a band of horizontal rules when
//! there is one. Unruled regions end at a note (`注：`, `说明：`) or a narrative line (not a row of
//! amounts set apart like cells, nor a paragraph line of a text column, nor, on a continued page, a
//! name and its paragraph set apart in the open table's columns). An untitled region continues
//! the open table when its amount rows are at least half of its lines, lines that fit in the open
//! table's columns (wrapped names, header labels, paragraph lines) not counted, and there are two
//! of them or more, or one whose every segment sits in one of the open table's columns (a last row
//! run over onto the next page); or when, from its first row of three or more amounts down, every
//! line is a row of amounts or fits in one of the open table's columns (the last rows of a long
//! table under its repeated header). A line saying
//! the table is empty (`故本表为空`, `本表无数据`, `（无政府性基金支出）`) is kept as the statement.
//!
//! A contents page (`目录`, or three or more titles without grid or table body) yields nothing.
//!
//! Not here: headers, rows, stitching. Limits: two tables side by side on one page are read as one;
//! 绩效自评表 titles are left to [`super::performance`].

use std::sync::LazyLock;

use regex::Regex;

use crate::document::{Line, Page, Rect};
use crate::normalize::MatchForm;

use super::catalog::{Identifier, TitleMatch};
use super::columns::{grid_from_lines, is_body_line};
use super::continuation::ALIGN;
use super::grid::{fill, interval_of, ruling, CellGrid};
use super::unit::{declared_in, Unit};

/// One table's part on one page.
#[derive(Debug, Clone)]
pub(crate) struct Fragment {
    pub(crate) title: Option<TitleMatch>,
    pub(crate) unit: Option<Unit>,
    pub(crate) page: u32,
    pub(crate) grid: Option<CellGrid>,
    pub(crate) empty_statement: Option<String>,
}

static MONEY_IN_LINE: LazyLock<Regex> =
    LazyLock::new(|| crate::patterns::bounded_regex(r"\d[.,]\d").expect("money regex is valid"));

/// A segment opening with an amount (`123.80`, `1,354.04`): a money cell set apart.
static AMOUNT_START: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"^-?\d[\d,]*\.\d").expect("amount regex is valid")
});

static PAREN_END: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"[(（][^()（）]{1,12}[)）]$").expect("paren regex is valid")
});

/// The empty-table statement in `text`, if any (normalised).
pub(crate) fn empty_statement(text: &(impl MatchForm + ?Sized)) -> Option<String> {
    let n = text.match_form();
    crate::vocabulary::current()
        .tables
        .empty_statement
        .is_match(&n)
        .then(|| n.into_owned())
}

fn is_narrative(line: &Line) -> bool {
    let n = line.normalized();
    let vocabulary = crate::vocabulary::current();
    let layout = &vocabulary.tables;
    layout.note_start.is_match(n)
        || (n.chars().count() > 30 && n.contains(['。', '，', '；']))
        || layout.part_line.is_match(n)
}

/// True when a long sentence line is a wrapped paragraph inside a table cell (a 绩效目标 column),
/// not the page's text after the table: once the table has a body, a line whose segments sit apart
/// like cells (a gap of two characters or more: a label and its paragraph on one line), or that
/// starts right of the middle of the table's width (a text column on the right), stays in the table.
/// A note (`注：`) is never a cell paragraph.
fn is_cell_paragraph(line: &Line, table: &[&Line]) -> bool {
    let note = crate::vocabulary::current()
        .tables
        .note_start
        .is_match(line.normalized());
    if note || !table.iter().any(|t| is_body_line(t)) {
        return false;
    }
    let gapped = gapped(line);
    let (x0, x1) = table
        .iter()
        .filter_map(|t| t.bbox())
        .fold((f32::MAX, f32::MIN), |(a, b), r| (a.min(r.x0), b.max(r.x1)));
    let starts_right = line
        .bbox()
        .is_some_and(|b| x1 > x0 && b.x0 > (x0 + x1) / 2.0);
    gapped || starts_right
}

/// True when every segment of a line lies within one column of `edges` (column boundaries, left to
/// right), give or take a character's width. A segment starting in a column may run past its right
/// boundary by a quarter of its own width: the boundary sits in the middle of the gap the first
/// page's texts left, and a wrapped name filling its column on a later page reaches further.
fn fits_columns(line: &Line, edges: &[f32]) -> bool {
    !line.segments().is_empty()
        && line.segments().iter().all(|s| {
            let slack = s.size.max(1.0);
            let overrun = (0.25 * (s.bbox.x1 - s.bbox.x0)).max(slack);
            edges
                .windows(2)
                .any(|w| s.bbox.x0 >= w[0] - slack && s.bbox.x1 <= w[1] + overrun)
        })
}

/// True when the lines of an untitled region are the last rows of the open table: from its first line
/// of three or more amounts set apart like cells down, only lines of amounts and lines that fit in
/// one of the open table's columns (wrapped names, the paragraphs of a text column). Lines above
/// it are the header repeated on the page, whose labels may span columns.
fn last_rows_continue(lines: &[&Line], edges: &[f32]) -> bool {
    let amounts = |l: &Line| {
        l.segments()
            .iter()
            .filter(|s| AMOUNT_START.is_match(s.text.trim()))
            .count()
    };
    let Some(first) = lines.iter().position(|l| is_body_line(l)) else {
        return false;
    };
    amounts(lines[first]) >= 3
        && lines[first + 1..]
            .iter()
            .all(|l| is_body_line(l) || fits_columns(l, edges))
}

/// True when a line's segments sit apart like cells (a gap of two characters or more).
fn gapped(line: &Line) -> bool {
    line.segments().windows(2).any(|w| {
        let size = w[0].size.max(w[1].size).max(1.0);
        w[1].bbox.x0 - w[0].bbox.x1 >= 2.0 * size
    })
}

fn y_top(line: &Line) -> f32 {
    line.bbox().map(|b| b.y0).unwrap_or(0.0)
}

fn y_bottom(line: &Line) -> f32 {
    line.bbox().map(|b| b.y1).unwrap_or(0.0)
}

/// The cell of a ruled grid holding a segment's centre: (grid, row, column of its top-left slot), or
/// None outside every grid and in a cell spanning its grid's width (a title printed in the grid).
fn grid_cell(s: &crate::document::Segment, grids: &[CellGrid]) -> Option<(usize, usize, usize)> {
    let (cx, cy) = ((s.bbox.x0 + s.bbox.x1) / 2.0, (s.bbox.y0 + s.bbox.y1) / 2.0);
    grids.iter().enumerate().find_map(|(gi, g)| {
        let inside = cy > g.top() && cy < g.bottom();
        let r = interval_of(&g.row_edges, cy).filter(|_| inside)?;
        let cell = g.cell_at(r, interval_of(&g.col_edges, cx)?)?;
        (cell.col_span < g.n_cols()).then_some((gi, cell.row, cell.col))
    })
}

/// True when line `i` of a page is text in the cells of a ruled grid, not a title printed in it: it
/// lies inside the grid and its segments sit in two or more cells (a name and a paragraph's lone
/// `表`), or in a cell holding other lines too (a paragraph's wrapped tail `执行计划表`). A title
/// printed in a ruled grid is its cell's only text, or in a cell spanning the grid's width.
fn in_grid_cells(page: &Page, i: usize, grids: &[CellGrid]) -> bool {
    let Some(line) = page.lines.get(i) else {
        return false;
    };
    let cells: Option<Vec<_>> = line
        .segments()
        .iter()
        .map(|s| grid_cell(s, grids))
        .collect();
    let Some(first) = cells.as_ref().and_then(|c| c.first()) else {
        return false;
    };
    cells.iter().flatten().any(|c| c != first)
        || page.lines.iter().enumerate().any(|(j, other)| {
            j != i
                && other
                    .segments()
                    .iter()
                    .any(|s| grid_cell(s, grids).as_ref() == Some(first))
        })
}

/// Title lines of a page: (line index, match); a title wrapped before its last `表` is joined. Lines
/// that are text in the cells of a ruled grid (see [`in_grid_cells`]) are no titles.
fn titles(page: &Page, ident: Identifier<'_>, grids: &[CellGrid]) -> Vec<(usize, TitleMatch)> {
    let mut out = Vec::new();
    let mut joined_next = false;
    for (i, line) in page.lines.iter().enumerate() {
        // The second line of a title joined with the line before is no title of its own.
        if std::mem::take(&mut joined_next) || in_grid_cells(page, i, grids) {
            continue;
        }
        let mut m = ident.identify(line);
        if let Some(next) = page
            .lines
            .get(i + 1)
            .filter(|_| !in_grid_cells(page, i + 1, grids))
        {
            if m.as_ref().is_none_or(|t| t.id == "X") {
                if let Some(joined) = wrapped_title(line, next, ident) {
                    m = Some(joined);
                    joined_next = true;
                }
            }
        }
        if let Some(m) = m {
            if m.id != "P01" {
                // A joined title's region starts at its last line: the table is below it.
                out.push((if joined_next { i + 1 } else { i }, m));
            }
        }
    }
    out
}

/// A title wrapped before its last characters (`…支出预` + `算表`, `…培训费` + `支出预算表`, a
/// label `表 1` + `收支总表`): the tail is at most twelve characters ending with `表` (a parenthetical
/// after it aside), the head holds no money, and the joined line is a catalog title (or a title at all when the tail is a lone `表`).
pub(crate) fn wrapped_title<A, B>(line: &A, next: &B, ident: Identifier<'_>) -> Option<TitleMatch>
where
    A: MatchForm + ?Sized,
    B: MatchForm + ?Sized,
{
    let tail = next.match_form();
    // A parenthetical after the title (`（不含上年结转）`) is not counted.
    let core = PAREN_END.replace(&tail, "");
    let n = core.chars().count();
    let vocabulary = crate::vocabulary::current();
    let title_end = &vocabulary.tables.title_end;
    if !title_end.is_match(&core) || n > 12 || tail.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let head = line.match_form();
    // A body row (money printed in it) is not the head of a title, nor is a title of its own (a
    // table label such as `预算01表` is).
    if MONEY_IN_LINE.is_match(&head) || (title_end.is_match(&head) && head.chars().count() > 6) {
        return None;
    }
    let m = ident.identify(&format!("{head}{tail}"))?;
    (n == 1 || m.id != "X").then_some(m)
}

/// A contents page lists table titles: it says 目录, or it holds three or more titles and no grid
/// and hardly any table body.
fn is_contents_page(page: &Page, titles: usize, grids: usize) -> bool {
    let says_contents = page.lines.iter().take(5).any(|l| {
        crate::vocabulary::current()
            .tables
            .contents_page
            .is_match(l.normalized())
    });
    // Body lines are counted only when the rest of the test allows, and only up to the third.
    says_contents
        || (titles >= 3
            && grids == 0
            && page
                .lines
                .iter()
                .filter(|l| is_body_line(l))
                .take(3)
                .count()
                <= 2)
}

/// A statement (possibly wrapped over two lines) at or after line `i`.
fn statement_at(lines: &[Line], i: usize) -> Option<String> {
    let first = lines.get(i)?.normalized();
    crate::vocabulary::current()
        .tables
        .empty_statement
        .is_match(first)
        .then_some(())?;
    let mut s = first.to_string();
    // A statement wrapped onto the next line (ends without 。 and the next line ends with one).
    if !s.ends_with('。') {
        if let Some(next) = lines.get(i + 1) {
            let nt = next.normalized();
            if nt.ends_with('。') && nt.chars().count() <= 30 {
                s.push_str(nt);
            }
        }
    }
    Some(s)
}

/// Reads the fragments of one page. `open` holds the column boundaries of the table still open from
/// the page before (used to read an untitled continuation by x-positions).
pub(crate) fn fragments(
    page: &Page,
    open: Option<OpenColumns<'_>>,
    ident: Identifier<'_>,
) -> Vec<Fragment> {
    let open_edges = open.map(|o| o.edges);
    let mut rule_groups = ruling(page);
    let titles = titles(page, ident, &rule_groups.grids);
    if is_contents_page(page, titles.len(), rule_groups.grids.len()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let starts = region_starts(&titles, page.lines.len());
    for (k, (title, start)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map(|s| s.1).unwrap_or(page.lines.len());
        let lines = &page.lines[*start..end];
        let region_top = if title.is_some() {
            lines.first().map(y_bottom).unwrap_or(0.0)
        } else {
            f32::MIN
        };
        let region_bottom = page.lines.get(end).map(y_top).unwrap_or(f32::MAX);
        let unit = if title.is_some() {
            lines.iter().take(5).find_map(declared_in)
        } else {
            None
        };
        let statement = (0..lines.len()).find_map(|i| statement_at(lines, i));
        // A ruled grid starting in the region.
        let gi = rule_groups
            .grids
            .iter()
            .position(|g| g.top() >= region_top - 2.0 && g.top() < region_bottom)
            .filter(|&gi| title.is_some() || !off_positions(&rule_groups.grids[gi], open));
        let grid = if let Some(gi) = gi {
            let mut g = rule_groups.grids.remove(gi);
            fill(&mut g, page);
            Some(g)
        } else {
            let band = rule_groups
                .hbands
                .iter()
                .find(|b| b.y0 >= region_top - 2.0 && b.y0 < region_bottom)
                .copied();
            let region = Region {
                lines,
                titled: title.is_some(),
                band,
                open_edges,
            };
            unruled_grid(page.number, &region)
        };
        if title.is_none() && grid.is_none() {
            continue;
        }
        out.push(Fragment {
            title: title.clone(),
            unit,
            page: page.number,
            grid,
            empty_statement: statement,
        });
    }
    out
}

/// The column boundaries of the table left open on the page before, and whether they were read
/// from x-positions (not from ruling edges).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpenColumns<'a> {
    pub(crate) edges: &'a [f32],
    pub(crate) by_positions: bool,
}

/// True when a ruled grid on a continued page does not line up with the open table read by
/// x-positions (its titled page printed rules the reading did not use: a grid starting above the
/// title): every boundary of the grid must be one of the table's, within [`ALIGN`], the outer ones
/// included. Such a page is read by x-positions in the table's columns, as the table was.
fn off_positions(grid: &CellGrid, open: Option<OpenColumns<'_>>) -> bool {
    let Some(o) = open.filter(|o| o.by_positions && o.edges.len() >= 2) else {
        return false;
    };
    let near = |x: f32, e: f32| (x - e).abs() <= ALIGN;
    let (first, last) = (o.edges[0], o.edges[o.edges.len() - 1]);
    let lines_up = grid.col_edges.first().is_some_and(|x| near(*x, first))
        && grid.col_edges.last().is_some_and(|x| near(*x, last))
        && grid
            .col_edges
            .iter()
            .all(|x| o.edges.iter().any(|e| near(*x, *e)));
    !lines_up
}

/// Region starts (title, first line): an untitled region before the first title, then one per title.
fn region_starts(
    titles: &[(usize, TitleMatch)],
    n_lines: usize,
) -> Vec<(Option<TitleMatch>, usize)> {
    let mut starts: Vec<(Option<TitleMatch>, usize)> = Vec::new();
    let first_title = titles.first().map(|t| t.0).unwrap_or(n_lines);
    if first_title > 0 {
        starts.push((None, 0));
    }
    starts.extend(titles.iter().map(|(i, m)| (Some(m.clone()), *i)));
    starts
}

/// One region of a page without a ruled grid: its lines (the title line first when `titled`), the
/// band of horizontal rules starting in it, and the open table's column boundaries.
struct Region<'a> {
    lines: &'a [Line],
    titled: bool,
    band: Option<Rect>,
    open_edges: Option<&'a [f32]>,
}

/// The grid of an unruled region read by x-positions, when it holds a table body (an untitled one
/// only when it continues the open table).
fn unruled_grid(page: u32, region: &Region<'_>) -> Option<CellGrid> {
    let table_lines = unruled_table_lines(region);
    let bodies = table_lines.iter().filter(|l| is_body_line(l)).count();
    // Lines whose every segment fits in one column of the open table (a wrapped name, a
    // header label, a paragraph line of a text column) are table text: only lines running
    // across its columns (the page's own text) count against its body.
    let counted = match region.open_edges {
        Some(edges) => table_lines
            .iter()
            .filter(|l| is_body_line(l) || !fits_columns(l, edges))
            .count(),
        None => table_lines.len(),
    };
    // A single row of amounts continues the open table only when it sits in its columns (the last
    // row of a table run over onto the next page, under the repeated header).
    let in_open_columns = || {
        region.open_edges.is_some_and(|edges| {
            table_lines
                .iter()
                .filter(|l| is_body_line(l))
                .all(|l| fits_columns(l, edges))
        })
    };
    let continuation_ok = region.titled
        || (bodies * 2 >= counted && (bodies >= 2 || in_open_columns()))
        || region
            .open_edges
            .is_some_and(|e| last_rows_continue(&table_lines, e));
    if bodies == 0 || !continuation_ok {
        return None;
    }
    let fixed = if region.titled {
        None
    } else {
        region.open_edges
    };
    grid_from_lines(page, &table_lines, fixed)
}

/// The lines of an unruled table: after the title and unit lines, up to a note or narrative (or
/// below the region's band of rules).
fn unruled_table_lines<'a>(region: &Region<'a>) -> Vec<&'a Line> {
    let lines = region.lines;
    let skip = if region.titled {
        1 + lines
            .iter()
            .skip(1)
            .take(3)
            .take_while(|l| {
                declared_in(*l).is_some()
                    || crate::vocabulary::current()
                        .tables
                        .table_label
                        .is_match(l.normalized())
            })
            .count()
    } else {
        0
    };
    let mut table_lines: Vec<&Line> = Vec::new();
    for l in lines.iter().skip(skip) {
        if l.segments().is_empty() || empty_statement(l).is_some() {
            continue;
        }
        // A row of amounts set apart like cells is the table's even when a paragraph
        // of its text column makes the line long (the first row below the header).
        let cells_row = is_body_line(l) && gapped(l);
        // On a continued page, a name and its paragraph set apart in the open table's
        // columns are its first row even before a line of amounts (a wrapped name whose
        // values are on its next line).
        let continued_row =
            !region.titled && gapped(l) && region.open_edges.is_some_and(|e| fits_columns(l, e));
        if is_narrative(l) && !cells_row && !continued_row && !is_cell_paragraph(l, &table_lines) {
            if table_lines.iter().any(|t| is_body_line(t)) {
                break;
            }
            continue;
        }
        if let Some(b) = region.band {
            // Header lines just above the band's first rule belong to the table.
            if y_top(l) > b.y1 + 2.0 {
                break;
            }
        }
        table_lines.push(l);
    }
    table_lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(segs: &[(&str, f32, f32)], y: f32) -> Line {
        let segments: Vec<crate::document::Segment> = segs
            .iter()
            .map(|(t, x0, x1)| crate::document::Segment {
                text: t.to_string(),
                bbox: crate::document::Rect {
                    x0: *x0,
                    y0: y,
                    x1: *x1,
                    y1: y + 10.0,
                },
                font: None,
                size: 10.0,
                chars: Vec::new(),
            })
            .collect();
        let text = segs.iter().map(|s| s.0).collect::<Vec<_>>().join(" ");
        let x0 = segs.first().map(|s| s.1).unwrap_or(0.0);
        let x1 = segs.last().map(|s| s.2).unwrap_or(0.0);
        let bbox = Some(crate::document::Rect {
            x0,
            y0: y,
            x1,
            y1: y + 10.0,
        });
        Line::new(text, bbox, segments)
    }

    #[test]
    fn wrapped_paragraph_cells_stay_in_the_table() {
        let head = line(
            &[
                ("项目", 40.0, 80.0),
                ("金额", 200.0, 230.0),
                ("目标", 600.0, 640.0),
            ],
            100.0,
        );
        let body = line(&[("项目甲", 40.0, 100.0), ("94.00", 200.0, 230.0)], 120.0);
        let long = "对日常业务配套设备的维护维持，保障业务专用设备正常运作及观测场标准绿地维护用水";
        // A label and a long paragraph on one line, set apart like cells.
        let gapped = line(&[("项目乙", 60.0, 120.0), (long, 550.0, 800.0)], 140.0);
        // A paragraph line alone in the text column on the right.
        let right = line(&[(long, 550.0, 800.0)], 150.0);
        // The page's text after the table: one run from the left margin.
        let prose = line(&[(long, 40.0, 800.0)], 200.0);
        let note = line(
            &[(
                "注：本表金额单位为万元，项目按单位列示，其中部分项目跨年度执行，按当年安排数列示",
                550.0,
                800.0,
            )],
            210.0,
        );
        let table = [&head, &body];
        for l in [&gapped, &right, &prose, &note] {
            assert!(is_narrative(l), "{}", l.text());
        }
        assert!(is_cell_paragraph(&gapped, &table));
        assert!(is_cell_paragraph(&right, &table));
        assert!(!is_cell_paragraph(&prose, &table));
        assert!(!is_cell_paragraph(&note, &table));
        // Before the body starts nothing is a cell paragraph.
        assert!(!is_cell_paragraph(&gapped, &[&head]));
    }

    #[test]
    fn a_wrapped_name_reaching_past_the_first_pages_boundary_fits_its_column() {
        // The open table's columns: name | amount | amount; the name column's boundary (150) sits
        // in the middle of the gap the first page's short names left before the amounts.
        let edges = [40.0, 150.0, 240.0, 300.0];
        // A name filling its column on a later page runs past that boundary by less than a
        // quarter of its width: it is still the name column's text.
        assert!(fits_columns(
            &line(&[("科研项目引进及对接经", 60.0, 162.0)], 200.0),
            &edges
        ));
        assert!(fits_columns(&line(&[("费", 40.0, 50.0)], 210.0), &edges));
        // A text running over most of the next column is not.
        assert!(!fits_columns(
            &line(&[("本表反映部门预算项目支出", 60.0, 230.0)], 200.0),
            &edges
        ));
        // Nor a text starting left of the table.
        assert!(!fits_columns(
            &line(&[("注：本表", 10.0, 60.0)], 200.0),
            &edges
        ));
    }

    #[test]
    fn a_single_row_in_the_open_columns_continues_the_table() {
        // The open table's columns: code | name | amount | amount.
        let edges = [30.0, 90.0, 250.0, 350.0, 450.0];
        let row = line(
            &[
                ("31007", 40.0, 70.0),
                ("信息网络及软件购置更新", 100.0, 200.0),
                ("11,815,120.00", 280.0, 340.0),
                ("11,815,120.00", 380.0, 440.0),
            ],
            120.0,
        );
        let lines = [row.clone()];
        let region = Region {
            lines: &lines,
            titled: false,
            band: None,
            open_edges: Some(&edges),
        };
        let grid = unruled_grid(27, &region).expect("the last row run over onto the next page");
        assert!(grid
            .cells
            .iter()
            .any(|c| c.text == "信息网络及软件购置更新"));
        // A line of amounts running across the open table's columns is the page's own text.
        let across = line(
            &[
                ("合计", 40.0, 70.0),
                ("一般公共预算拨款收入 11,815,120.00", 100.0, 340.0),
            ],
            120.0,
        );
        let lines = [across];
        let region = Region {
            lines: &lines,
            ..region
        };
        assert!(unruled_grid(27, &region).is_none());
        // Without an open table a single untitled row is no continuation.
        let lines = [row];
        let region = Region {
            lines: &lines,
            open_edges: None,
            ..region
        };
        assert!(unruled_grid(27, &region).is_none());
    }

    #[test]
    fn last_rows_of_a_continued_table_under_its_repeated_header() {
        let edges = [40.0, 180.0, 240.0, 300.0, 360.0, 420.0, 550.0, 800.0];
        // The header repeated on the page: a label wrapped across a column boundary.
        let header = line(
            &[("总计", 190.0, 210.0), ("政府性基金", 350.0, 400.0)],
            60.0,
        );
        let para = "开展各类型版权保护宣传活动、版权保护服务，加强公众版权意识";
        let above = line(&[(para, 552.0, 795.0)], 90.0);
        let head = line(&[("2026年版权服务专项经", 60.0, 170.0)], 110.0);
        let body = line(
            &[
                ("123.80", 200.0, 230.0),
                ("123.80", 260.0, 290.0),
                ("123.80", 320.0, 350.0),
                ("0.00", 380.0, 400.0),
            ],
            118.0,
        );
        let tail = line(&[("费", 42.0, 52.0)], 126.0);
        let below = line(&[(para, 552.0, 795.0)], 134.0);
        let lines = [&header, &above, &head, &body, &tail, &below];
        assert!(last_rows_continue(&lines, &edges));
        // Text running across the columns below the row is the page's own: no continuation.
        let prose = line(&[(para, 40.0, 700.0)], 150.0);
        let with_prose = [&header, &body, &tail, &prose];
        assert!(!last_rows_continue(&with_prose, &edges));
        // A line of two amounts is no table row on its own.
        let two = line(&[("12.00", 200.0, 230.0), ("3.00", 260.0, 290.0)], 118.0);
        assert!(!last_rows_continue(&[&header, &two, &tail], &edges));
        assert!(!last_rows_continue(&[&header, &above], &edges));
    }

    #[test]
    fn empty_statements() {
        let yes = [
            "注：上海市普陀区财政局无政府性基金预算财政拨款支出，故本表无数据。",
            "注:本部门2026年无政府性基金预算财政拨款安排的预算，故本表为空表。",
            "(无政府性基金支出）",
            "本部门无政府性基金收支，故本表为空。",
            "此表为空",
        ];
        for t in yes {
            assert!(empty_statement(t).is_some(), "{t}");
        }
        assert!(empty_statement("一、一般公共预算财政拨款收入").is_none());
    }

    #[test]
    fn jiangsu_sangong_table_with_numbered_title_wrapped() {
        let id = crate::extract::tables::catalog::test_identifier(Some("预算"));
        // 十一、一般公共预算“三公”经费、会议费、培训费支出预 / 算表 (a title broken inside 预算).
        let m = wrapped_title(
            "十一、一般公共预算“三公”经费、会议费、培训费支出预",
            "算表",
            id,
        );
        assert_eq!(m.map(|m| m.id), Some("B07".to_string()));
        let m = wrapped_title("一般公共预算财政拨款基本支出决算", "表", id);
        assert_eq!(m.map(|m| m.id), Some("F06".to_string()));
        // A body line ending in 表 is no tail; a tail that makes no catalog title is not joined.
        assert!(wrapped_title("十、其他说明", "附表3", id).is_none());
        let m = wrapped_title(
            "公开 09 表：一般公共预算“三公”经费、会议费、培训费",
            "支出预算表",
            id,
        );
        assert_eq!(m.map(|m| m.id), Some("B07".to_string()));
        let m = wrapped_title("表 1", "收支总表", id);
        assert_eq!(m.map(|m| m.id), Some("B01".to_string()));
        let m = wrapped_title(
            "2022年部门综合预算一般公共预算拨款“三公”经费、",
            "会议费、培训费表（不含上年结转）",
            id,
        );
        assert_eq!(m.map(|m| m.id), Some("B07".to_string()));
        // A title of its own (an empty table's) is no head of the next one.
        assert!(wrapped_title("预算10表 政府采购预算明细表", "收支总表", id).is_none());
        // The last row of a table above a title is no head of it.
        assert!(wrapped_title("合计 1,234.56", "收入总表", id).is_none());
        assert!(wrapped_title("单位：万元", "报表", id).is_none());
    }
}

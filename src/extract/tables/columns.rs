//! Unruled tables (and tables ruled by rows only): lines with positioned segments → a [`CellGrid`]
//! whose columns come from x-positions.
//!
//! In: the lines of a table region (header lines first), optionally the column boundaries of the page
//! before (a continuation is read with its first page's columns). Out: a grid with one row per line.
//!
//! How: body lines are those from the first line holding a number after its first segment. Column
//! intervals are the x-ranges of the body's segments and of the lowest header line, merged where they
//! overlap (right-aligned numbers of one column overlap; label texts of one column overlap at their left
//! edge); boundaries sit in the middle of the gaps. Body segments go to the column holding their centre.
//! A header segment spans the columns it overlaps, widened to neighbouring columns while that brings
//! the span's centre nearer to the segment's centre (a parent label is centred over its children even
//! when it is narrower than they are). A lone label on the first of several header lines is a banner
//! over every column (`财政拨款“三公”经费`).
//!
//! Not here: header flattening and rows. Limits: when the children of a parent label are themselves
//! parents on a lower header line (three levels), the widening can stop short; a column that is empty
//! in every body row and absent from the lowest header line is not seen. Ruled grids do not have these
//! limits.

use crate::document::{Line, Rect};

use super::grid::{interval_of, join_pieces, pieces, Cell, CellGrid, Piece, SNAP};
use super::unit::{is_numeric, parse_number};

/// True when a line holds a number after its first segment (a body line of a table).
pub(crate) fn is_body_line(line: &Line) -> bool {
    if line.segments.is_empty() {
        return false;
    }
    let pieces: Vec<Piece> = line
        .segments
        .iter()
        .flat_map(|s| pieces(s, &[f32::MIN, f32::MAX]))
        .collect();
    let numbers: Vec<&Piece> = pieces.iter().filter(|p| is_numeric(&p.text)).collect();
    if numbers.is_empty() {
        return false;
    }
    // Column numbering (1 2 3 …) is header, not body.
    let ints: Vec<i64> = numbers
        .iter()
        .filter_map(|p| parse_number(&p.text))
        .filter_map(|d| i64::try_from(d).ok())
        .collect();
    let counting = ints.len() == numbers.len()
        && ints.len() >= 2
        && ints.windows(2).all(|w| w[1] == w[0] + 1)
        && ints.first().is_some_and(|f| *f <= 1);
    !counting
}

/// Splits each segment at whitespace into pieces (each token its own piece).
fn line_pieces(line: &Line) -> Vec<Piece> {
    line.segments
        .iter()
        .flat_map(|s| {
            // Crossing "edges" everywhere: split every spaced segment into tokens.
            let edges: Vec<f32> = vec![s.bbox.x0 + SNAP * 2.0, s.bbox.x1 - SNAP * 2.0];
            pieces(s, &edges)
        })
        .collect()
}

/// Merges overlapping x-intervals.
fn merge_intervals(mut iv: Vec<(f32, f32)>) -> Vec<(f32, f32)> {
    iv.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f32, f32)> = Vec::new();
    for (a, b) in iv {
        match out.last_mut() {
            Some(l) if a <= l.1 - 0.5 => l.1 = l.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Column boundaries from intervals: the outer extents and the middle of each gap.
fn boundaries(iv: &[(f32, f32)]) -> Vec<f32> {
    let mut e = Vec::new();
    if let Some(first) = iv.first() {
        e.push(first.0 - 1.0);
    }
    for w in iv.windows(2) {
        e.push((w[0].1 + w[1].0) / 2.0);
    }
    if let Some(last) = iv.last() {
        e.push(last.1 + 1.0);
    }
    e
}

/// Builds a grid from the lines of a region. `fixed` column boundaries (of a previous page) are used
/// instead of clustering when given.
pub(crate) fn grid_from_lines(
    page: u32,
    lines: &[&Line],
    fixed: Option<&[f32]>,
) -> Option<CellGrid> {
    if lines.is_empty() {
        return None;
    }
    let body_start = lines
        .iter()
        .position(|l| is_body_line(l))
        .unwrap_or(lines.len());
    let per_line: Vec<Vec<Piece>> = lines.iter().map(|l| line_pieces(l)).collect();
    let col_edges = match fixed {
        Some(f) => f.to_vec(),
        None => {
            let mut iv: Vec<(f32, f32)> = per_line[body_start..]
                .iter()
                .flatten()
                .map(|p| (p.bbox.x0, p.bbox.x1))
                .collect();
            if body_start > 0 {
                iv.extend(
                    per_line[body_start - 1]
                        .iter()
                        .map(|p| (p.bbox.x0, p.bbox.x1)),
                );
            }
            boundaries(&merge_intervals(iv))
        }
    };
    if col_edges.len() < 2 {
        return None;
    }
    let mut row_edges: Vec<f32> = Vec::with_capacity(lines.len() + 1);
    let bbox = |l: &Line| -> Rect { l.bbox.unwrap_or_default() };
    row_edges.push(bbox(lines[0]).y0);
    for w in lines.windows(2) {
        row_edges.push((bbox(w[0]).y1 + bbox(w[1]).y0) / 2.0);
    }
    row_edges.push(bbox(lines[lines.len() - 1]).y1);
    // Keep boundaries non-decreasing even for odd line boxes.
    for i in 1..row_edges.len() {
        if row_edges[i] < row_edges[i - 1] {
            row_edges[i] = row_edges[i - 1];
        }
    }
    let n_cols = col_edges.len() - 1;
    let mut cells = Vec::new();
    for (r, ps) in per_line.iter().enumerate() {
        let header = r < body_start;
        let mut by_span: Vec<((usize, usize), Vec<&Piece>)> = Vec::new();
        let banner = r == 0 && header && body_start > 1 && ps.len() == 1;
        for p in ps {
            let span = if banner {
                Some((0, n_cols - 1))
            } else if header {
                header_span(&col_edges, p)
            } else {
                let cx = (p.bbox.x0 + p.bbox.x1) / 2.0;
                interval_of(&col_edges, cx).map(|c| (c, c))
            };
            let Some(span) = span else { continue };
            match by_span
                .iter_mut()
                .find(|(s, _)| s.0 <= span.1 && span.0 <= s.1)
            {
                Some((s, v)) => {
                    *s = (s.0.min(span.0), s.1.max(span.1));
                    v.push(p);
                }
                None => by_span.push((span, vec![p])),
            }
        }
        by_span.sort_by_key(|(s, _)| s.0);
        let mut next = 0;
        for ((a, b), ps) in by_span {
            for c in next..a {
                cells.push(empty(r, c));
            }
            cells.push(Cell {
                row: r,
                col: a,
                row_span: 1,
                col_span: b - a + 1,
                text: join_pieces(ps),
            });
            next = b + 1;
        }
        for c in next..n_cols {
            cells.push(empty(r, c));
        }
    }
    Some(CellGrid::new(page, col_edges, row_edges, cells, false))
}

fn empty(row: usize, col: usize) -> Cell {
    Cell {
        row,
        col,
        row_span: 1,
        col_span: 1,
        text: String::new(),
    }
}

/// The columns a header piece labels: those it overlaps, widened while the span's centre gets
/// nearer to the piece's centre.
fn header_span(col_edges: &[f32], p: &Piece) -> Option<(usize, usize)> {
    let n = col_edges.len().checked_sub(1)?;
    let overl: Vec<usize> = (0..n)
        .filter(|&c| col_edges[c] < p.bbox.x1 && p.bbox.x0 < col_edges[c + 1])
        .collect();
    let cx = (p.bbox.x0 + p.bbox.x1) / 2.0;
    let (mut a, mut b) = match (overl.first(), overl.last()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => {
            let c = interval_of(col_edges, cx)?;
            (c, c)
        }
    };
    let centre = |a: usize, b: usize| (col_edges[a] + col_edges[b + 1]) / 2.0;
    loop {
        let cur = (centre(a, b) - cx).abs();
        let left = (a > 0).then(|| (centre(a - 1, b) - cx).abs());
        let right = (b + 1 < n).then(|| (centre(a, b + 1) - cx).abs());
        match (left, right) {
            (Some(l), Some(r)) if l < cur && l <= r => a -= 1,
            (Some(l), _) if l < cur && right.is_none_or(|r| l <= r) => a -= 1,
            (_, Some(r)) if r < cur => b += 1,
            _ => break,
        }
    }
    Some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tables::grid::tests::{line, seg};

    #[test]
    fn sangong_two_numbers_take_columns_from_x() {
        // Header: 合计 | 因公出国（境）费 | 公务接待费 each over 预算数 决算数; body: only two numbers,
        // under 合计/预算数 and 公务接待费/预算数, right-aligned.
        let l0 = line(vec![
            seg("合计", 70.0, 0.0, 20.0),
            seg("因公出国（境）费", 160.0, 0.0, 80.0),
            seg("公务接待费", 330.0, 0.0, 50.0),
        ]);
        let l1 = line(vec![
            seg("预算数", 30.0, 20.0, 30.0),
            seg("决算数", 100.0, 20.0, 30.0),
            seg("预算数", 165.0, 20.0, 30.0),
            seg("决算数", 235.0, 20.0, 30.0),
            seg("预算数", 300.0, 20.0, 30.0),
            seg("决算数", 370.0, 20.0, 30.0),
        ]);
        let l2 = line(vec![
            seg("0.95", 45.0, 40.0, 20.0),
            seg("0.95", 315.0, 40.0, 20.0),
        ]);
        let lines = [&l0, &l1, &l2];
        let g = grid_from_lines(18, &lines, None).expect("grid");
        assert_eq!(g.n_cols(), 6);
        assert_eq!(g.own_text(2, 0), "0.95");
        assert_eq!(g.own_text(2, 4), "0.95");
        assert_eq!(g.own_text(2, 1), "");
        let heji = g.cell_at(0, 0).expect("合计");
        assert_eq!(
            (heji.text.as_str(), heji.col, heji.col_span),
            ("合计", 0, 2)
        );
        let jd = g.cell_at(0, 5).expect("公务接待费");
        assert_eq!(
            (jd.text.as_str(), jd.col, jd.col_span),
            ("公务接待费", 4, 2)
        );
    }

    #[test]
    fn column_numbering_is_not_body() {
        let l = line(vec![
            seg("栏次", 0.0, 0.0, 20.0),
            seg("1 2 3", 100.0, 0.0, 60.0),
        ]);
        assert!(!is_body_line(&l));
        let l = line(vec![
            seg("合计", 0.0, 0.0, 20.0),
            seg("2,946.25", 100.0, 0.0, 60.0),
        ]);
        assert!(is_body_line(&l));
    }
}

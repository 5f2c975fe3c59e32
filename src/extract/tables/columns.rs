//! Unruled tables (and tables ruled by rows only): lines with positioned segments → a [`CellGrid`]
//! whose columns come from x-positions.
//!
//! In: the lines of a table region (header lines first), optionally the column boundaries of the page
//! before (a continuation is read with its first page's columns). Out: a grid with one row per visual
//! row.
//!
//! How: the lines' pieces (segments split at spaces) are regrouped into visual rows (a number set a
//! little lower than its label stays in the label's row); body rows are those from the first row
//! holding a number (column numbering `1 2 3…` excepted). Column intervals are the x-ranges of the
//! body's pieces merged where they overlap (right-aligned numbers of one column overlap; labels of one
//! column overlap at their left edge), plus the header leaves that match no body column (see
//! `unmatched_leaves`: a column blank in every row is seen through its label; a label centred between
//! lower labels is their parent, not a column); boundaries sit in the middle of the gaps. Body pieces
//! go to the column holding their centre. A header cell covers the columns it covers a fair part of,
//! widened, without crossing its neighbours, while that brings the span's centre nearer to its own (a
//! parent label is centred over its children even when narrower than they are). A lone label on the
//! first of several header rows is a banner over every column (`财政拨款“三公”经费`).
//!
//! Not here: header flattening and rows. Limits: three-level headers whose middle labels sit at
//! varying heights (vertically centred in merged cells) can attach a label to the wrong parent; a
//! column blank in every body row whose label is not a leaf is not seen. Ruled grids have neither
//! limit.

use crate::document::{Line, Rect};

use super::grid::{interval_of, join_pieces, pieces, Cell, CellGrid, Piece, SNAP};
use super::unit::{is_numeric, parse_number};

/// True when a line holds a number after its first segment (a body line of a table).
pub(crate) fn is_body_line(line: &Line) -> bool {
    let ps: Vec<Piece> = line
        .segments
        .iter()
        .flat_map(|s| pieces(s, &[f32::MIN, f32::MAX]))
        .collect();
    is_body_row(&ps)
}

/// True when pieces of one visual row hold a number that is not column numbering.
fn is_body_row(ps: &[Piece]) -> bool {
    let numbers: Vec<&Piece> = ps.iter().filter(|p| is_numeric(&p.text)).collect();
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

/// The pieces of the lines regrouped into visual rows: a piece joins the row whose vertical range
/// holds its centre (readers differ in how they cut lines; a number set slightly lower than its
/// label still belongs to the label's row).
fn visual_rows(lines: &[&Line]) -> Vec<Vec<Piece>> {
    let mut all: Vec<Piece> = lines.iter().flat_map(|l| line_pieces(l)).collect();
    all.sort_by(|a, b| centre_y(a).total_cmp(&centre_y(b)));
    let mut rows: Vec<(f32, f32, Vec<Piece>)> = Vec::new();
    for p in all {
        let c = centre_y(&p);
        match rows.last_mut() {
            // The row's range stays that of its first piece (no chaining down a column).
            Some((y0, y1, ps)) if c >= *y0 - 0.5 && c <= *y1 + 0.5 => ps.push(p),
            _ => rows.push((p.bbox.y0, p.bbox.y1, vec![p])),
        }
    }
    rows.into_iter()
        .map(|(_, _, mut ps)| {
            ps.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
            ps
        })
        .collect()
}

fn centre_y(p: &Piece) -> f32 {
    (p.bbox.y0 + p.bbox.y1) / 2.0
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

/// Header leaves (header pieces with no header piece below them) that match no body column: each
/// body column takes at most one leaf per header row, the nearest, when the gap between them is at
/// most the larger of 12 pt and 0.8 × the leaf's width (labels are centred, numbers right-aligned).
/// The leaves left over are columns of their own (a column blank in every body row).
fn unmatched_leaves(header: &[Vec<Piece>], body: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let gap = |p: &Piece, c: &(f32, f32)| (c.0 - p.bbox.x1).max(p.bbox.x0 - c.1).max(0.0);
    let mut out = Vec::new();
    for (r, row) in header.iter().enumerate() {
        // A leaf has no lower header piece under it, nor lower pieces close on both sides (a
        // parent label centred between its children).
        let leaves: Vec<&Piece> = row
            .iter()
            .filter(|p| {
                let lower = || header[r + 1..].iter().flatten();
                let reach = 2.0 * p.bbox.width();
                let under =
                    lower().any(|q| q.bbox.x0 < p.bbox.x1 - 0.5 && p.bbox.x0 + 0.5 < q.bbox.x1);
                let left =
                    lower().any(|q| q.bbox.x1 <= p.bbox.x0 && p.bbox.x0 - q.bbox.x1 <= reach);
                let right =
                    lower().any(|q| q.bbox.x0 >= p.bbox.x1 && q.bbox.x0 - p.bbox.x1 <= reach);
                !(under || (left && right))
            })
            .collect();
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (i, p) in leaves.iter().enumerate() {
            for (k, c) in body.iter().enumerate() {
                let g = gap(p, c);
                if g <= (0.8 * p.bbox.width()).max(12.0) {
                    pairs.push((g, i, k));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut leaf_done = vec![false; leaves.len()];
        let mut col_done = vec![false; body.len()];
        for (_, i, k) in pairs {
            if !leaf_done[i] && !col_done[k] {
                leaf_done[i] = true;
                col_done[k] = true;
            }
        }
        out.extend(
            leaves
                .iter()
                .zip(leaf_done)
                .filter(|(_, done)| !done)
                .map(|(p, _)| (p.bbox.x0, p.bbox.x1)),
        );
    }
    out
}

/// Merges overlapping (or touching) x-intervals.
fn merge_intervals(mut iv: Vec<(f32, f32)>) -> Vec<(f32, f32)> {
    iv.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f32, f32)> = Vec::new();
    for (a, b) in iv {
        match out.last_mut() {
            Some(l) if a <= l.1 + 0.5 => l.1 = l.1.max(b),
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
    let per_line: Vec<Vec<Piece>> = visual_rows(lines);
    if per_line.is_empty() {
        return None;
    }
    let body_start = per_line
        .iter()
        .position(|r| is_body_row(r))
        .unwrap_or(per_line.len());
    let col_edges = match fixed {
        Some(f) => f.to_vec(),
        None => {
            let body: Vec<(f32, f32)> = per_line[body_start..]
                .iter()
                .flatten()
                .map(|p| (p.bbox.x0, p.bbox.x1))
                .collect();
            let mut iv = merge_intervals(body);
            iv.extend(unmatched_leaves(&per_line[..body_start], &iv));
            boundaries(&merge_intervals(iv))
        }
    };
    if col_edges.len() < 2 {
        return None;
    }
    let extent = |ps: &[Piece]| -> Rect {
        ps.iter()
            .map(|p| p.bbox)
            .reduce(|a, b| a.union(&b))
            .unwrap_or_default()
    };
    let mut row_edges: Vec<f32> = Vec::with_capacity(per_line.len() + 1);
    row_edges.push(extent(&per_line[0]).y0);
    for w in per_line.windows(2) {
        row_edges.push((extent(&w[0]).y1 + extent(&w[1]).y0) / 2.0);
    }
    row_edges.push(extent(&per_line[per_line.len() - 1]).y1);
    // Keep boundaries non-decreasing even for odd line boxes.
    for i in 1..row_edges.len() {
        if row_edges[i] < row_edges[i - 1] {
            row_edges[i] = row_edges[i - 1];
        }
    }
    let n_cols = col_edges.len() - 1;
    let mut cells = Vec::new();
    let mut text_x = Vec::new();
    for (r, ps) in per_line.iter().enumerate() {
        let header = r < body_start;
        let banner = r == 0 && header && body_start > 1 && ps.len() == 1;
        // Pieces whose columns overlap form one cell.
        let mut by_span: Vec<((usize, usize), Vec<&Piece>)> = Vec::new();
        for p in ps {
            let span = if banner {
                Some((0, n_cols - 1))
            } else if header {
                direct_span(&col_edges, p)
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
        // Header cells widen towards their centre, never into a neighbour's columns.
        if header && !banner {
            let spans: Vec<(usize, usize)> = by_span.iter().map(|(s, _)| *s).collect();
            let mut lo = 0;
            for (k, (span, ps)) in by_span.iter_mut().enumerate() {
                let hi = spans.get(k + 1).map(|s| s.0 - 1).unwrap_or(n_cols - 1);
                let x0 = ps.iter().map(|p| p.bbox.x0).fold(f32::MAX, f32::min);
                let x1 = ps.iter().map(|p| p.bbox.x1).fold(f32::MIN, f32::max);
                *span = widen(&col_edges, (x0 + x1) / 2.0, *span, lo, hi);
                lo = span.1 + 1;
            }
        }
        let mut next = 0;
        for ((a, b), ps) in by_span {
            for c in next..a {
                cells.push(empty(r, c));
                text_x.push(None);
            }
            text_x.push(super::grid::first_line_x(&ps));
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
            text_x.push(None);
        }
    }
    let mut grid = CellGrid::new(page, col_edges, row_edges, cells, false);
    grid.text_x = text_x;
    Some(grid)
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

/// The columns a header piece covers (the one holding its centre when it covers none).
fn direct_span(col_edges: &[f32], p: &Piece) -> Option<(usize, usize)> {
    let n = col_edges.len().checked_sub(1)?;
    // A column counts when the piece covers a fair part of it or of itself (a centred label
    // grazing the next column's edge does not span it).
    let overl: Vec<usize> = (0..n)
        .filter(|&c| {
            let ov = p.bbox.x1.min(col_edges[c + 1]) - p.bbox.x0.max(col_edges[c]);
            ov > 0.0
                && ov + 0.5 >= (0.3 * p.bbox.width()).min(0.5 * (col_edges[c + 1] - col_edges[c]))
        })
        .collect();
    match (overl.first(), overl.last()) {
        (Some(a), Some(b)) => Some((*a, *b)),
        _ => interval_of(col_edges, (p.bbox.x0 + p.bbox.x1) / 2.0).map(|c| (c, c)),
    }
}

/// Widens a header span within `lo..=hi` while that brings the span's centre nearer to `cx`.
fn widen(col_edges: &[f32], cx: f32, span: (usize, usize), lo: usize, hi: usize) -> (usize, usize) {
    let (mut a, mut b) = span;
    let centre = |a: usize, b: usize| (col_edges[a] + col_edges[b + 1]) / 2.0;
    loop {
        let cur = (centre(a, b) - cx).abs();
        let left = (a > lo).then(|| (centre(a - 1, b) - cx).abs());
        let right = (b < hi).then(|| (centre(a, b + 1) - cx).abs());
        match (left, right) {
            (Some(l), r) if l < cur && r.is_none_or(|r| l <= r) => a -= 1,
            (_, Some(r)) if r < cur => b += 1,
            _ => break,
        }
    }
    (a, b)
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

//! Ruled tables: ruling edges → snapped, joined edges → grids → cells with spans → text in cells.
//!
//! In: a page's [`Rule`]s and the segments of its lines. Out: one [`CellGrid`] per group of connected
//! edges that has at least two horizontal and two vertical edges, plus the y-ranges of groups made of
//! horizontal edges only (tables ruled by rows only, read by [`super::columns`]).
//!
//! How: edges within [`SNAP`] points of each other on the same line are snapped to one coordinate and
//! joined when their ends meet (gaps up to [`SNAP`]). Grid lines are the distinct snapped coordinates;
//! a table without outer side borders gets its border from the extent of its rows. Two neighbouring
//! elementary cells are one (merged) cell when the edge between them is missing over the middle half of
//! their common side. Text goes into the cell holding its segment's centre; a segment that spans a
//! grid line and contains spaces is split at its spaces first (a reader may join two cells' texts).
//! Texts of one cell are joined in reading order, without space between CJK characters and with one
//! space between two numbers (two numbers are never merged into one).
//!
//! Not here: what the cells mean (headers, rows: see [`super::header`], [`super::rows`]). Limits: a
//! merged cell must be rectangular (an L-shaped region takes its bounding box); rotated tables are not
//! handled; edges drawn as thin filled rectangles must already be [`Rule`]s.

use crate::document::{Page, Rect, Rule, Segment};
use crate::normalize::{is_cjk, join_wrapped, normalize_line};

/// Tolerance (points) for snapping and joining edges.
pub(crate) const SNAP: f32 = 1.5;

/// One cell of a grid: its top-left slot and spans, and its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    pub(crate) row: usize,
    pub(crate) col: usize,
    pub(crate) row_span: usize,
    pub(crate) col_span: usize,
    pub(crate) text: String,
}

/// A table's cells on one page, ruled or reconstructed from text positions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CellGrid {
    pub(crate) page: u32,
    /// Column boundaries, left to right (n_cols + 1 values).
    pub(crate) col_edges: Vec<f32>,
    /// Row boundaries, top to bottom (n_rows + 1 values).
    pub(crate) row_edges: Vec<f32>,
    pub(crate) cells: Vec<Cell>,
    /// For each slot (row-major), the index of the cell covering it.
    slots: Vec<Option<usize>>,
    /// True when built from ruling edges.
    pub(crate) ruled: bool,
    /// For each cell (same order as `cells`), the left edge of its first line of text: the indent
    /// that shows a row's level when no code is printed. Empty when unknown.
    pub(crate) text_x: Vec<Option<f32>>,
    /// For each cell (same order as `cells`), the box of the text read into it. Empty when unknown.
    pub(crate) text_box: Vec<Option<Rect>>,
    /// For each cell (same order as `cells`), the right edge and the height of its last line of
    /// text: a line ending at the column's right edge wraps on the next. Empty when unknown.
    pub(crate) text_end: Vec<Option<(f32, f32)>>,
}

impl CellGrid {
    /// A grid from boundaries and cells; slots are filled from the cells' spans (first cell wins).
    pub(crate) fn new(
        page: u32,
        col_edges: Vec<f32>,
        row_edges: Vec<f32>,
        cells: Vec<Cell>,
        ruled: bool,
    ) -> CellGrid {
        let n_rows = row_edges.len().saturating_sub(1);
        let n_cols = col_edges.len().saturating_sub(1);
        let mut slots = vec![None; n_rows * n_cols];
        for (i, c) in cells.iter().enumerate() {
            for r in c.row..(c.row + c.row_span).min(n_rows) {
                for k in c.col..(c.col + c.col_span).min(n_cols) {
                    let s = &mut slots[r * n_cols + k];
                    if s.is_none() {
                        *s = Some(i);
                    }
                }
            }
        }
        CellGrid {
            page,
            col_edges,
            row_edges,
            cells,
            slots,
            ruled,
            text_x: Vec::new(),
            text_box: Vec::new(),
            text_end: Vec::new(),
        }
    }

    /// The box of the text of the cell whose top-left slot is (row, col) (the cell [`Self::own_text`]
    /// reads); None for covered or empty slots and where unknown.
    pub(crate) fn own_box(&self, row: usize, col: usize) -> Option<Rect> {
        if row >= self.n_rows() || col >= self.n_cols() {
            return None;
        }
        let i = self.slots[row * self.n_cols() + col]?;
        let c = self.cells.get(i)?;
        if c.row != row || c.col != col {
            return None;
        }
        self.text_box.get(i).copied().flatten()
    }

    /// The grid's outer box (display coordinates).
    pub(crate) fn extent(&self) -> Option<Rect> {
        Some(Rect {
            x0: *self.col_edges.first()?,
            y0: *self.row_edges.first()?,
            x1: *self.col_edges.last()?,
            y1: *self.row_edges.last()?,
        })
    }

    /// The left edge of the first line of text of the cell covering slot (row, col).
    pub(crate) fn text_x_at(&self, row: usize, col: usize) -> Option<f32> {
        if row >= self.n_rows() || col >= self.n_cols() {
            return None;
        }
        let i = self.slots[row * self.n_cols() + col]?;
        self.text_x.get(i).copied().flatten()
    }

    /// The right edge and height of the last line of text of the cell covering slot (row, col).
    pub(crate) fn text_end_at(&self, row: usize, col: usize) -> Option<(f32, f32)> {
        if row >= self.n_rows() || col >= self.n_cols() {
            return None;
        }
        let i = self.slots[row * self.n_cols() + col]?;
        self.text_end.get(i).copied().flatten()
    }

    pub(crate) fn n_rows(&self) -> usize {
        self.row_edges.len().saturating_sub(1)
    }

    pub(crate) fn n_cols(&self) -> usize {
        self.col_edges.len().saturating_sub(1)
    }

    /// The cell covering slot (row, col).
    pub(crate) fn cell_at(&self, row: usize, col: usize) -> Option<&Cell> {
        if row >= self.n_rows() || col >= self.n_cols() {
            return None;
        }
        self.slots[row * self.n_cols() + col].and_then(|i| self.cells.get(i))
    }

    /// The text of the cell whose top-left slot is (row, col); empty for covered or empty slots.
    pub(crate) fn own_text(&self, row: usize, col: usize) -> &str {
        match self.cell_at(row, col) {
            Some(c) if c.row == row && c.col == col => c.text.as_str(),
            _ => "",
        }
    }

    /// Vertical centre of a row.
    pub(crate) fn row_center(&self, row: usize) -> f32 {
        match (self.row_edges.get(row), self.row_edges.get(row + 1)) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            _ => 0.0,
        }
    }

    pub(crate) fn top(&self) -> f32 {
        self.row_edges.first().copied().unwrap_or(0.0)
    }

    pub(crate) fn bottom(&self) -> f32 {
        self.row_edges.last().copied().unwrap_or(0.0)
    }
}

/// A snapped edge: horizontal (`pos` = y, from `a` to `b` in x) or vertical (`pos` = x, `a`..`b` in y).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Edge {
    pos: f32,
    a: f32,
    b: f32,
}

/// Snaps edges of one orientation to shared coordinates and joins collinear pieces.
fn snap_and_join(mut edges: Vec<Edge>) -> Vec<Edge> {
    edges.sort_by(|p, q| p.pos.total_cmp(&q.pos));
    // Cluster coordinates.
    let mut clusters: Vec<Vec<Edge>> = Vec::new();
    for e in edges {
        match clusters.last_mut() {
            Some(c) if c.last().is_some_and(|l| e.pos - l.pos <= SNAP) => c.push(e),
            _ => clusters.push(vec![e]),
        }
    }
    let mut out = Vec::new();
    for mut c in clusters {
        let pos = c.iter().map(|e| e.pos).sum::<f32>() / c.len() as f32;
        c.sort_by(|p, q| p.a.total_cmp(&q.a));
        let mut cur: Option<Edge> = None;
        for e in c {
            cur = match cur {
                Some(mut k) if e.a <= k.b + SNAP => {
                    k.b = k.b.max(e.b);
                    Some(k)
                }
                Some(k) => {
                    out.push(k);
                    Some(Edge { pos, ..e })
                }
                None => Some(Edge { pos, ..e }),
            };
        }
        if let Some(k) = cur {
            out.push(k);
        }
    }
    out
}

/// Splits rules into snapped horizontal and vertical edges (tiny pieces dropped).
fn edges_of(rules: &[Rule]) -> (Vec<Edge>, Vec<Edge>) {
    let mut h = Vec::new();
    let mut v = Vec::new();
    for r in rules {
        let (x0, x1) = (r.x0.min(r.x1), r.x0.max(r.x1));
        let (y0, y1) = (r.y0.min(r.y1), r.y0.max(r.y1));
        if r.is_horizontal() {
            if x1 - x0 >= 2.0 {
                h.push(Edge {
                    pos: (y0 + y1) / 2.0,
                    a: x0,
                    b: x1,
                });
            }
        } else if y1 - y0 >= 2.0 {
            v.push(Edge {
                pos: (x0 + x1) / 2.0,
                a: y0,
                b: y1,
            });
        }
    }
    (snap_and_join(h), snap_and_join(v))
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[rb] = ra;
    }
}

/// What the rules of a page make: ruled grids (without text yet) and row-ruled bands.
#[derive(Debug, Default)]
pub(crate) struct Ruling {
    pub(crate) grids: Vec<CellGrid>,
    /// y-ranges (top, bottom) and x-ranges of groups of horizontal rules without vertical ones.
    pub(crate) hbands: Vec<Rect>,
}

/// Builds the ruled grids and horizontal-only bands of a page from its rules.
pub(crate) fn ruling(page: &Page) -> Ruling {
    let (h, v) = edges_of(&page.rules);
    let n = h.len() + v.len();
    let mut parent: Vec<usize> = (0..n).collect();
    for (i, he) in h.iter().enumerate() {
        for (j, ve) in v.iter().enumerate() {
            let touches = ve.pos >= he.a - SNAP
                && ve.pos <= he.b + SNAP
                && he.pos >= ve.a - SNAP
                && he.pos <= ve.b + SNAP;
            if touches {
                union(&mut parent, i, h.len() + j);
            }
        }
    }
    // Horizontal edges without any vertical: group those that stack with overlapping x-ranges.
    for i in 0..h.len() {
        for j in (i + 1)..h.len() {
            let overlap = h[i].a.max(h[j].a) < h[i].b.min(h[j].b);
            let lone = (0..v.len()).all(|k| {
                find(&mut parent, h.len() + k) != find(&mut parent, i)
                    && find(&mut parent, h.len() + k) != find(&mut parent, j)
            });
            if overlap && lone && (h[i].pos - h[j].pos).abs() < 80.0 {
                union(&mut parent, i, j);
            }
        }
    }
    let mut groups: Vec<(usize, Vec<Edge>, Vec<Edge>)> = Vec::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        let idx = match groups.iter().position(|g| g.0 == root) {
            Some(p) => p,
            None => {
                groups.push((root, Vec::new(), Vec::new()));
                groups.len() - 1
            }
        };
        if i < h.len() {
            groups[idx].1.push(h[i]);
        } else {
            groups[idx].2.push(v[i - h.len()]);
        }
    }
    let mut out = Ruling::default();
    for (_, hs, vs) in groups {
        if hs.len() >= 2 && vs.len() >= 2 {
            if let Some(g) = grid_of(page.number, &hs, &vs) {
                out.grids.push(g);
            }
        } else if hs.len() >= 2 && vs.is_empty() {
            let rect = hs.iter().fold(
                Rect {
                    x0: f32::MAX,
                    y0: f32::MAX,
                    x1: f32::MIN,
                    y1: f32::MIN,
                },
                |r, e| Rect {
                    x0: r.x0.min(e.a),
                    y0: r.y0.min(e.pos),
                    x1: r.x1.max(e.b),
                    y1: r.y1.max(e.pos),
                },
            );
            out.hbands.push(rect);
        }
    }
    out.grids.sort_by(|a, b| a.top().total_cmp(&b.top()));
    out.hbands.sort_by(|a, b| a.y0.total_cmp(&b.y0));
    out
}

/// Distinct coordinates, clustered within [`SNAP`].
fn distinct(mut xs: Vec<f32>) -> Vec<f32> {
    xs.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for x in xs {
        match out.last() {
            Some(l) if x - l <= SNAP => {}
            _ => out.push(x),
        }
    }
    out
}

/// True when some edge at coordinate `pos` covers the middle half of `a..b`.
fn covered(edges: &[Edge], pos: f32, a: f32, b: f32) -> bool {
    let (m0, m1) = (a + (b - a) * 0.25, b - (b - a) * 0.25);
    edges
        .iter()
        .any(|e| (e.pos - pos).abs() <= SNAP && e.a <= m0 + SNAP && e.b >= m1 - SNAP)
}

/// A grid from one group of edges; a missing outer border is supplied from the rows' extent.
fn grid_of(page: u32, hs: &[Edge], vs: &[Edge]) -> Option<CellGrid> {
    let left = hs.iter().map(|e| e.a).fold(f32::MAX, f32::min);
    let right = hs.iter().map(|e| e.b).fold(f32::MIN, f32::max);
    let top = vs.iter().map(|e| e.a).fold(f32::MAX, f32::min);
    let bottom = vs.iter().map(|e| e.b).fold(f32::MIN, f32::max);
    let mut hs = hs.to_vec();
    let mut vs = vs.to_vec();
    let mut xs: Vec<f32> = vs.iter().map(|e| e.pos).collect();
    let mut ys: Vec<f32> = hs.iter().map(|e| e.pos).collect();
    // Open sides: the rows' extent is the border.
    for x in [left, right] {
        if !xs.iter().any(|v| (v - x).abs() <= SNAP * 2.0) {
            xs.push(x);
            vs.push(Edge {
                pos: x,
                a: top,
                b: bottom,
            });
        }
    }
    for y in [top, bottom] {
        if !ys.iter().any(|v| (v - y).abs() <= SNAP * 2.0) {
            ys.push(y);
            hs.push(Edge {
                pos: y,
                a: left,
                b: right,
            });
        }
    }
    let xs = distinct(xs);
    let ys = distinct(ys);
    if xs.len() < 2 || ys.len() < 2 {
        return None;
    }
    let (nr, nc) = (ys.len() - 1, xs.len() - 1);
    let slot = |r: usize, c: usize| r * nc + c;
    let mut parent: Vec<usize> = (0..nr * nc).collect();
    for r in 0..nr {
        for c in 0..nc {
            if c + 1 < nc && !covered(&vs, xs[c + 1], ys[r], ys[r + 1]) {
                union(&mut parent, slot(r, c), slot(r, c + 1));
            }
            if r + 1 < nr && !covered(&hs, ys[r + 1], xs[c], xs[c + 1]) {
                union(&mut parent, slot(r, c), slot(r + 1, c));
            }
        }
    }
    let mut boxes: Vec<(usize, usize, usize, usize, usize)> = Vec::new(); // root, r0, c0, r1, c1
    for r in 0..nr {
        for c in 0..nc {
            let root = find(&mut parent, slot(r, c));
            match boxes.iter_mut().find(|b| b.0 == root) {
                Some(b) => {
                    b.1 = b.1.min(r);
                    b.2 = b.2.min(c);
                    b.3 = b.3.max(r);
                    b.4 = b.4.max(c);
                }
                None => boxes.push((root, r, c, r, c)),
            }
        }
    }
    boxes.sort_by_key(|b| (b.1, b.2));
    let cells = boxes
        .into_iter()
        .map(|(_, r0, c0, r1, c1)| Cell {
            row: r0,
            col: c0,
            row_span: r1 - r0 + 1,
            col_span: c1 - c0 + 1,
            text: String::new(),
        })
        .collect();
    Some(CellGrid::new(page, xs, ys, cells, true))
}

/// Index of the interval of `edges` holding `x` (None outside).
pub(crate) fn interval_of(edges: &[f32], x: f32) -> Option<usize> {
    if edges.len() < 2 || x < edges[0] - SNAP || x > edges[edges.len() - 1] + SNAP {
        return None;
    }
    let i = edges.partition_point(|e| *e <= x);
    Some(i.saturating_sub(1).min(edges.len() - 2))
}

/// A positioned piece of text: what segments become after splitting at grid lines.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    pub(crate) text: String,
    pub(crate) bbox: Rect,
}

/// Pieces of a segment: the whole segment, or, when it contains spaces and crosses one of
/// `col_edges`, its space-separated tokens with x-ranges estimated from character widths (CJK
/// characters count double).
pub(crate) fn pieces(seg: &Segment, col_edges: &[f32]) -> Vec<Piece> {
    let whole = Piece {
        text: seg.text.clone(),
        bbox: seg.bbox,
    };
    let crosses = col_edges
        .iter()
        .any(|e| *e > seg.bbox.x0 + SNAP && *e < seg.bbox.x1 - SNAP);
    if !crosses || !seg.text.trim().contains(char::is_whitespace) {
        return vec![whole];
    }
    let width = |s: &str| -> f32 {
        s.chars()
            .map(|c| if is_cjk(c) { 2.0 } else { 1.0 })
            .sum::<f32>()
    };
    let total = width(&seg.text);
    if total <= 0.0 {
        return vec![whole];
    }
    let per = seg.bbox.width() / total;
    let mut out = Vec::new();
    let mut x = seg.bbox.x0;
    let mut token = String::new();
    let mut start = x;
    for c in seg.text.chars() {
        let w = if is_cjk(c) { 2.0 } else { 1.0 } * per;
        if c.is_whitespace() {
            if !token.is_empty() {
                out.push(Piece {
                    text: std::mem::take(&mut token),
                    bbox: Rect {
                        x0: start,
                        x1: x,
                        ..seg.bbox
                    },
                });
            }
        } else {
            if token.is_empty() {
                start = x;
            }
            token.push(c);
        }
        x += w;
    }
    if !token.is_empty() {
        out.push(Piece {
            text: token,
            bbox: Rect {
                x0: start,
                x1: x,
                ..seg.bbox
            },
        });
    }
    out
}

/// Joins the pieces of one cell in reading order: pieces on one visual line are joined without space
/// unless both sides are ASCII alphanumerics; lines are joined as wrapped text (no space between CJK,
/// one space between numbers).
pub(crate) fn join_pieces(ps: Vec<&Piece>) -> String {
    join_pieces_in(ps, None)
}

/// [`join_pieces`] for the pieces of one ruled cell spanning `span` (its left and right edges): an
/// amount too wide for its cell wraps, so a line of digits under a number that fills the cell's
/// width continues that number (`143,999.0` over `0` is `143,999.00`) when the two make one
/// well-formed amount. A number that leaves room in its cell did not wrap: the next line is another
/// number and stays apart.
fn join_pieces_in(mut ps: Vec<&Piece>, span: Option<(f32, f32)>) -> String {
    ps.sort_by(|a, b| {
        let ca = (a.bbox.y0 + a.bbox.y1) / 2.0;
        let cb = (b.bbox.y0 + b.bbox.y1) / 2.0;
        ca.total_cmp(&cb)
    });
    // Group into visual lines.
    let mut lines: Vec<Vec<&Piece>> = Vec::new();
    for p in ps {
        let c = (p.bbox.y0 + p.bbox.y1) / 2.0;
        let same = lines.last().and_then(|l| l.first()).is_some_and(|f| {
            let fc = (f.bbox.y0 + f.bbox.y1) / 2.0;
            (c - fc).abs() <= (f.bbox.height().max(p.bbox.height()) * 0.5).max(1.0)
        });
        if same {
            if let Some(l) = lines.last_mut() {
                l.push(p);
            }
        } else {
            lines.push(vec![p]);
        }
    }
    let mut out = String::new();
    // Whether the text so far ends with a number that fills the cell's width.
    let mut full_number = false;
    for mut l in lines {
        l.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        let mut line = String::new();
        for p in l.iter() {
            join_wrapped(&mut line, &normalize_line(&p.text));
        }
        let joined = format!("{out}{line}");
        if full_number && is_digits(&line) && is_amount(&joined) {
            out = joined;
            continue;
        }
        join_wrapped(&mut out, &line);
        full_number = span.is_some_and(|(left, right)| {
            let x0 = l.iter().map(|p| p.bbox.x0).fold(f32::MAX, f32::min);
            let x1 = l.iter().map(|p| p.bbox.x1).fold(f32::MIN, f32::max);
            let h = l.iter().map(|p| p.bbox.height()).fold(0.0, f32::max);
            is_amount(&out) && x0 - left <= h && right - x1 <= h
        });
    }
    out
}

/// Only digits, group commas and a decimal point: what the wrapped tail of an amount holds.
fn is_digits(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
}

/// A well-formed amount: an optional minus, digits (in groups of three after a first group of one to
/// three when commas are used) and an optional decimal part.
fn is_amount(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    if frac.is_some_and(|f| !digits(f)) {
        return false;
    }
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    let grouped = int.contains(',');
    digits(first) && (!grouped || first.len() <= 3) && groups.all(|g| g.len() == 3 && digits(g))
}

/// Puts the text of `page` into the cells of a ruled grid.
pub(crate) fn fill(grid: &mut CellGrid, page: &Page) {
    let mut per_cell: Vec<Vec<Piece>> = vec![Vec::new(); grid.cells.len()];
    let (top, bottom) = (grid.top(), grid.bottom());
    for line in &page.lines {
        // The tail of a name run on into the next cell stays with the name (see
        // `columns::line_tails`): the cell of the last piece placed.
        let (ps, tails) = super::columns::line_tails(line, |s| pieces(s, &grid.col_edges));
        let mut last: Option<usize> = None;
        for (p, tail) in ps.into_iter().zip(tails) {
            let cy = (p.bbox.y0 + p.bbox.y1) / 2.0;
            if cy < top || cy > bottom {
                continue;
            }
            if let (true, Some(i)) = (tail, last) {
                per_cell[i].push(p);
                continue;
            }
            let cx = (p.bbox.x0 + p.bbox.x1) / 2.0;
            let (Some(c), Some(r)) = (
                interval_of(&grid.col_edges, cx),
                interval_of(&grid.row_edges, cy),
            ) else {
                continue;
            };
            if let Some(i) = grid.slots[r * grid.n_cols() + c] {
                per_cell[i].push(p);
                last = Some(i);
            }
        }
    }
    let edges = grid.col_edges.clone();
    for (cell, ps) in grid.cells.iter_mut().zip(per_cell.iter()) {
        let span = edges
            .get(cell.col)
            .zip(edges.get(cell.col + cell.col_span))
            .map(|(l, r)| (*l, *r));
        cell.text = join_pieces_in(ps.iter().collect(), span);
    }
    grid.text_x = per_cell
        .iter()
        .map(|ps| first_line_x(&ps.iter().collect::<Vec<_>>()))
        .collect();
    grid.text_box = per_cell.iter().map(|ps| pieces_box(ps.iter())).collect();
}

/// The union of the pieces' boxes (None for none).
pub(crate) fn pieces_box<'p>(ps: impl Iterator<Item = &'p Piece>) -> Option<Rect> {
    ps.map(|p| p.bbox).reduce(|a, b| a.union(&b))
}

/// The left edge of the top line of `ps` (the pieces of one cell): where the cell's text starts.
pub(crate) fn first_line_x(ps: &[&Piece]) -> Option<f32> {
    let top = ps.iter().min_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0))?;
    let tol = (top.bbox.height() * 0.5).max(1.0);
    ps.iter()
        .filter(|p| (p.bbox.y0 - top.bbox.y0).abs() <= tol)
        .map(|p| p.bbox.x0)
        .min_by(f32::total_cmp)
}

/// The right edge and the height of the last visual line of pieces.
pub(crate) fn last_line_end(ps: &[&Piece]) -> Option<(f32, f32)> {
    let bottom = ps.iter().max_by(|a, b| a.bbox.y1.total_cmp(&b.bbox.y1))?;
    let tol = (bottom.bbox.height() * 0.5).max(1.0);
    ps.iter()
        .filter(|p| (p.bbox.y1 - bottom.bbox.y1).abs() <= tol)
        .map(|p| (p.bbox.x1, p.bbox.height()))
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::document::Line;

    /// A segment at (x0, y0) with the given width; height 10.
    pub(crate) fn seg(text: &str, x0: f32, y0: f32, w: f32) -> Segment {
        Segment {
            text: text.to_string(),
            bbox: Rect {
                x0,
                y0,
                x1: x0 + w,
                y1: y0 + 10.0,
            },
            font: None,
            size: 10.0,
            chars: Vec::new(),
        }
    }

    /// A line made of segments (text joined with spaces).
    pub(crate) fn line(segs: Vec<Segment>) -> Line {
        let text = segs
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let bbox = segs.iter().map(|s| s.bbox).reduce(|a, b| a.union(&b));
        Line::new(text, bbox, segs)
    }

    pub(crate) fn hrule(x0: f32, x1: f32, y: f32) -> Rule {
        Rule {
            x0,
            y0: y,
            x1,
            y1: y,
        }
    }

    pub(crate) fn vrule(x: f32, y0: f32, y1: f32) -> Rule {
        Rule {
            x0: x,
            y0,
            x1: x,
            y1,
        }
    }

    #[test]
    fn merged_header_cell_spans_two_columns() {
        // 3 columns (0,100,200,300), 3 rows (0,20,40,60); the header's first row has no edge at
        // x=200 on the right, so cells (0,1) and (0,2) are one cell; rules drawn in pieces, 1 pt off.
        let mut page = Page::new(1);
        page.rules = vec![
            hrule(0.0, 150.0, 0.0),
            hrule(150.5, 300.0, 0.8),
            hrule(0.0, 300.0, 20.0),
            hrule(0.0, 300.0, 40.0),
            hrule(0.0, 300.0, 60.0),
            vrule(0.0, 0.0, 60.0),
            vrule(100.0, 0.0, 60.0),
            vrule(200.5, 20.0, 60.0),
            vrule(300.0, 0.0, 60.0),
        ];
        let r = ruling(&page);
        assert_eq!(r.grids.len(), 1);
        let g = &r.grids[0];
        assert_eq!((g.n_rows(), g.n_cols()), (3, 3));
        let head = g.cell_at(0, 2).expect("cell");
        assert_eq!(
            (head.row, head.col, head.col_span, head.row_span),
            (0, 1, 2, 1)
        );
        assert_eq!(g.cells.len(), 2 + 3 + 3);
    }

    #[test]
    fn text_goes_into_cells_and_numbers_stay_apart() {
        let mut page = Page::new(1);
        page.rules = vec![
            hrule(0.0, 300.0, 0.0),
            hrule(0.0, 300.0, 30.0),
            vrule(0.0, 0.0, 30.0),
            vrule(100.0, 0.0, 30.0),
            vrule(200.0, 0.0, 30.0),
            vrule(300.0, 0.0, 30.0),
        ];
        page.lines = vec![
            line(vec![seg("一般公共", 5.0, 2.0, 40.0)]),
            // One segment holding the wrapped name's tail and two numbers of the next cells.
            line(vec![
                seg("服务支出", 5.0, 15.0, 40.0),
                seg("2,106.66 3.00", 140.0, 10.0, 130.0),
            ]),
        ];
        let mut g = ruling(&page).grids.remove(0);
        fill(&mut g, &page);
        assert_eq!(g.own_text(0, 0), "一般公共服务支出");
        assert_eq!(g.own_text(0, 1), "2,106.66");
        assert_eq!(g.own_text(0, 2), "3.00");
    }

    #[test]
    fn an_amount_wrapped_in_a_narrow_cell_is_one_number() {
        // Two cells 40 pt wide, one row 20 pt high: the left amount fills its cell and wraps its
        // last digit; the right cell stacks two numbers that leave room and stay apart.
        let mut page = Page::new(1);
        page.rules = vec![
            hrule(0.0, 80.0, 0.0),
            hrule(0.0, 80.0, 20.0),
            vrule(0.0, 0.0, 20.0),
            vrule(40.0, 0.0, 20.0),
            vrule(80.0, 0.0, 20.0),
        ];
        let small = |text: &str, x0: f32, y0: f32, w: f32| Segment {
            bbox: Rect {
                x0,
                y0,
                x1: x0 + w,
                y1: y0 + 7.5,
            },
            ..seg(text, x0, y0, w)
        };
        page.lines = vec![
            line(vec![
                small("143,999.0", 1.2, 2.0, 36.0),
                small("12.5", 60.0, 2.0, 16.0),
            ]),
            line(vec![
                small("0", 34.0, 11.0, 4.0),
                small("3", 72.0, 11.0, 4.0),
            ]),
        ];
        let mut g = ruling(&page).grids.remove(0);
        fill(&mut g, &page);
        assert_eq!(g.own_text(0, 0), "143,999.00");
        assert_eq!(g.own_text(0, 1), "12.5 3");
    }

    #[test]
    fn well_formed_amounts() {
        for ok in ["143,999.00", "0", "-1,234.5", "984760.87", "12,345"] {
            assert!(is_amount(ok), "{ok}");
        }
        for bad in [
            "143,999.0 0",
            "1,2345.00",
            "1,234.5678.90",
            "",
            "12.",
            "1234,567",
        ] {
            assert!(!is_amount(bad), "{bad}");
        }
    }

    #[test]
    fn open_sided_table_gets_borders_from_rows() {
        let mut page = Page::new(1);
        page.rules = vec![
            hrule(10.0, 300.0, 0.0),
            hrule(10.0, 300.0, 20.0),
            hrule(10.0, 300.0, 40.0),
            vrule(100.0, 0.0, 40.0),
            vrule(200.0, 0.0, 40.0),
        ];
        let g = ruling(&page).grids.remove(0);
        assert_eq!(g.col_edges, vec![10.0, 100.0, 200.0, 300.0]);
        assert_eq!(g.n_rows(), 2);
    }

    #[test]
    fn horizontal_rules_only_make_a_band() {
        let mut page = Page::new(1);
        page.rules = vec![
            hrule(10.0, 300.0, 100.0),
            hrule(10.0, 300.0, 120.0),
            hrule(10.0, 300.0, 160.0),
        ];
        let r = ruling(&page);
        assert!(r.grids.is_empty());
        assert_eq!(r.hbands.len(), 1);
        assert_eq!((r.hbands[0].y0, r.hbands[0].y1), (100.0, 160.0));
    }
}

//! Page geometry: affine matrices, the page's display transform, and ruling edges from paths.
//!
//! In: path construction and painting operators (already in display coordinates, the CTM applied by
//! the content interpreter) and the current fill colour. Out: [`Rule`]s: stroked axis-aligned line
//! segments, thin filled rectangles as one edge, and the four edges of stroked rectangles and of
//! larger non-white filled rectangles; collinear edges that touch or overlap are joined.
//! Glyph outlines are not ruling: the straight sides of a curved subpath that fits in a glyph-sized
//! box are no edges, and [`drop_glyph_outlines`] removes the edges lying inside a glyph's box (fake
//! bold re-drawn as stroked outlines over the text, as rewriters such as cairo emit it).
//! Not here: clip paths (they are discarded), curves (never edges), dashes (a dashed line is one edge).
//! Known limits: a rectangle drawn as four separate `m l` subpaths and filled is not recognised.

use foldhash::{HashMap, HashMapExt};

use crate::document::Rule;

/// Largest thickness (points) of a filled rectangle taken as a single ruling line.
const THIN_FILL: f32 = 2.0;
/// Shortest edge kept (points).
const MIN_EDGE: f32 = 0.5;
/// How far from axis-aligned a segment may be (points).
const SKEW: f32 = 0.5;
/// Largest side (points) of a curved subpath that is read as a glyph outline, not ruling: a rule is
/// long and straight; a glyph, even a heading's, fits in this box.
const GLYPH_BOX: f32 = 40.0;
/// Tolerance (points) when testing whether an edge lies inside a glyph's box.
const GLYPH_SLACK: f32 = 0.75;
/// Cap on rules per page (glyph outlines drawn as paths can make very many).
pub(crate) const MAX_RULES: usize = 50_000;

/// An affine transform `[a b c d e f]` in the PDF convention (row vector × matrix).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Matrix {
    pub a: f32,
    pub b: f32,
    pub c: f32,
    pub d: f32,
    pub e: f32,
    pub f: f32,
}

impl Matrix {
    pub(crate) const IDENTITY: Matrix = Matrix {
        a: 1.0,
        b: 0.0,
        c: 0.0,
        d: 1.0,
        e: 0.0,
        f: 0.0,
    };

    pub(crate) fn new(v: [f32; 6]) -> Matrix {
        let [a, b, c, d, e, f] = v;
        Matrix { a, b, c, d, e, f }
    }

    pub(crate) fn translate(x: f32, y: f32) -> Matrix {
        Matrix {
            e: x,
            f: y,
            ..Matrix::IDENTITY
        }
    }

    /// `self` then `other`: the product self × other.
    pub(crate) fn then(&self, o: &Matrix) -> Matrix {
        Matrix {
            a: self.a * o.a + self.b * o.c,
            b: self.a * o.b + self.b * o.d,
            c: self.c * o.a + self.d * o.c,
            d: self.c * o.b + self.d * o.d,
            e: self.e * o.a + self.f * o.c + o.e,
            f: self.e * o.b + self.f * o.d + o.f,
        }
    }

    pub(crate) fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        (
            x * self.a + y * self.c + self.e,
            x * self.b + y * self.d + self.f,
        )
    }

    /// True when every entry is finite.
    pub(crate) fn is_finite(&self) -> bool {
        [self.a, self.b, self.c, self.d, self.e, self.f]
            .iter()
            .all(|v| v.is_finite())
    }
}

/// The visible page: CropBox (clipped to MediaBox) and rotation, and the transform from default user
/// space to display coordinates (origin top-left, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PageFrame {
    pub width: f32,
    pub height: f32,
    pub to_display: Matrix,
}

impl PageFrame {
    /// `bbox` = [x0 y0 x1 y1] of the crop box (normalised), `rotate` in degrees (any multiple of 90).
    pub(crate) fn new(bbox: [f32; 4], rotate: i64) -> PageFrame {
        let [x0, y0, x1, y1] = bbox;
        let (w, h) = (x1 - x0, y1 - y0);
        match rotate.rem_euclid(360) {
            90 => PageFrame {
                width: h,
                height: w,
                // X = y - y0, Y = x - x0
                to_display: Matrix::new([0.0, 1.0, 1.0, 0.0, -y0, -x0]),
            },
            180 => PageFrame {
                width: w,
                height: h,
                // X = x1 - x, Y = y - y0
                to_display: Matrix::new([-1.0, 0.0, 0.0, 1.0, x1, -y0]),
            },
            270 => PageFrame {
                width: h,
                height: w,
                // X = y1 - y, Y = x1 - x
                to_display: Matrix::new([0.0, -1.0, -1.0, 0.0, y1, x1]),
            },
            _ => PageFrame {
                width: w,
                height: h,
                // X = x - x0, Y = y1 - y
                to_display: Matrix::new([1.0, 0.0, 0.0, -1.0, -x0, y1]),
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Piece {
    Line((f32, f32), (f32, f32)),
    Rect([(f32, f32); 4]),
}

/// The path under construction, in display coordinates, and the rules it has produced.
#[derive(Debug, Default)]
pub(crate) struct PathBuilder {
    pieces: Vec<Piece>,
    /// Points of the current subpath (for closing and for four-corner fills).
    subpath: Vec<(f32, f32)>,
    subpath_curved: bool,
    closed_polys: Vec<Vec<(f32, f32)>>,
    /// Index in `pieces` of the current subpath's first piece.
    subpath_start: usize,
    pub rules: Vec<Rule>,
    /// True once something other than ruling was drawn: a curved or slanted path, a non-white filled
    /// shape that is no ruling, an image or a shading (glyphs drawn as outlines, scans, charts).
    pub ink: bool,
    /// The path under construction has curves.
    curved: bool,
}

impl PathBuilder {
    pub(crate) fn move_to(&mut self, p: (f32, f32)) {
        self.finish_subpath();
        self.subpath.push(p);
    }

    pub(crate) fn line_to(&mut self, p: (f32, f32)) {
        if let Some(&last) = self.subpath.last() {
            self.pieces.push(Piece::Line(last, p));
        }
        self.subpath.push(p);
    }

    pub(crate) fn curve_to(&mut self, p: (f32, f32)) {
        if self.subpath.is_empty() {
            self.subpath.push(p);
        } else {
            self.subpath_curved = true;
            self.curved = true;
            self.subpath.push(p);
        }
    }

    pub(crate) fn close(&mut self) {
        if let (Some(&first), Some(&last)) = (self.subpath.first(), self.subpath.last()) {
            if first != last {
                self.pieces.push(Piece::Line(last, first));
            }
        }
        self.finish_subpath();
    }

    fn finish_subpath(&mut self) {
        let pts = std::mem::take(&mut self.subpath);
        let curved = std::mem::replace(&mut self.subpath_curved, false);
        // The straight sides of a small curved subpath belong to an outline (a glyph, a bullet, a
        // checkbox with round corners), never to ruling.
        if curved {
            let start = self.subpath_start.min(self.pieces.len());
            let (x0, x1) = min_max(pts.iter().map(|p| p.0));
            let (y0, y1) = min_max(pts.iter().map(|p| p.1));
            if x1 - x0 <= GLYPH_BOX && y1 - y0 <= GLYPH_BOX {
                self.pieces.truncate(start);
            }
        }
        self.subpath_start = self.pieces.len();
        // A filled path of four straight corners (optionally repeating the first) may be a rectangle.
        if !curved && (4..=5).contains(&pts.len()) && self.closed_polys.len() < 10_000 {
            self.closed_polys.push(pts);
        }
    }

    /// `re` with its four corners already transformed.
    pub(crate) fn rect(&mut self, corners: [(f32, f32); 4]) {
        self.finish_subpath();
        if self.pieces.len() < 200_000 {
            self.pieces.push(Piece::Rect(corners));
        }
        self.subpath.push(corners[0]);
        self.finish_subpath_discard();
    }

    fn finish_subpath_discard(&mut self) {
        self.subpath_start = self.pieces.len();
        self.subpath.clear();
        self.subpath_curved = false;
    }

    /// Discards the path (`n`, or after a clip).
    pub(crate) fn discard(&mut self) {
        self.pieces.clear();
        self.subpath_start = 0;
        self.subpath.clear();
        self.closed_polys.clear();
        self.subpath_curved = false;
        self.curved = false;
    }

    /// Paints the path: `stroke` and/or `fill` (`fill_white` when the fill colour is white).
    pub(crate) fn paint(&mut self, stroke: bool, fill: bool, fill_white: bool) {
        self.finish_subpath();
        if std::mem::replace(&mut self.curved, false) && (stroke || !fill_white) {
            self.ink = true;
        }
        let pieces = std::mem::take(&mut self.pieces);
        self.subpath_start = 0;
        let polys = std::mem::take(&mut self.closed_polys);
        for piece in &pieces {
            match *piece {
                Piece::Line(p, q) => {
                    let slanted = (p.0 - q.0).abs() > SKEW && (p.1 - q.1).abs() > SKEW;
                    if slanted && (stroke || !fill_white) {
                        self.ink = true;
                    }
                    if stroke {
                        self.push_edge(p, q);
                    }
                }
                Piece::Rect(c) => self.paint_box(&c, stroke, fill, fill_white),
            }
        }
        if fill && !stroke {
            for poly in &polys {
                if let Some(c) = as_box(poly) {
                    // Its sides were also recorded as lines; only the fill meaning is added here.
                    self.paint_box(&c, false, true, fill_white);
                }
            }
        }
    }

    fn paint_box(&mut self, c: &[(f32, f32); 4], stroke: bool, fill: bool, fill_white: bool) {
        let (x0, x1) = min_max(c.iter().map(|p| p.0));
        let (y0, y1) = min_max(c.iter().map(|p| p.1));
        if !(x0.is_finite() && x1.is_finite() && y0.is_finite() && y1.is_finite()) {
            return;
        }
        let axis_aligned = c
            .iter()
            .all(|p| (p.0 - x0).abs() < SKEW || (p.0 - x1).abs() < SKEW)
            && c.iter()
                .all(|p| (p.1 - y0).abs() < SKEW || (p.1 - y1).abs() < SKEW);
        if !axis_aligned {
            return;
        }
        let (w, h) = (x1 - x0, y1 - y0);
        if fill && !fill_white && (w <= THIN_FILL || h <= THIN_FILL) {
            if w <= h {
                let x = (x0 + x1) / 2.0;
                self.push_edge((x, y0), (x, y1));
            } else {
                let y = (y0 + y1) / 2.0;
                self.push_edge((x0, y), (x1, y));
            }
            return;
        }
        if stroke || (fill && !fill_white) {
            self.push_edge((x0, y0), (x1, y0));
            self.push_edge((x0, y1), (x1, y1));
            self.push_edge((x0, y0), (x0, y1));
            self.push_edge((x1, y0), (x1, y1));
        }
    }

    fn push_edge(&mut self, p: (f32, f32), q: (f32, f32)) {
        if self.rules.len() >= MAX_RULES {
            return;
        }
        let (dx, dy) = ((q.0 - p.0).abs(), (q.1 - p.1).abs());
        if !(dx.is_finite() && dy.is_finite()) {
            return;
        }
        let rule = if dy <= SKEW && dx >= MIN_EDGE {
            let y = (p.1 + q.1) / 2.0;
            Rule {
                x0: p.0.min(q.0),
                y0: y,
                x1: p.0.max(q.0),
                y1: y,
            }
        } else if dx <= SKEW && dy >= MIN_EDGE {
            let x = (p.0 + q.0) / 2.0;
            Rule {
                x0: x,
                y0: p.1.min(q.1),
                x1: x,
                y1: p.1.max(q.1),
            }
        } else {
            return;
        };
        self.rules.push(rule);
    }
}

/// Removes the edges that lie inside the box of one glyph drawn on the page (`boxes`: x0, y0, x1,
/// y1): the outline of a glyph stroked over its text (fake bold) is not ruling. A table rule is
/// longer than the glyph it passes, or runs between glyphs, so it is never inside one.
pub(crate) fn drop_glyph_outlines(rules: &mut Vec<Rule>, boxes: &[[f32; 4]]) {
    if rules.is_empty() || boxes.is_empty() {
        return;
    }
    // Glyph boxes bucketed by the grid cells they touch, so each edge is tested against its
    // neighbours only.
    const CELL: f32 = 32.0;
    let cell = |v: f32| (v / CELL).floor().clamp(-1e6, 1e6) as i64;
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, b) in boxes.iter().enumerate() {
        let [x0, y0, x1, y1] = *b;
        if !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite()) {
            continue;
        }
        // A box spanning many cells is no glyph of running text; skip it.
        if x1 - x0 > 4.0 * CELL || y1 - y0 > 4.0 * CELL {
            continue;
        }
        for cx in cell(x0)..=cell(x1) {
            for cy in cell(y0)..=cell(y1) {
                grid.entry((cx, cy)).or_default().push(i);
            }
        }
    }
    rules.retain(|r| {
        let key = (cell((r.x0 + r.x1) / 2.0), cell((r.y0 + r.y1) / 2.0));
        let inside = grid.get(&key).is_some_and(|ids| {
            ids.iter().filter_map(|&i| boxes.get(i)).any(|b| {
                r.x0.min(r.x1) >= b[0] - GLYPH_SLACK
                    && r.x0.max(r.x1) <= b[2] + GLYPH_SLACK
                    && r.y0.min(r.y1) >= b[1] - GLYPH_SLACK
                    && r.y0.max(r.y1) <= b[3] + GLYPH_SLACK
            })
        });
        !inside
    });
}

/// Edges whose positions differ by at most this (points) lie on one line.
const LINE_TOLERANCE: f32 = 0.5;
/// Edges on one line that overlap or leave a gap of at most this (points) are joined: office
/// exports leave the width of the crossing rule (about 1 pt) between the borders of neighbouring
/// cells.
const JOIN_GAP: f32 = 1.5;

/// Joins collinear edges that touch or overlap (each cell border drawn separately becomes one
/// ruling line; a real gap between two edges stays a gap). Horizontal edges come first, sorted by y
/// then x; vertical ones after, sorted by x then y.
pub(crate) fn join_rules(rules: &mut Vec<Rule>) {
    let (mut horizontal, mut vertical): (Vec<Rule>, Vec<Rule>) =
        rules.drain(..).partition(Rule::is_horizontal);
    // Work on (position across, start, end) triples.
    let join = |edges: &mut Vec<(f32, f32, f32)>| -> Vec<(f32, f32, f32)> {
        edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut out: Vec<(f32, f32, f32)> = Vec::with_capacity(edges.len());
        let mut i = 0;
        while i < edges.len() {
            // One line: positions within the tolerance of the first.
            let base = edges.get(i).map(|e| e.0).unwrap_or(0.0);
            let mut j = i;
            while edges.get(j).is_some_and(|e| e.0 - base <= LINE_TOLERANCE) {
                j += 1;
            }
            let mut line: Vec<(f32, f32, f32)> = edges.get(i..j).unwrap_or_default().to_vec();
            line.sort_by(|a, b| a.1.total_cmp(&b.1));
            let mut cur: Option<(f32, f32, f32)> = None;
            for e in line {
                cur = match cur {
                    Some(c) if e.1 <= c.2 + JOIN_GAP => Some((c.0, c.1, c.2.max(e.2))),
                    Some(c) => {
                        out.push(c);
                        Some(e)
                    }
                    None => Some(e),
                };
            }
            out.extend(cur);
            i = j.max(i + 1);
        }
        out
    };
    let mut h: Vec<(f32, f32, f32)> = horizontal.drain(..).map(|r| (r.y0, r.x0, r.x1)).collect();
    let mut v: Vec<(f32, f32, f32)> = vertical.drain(..).map(|r| (r.x0, r.y0, r.y1)).collect();
    rules.extend(join(&mut h).into_iter().map(|(y, x0, x1)| Rule {
        x0,
        y0: y,
        x1,
        y1: y,
    }));
    rules.extend(join(&mut v).into_iter().map(|(x, y0, y1)| Rule {
        x0: x,
        y0,
        x1: x,
        y1,
    }));
}

fn min_max(it: impl Iterator<Item = f32>) -> (f32, f32) {
    it.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// The four corners of a closed polygon that is a box (4 points, or 5 with the first repeated).
fn as_box(pts: &[(f32, f32)]) -> Option<[(f32, f32); 4]> {
    let pts = match pts {
        [a, b, c, d, e] if (a.0 - e.0).abs() < SKEW && (a.1 - e.1).abs() < SKEW => [*a, *b, *c, *d],
        [a, b, c, d] => [*a, *b, *c, *d],
        _ => return None,
    };
    // Consecutive corners must differ in exactly one coordinate.
    let ok = (0..4).all(|i| {
        let p = pts[i];
        let q = pts[(i + 1) % 4];
        ((p.0 - q.0).abs() < SKEW) != ((p.1 - q.1).abs() < SKEW)
    });
    ok.then_some(pts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_frames() {
        let f = PageFrame::new([0.0, 0.0, 600.0, 800.0], 0);
        assert_eq!(f.to_display.apply(10.0, 790.0), (10.0, 10.0));
        let f = PageFrame::new([0.0, 0.0, 600.0, 800.0], 90);
        assert_eq!((f.width, f.height), (800.0, 600.0));
        // The original top-left corner goes to the top-right.
        assert_eq!(f.to_display.apply(0.0, 800.0), (800.0, 0.0));
        let f = PageFrame::new([0.0, 0.0, 600.0, 800.0], 270);
        assert_eq!(f.to_display.apply(0.0, 800.0), (0.0, 600.0));
        let f = PageFrame::new([0.0, 0.0, 600.0, 800.0], 180);
        assert_eq!(f.to_display.apply(0.0, 800.0), (600.0, 800.0));
    }

    #[test]
    fn thin_fill_is_one_edge_and_white_fill_none() {
        let mut p = PathBuilder::default();
        p.rect([(10.0, 10.0), (110.0, 10.0), (110.0, 10.5), (10.0, 10.5)]);
        p.paint(false, true, false);
        assert_eq!(p.rules.len(), 1);
        assert!(p.rules[0].is_horizontal());
        p.rect([(10.0, 10.0), (110.0, 10.0), (110.0, 50.0), (10.0, 50.0)]);
        p.paint(false, true, true);
        assert_eq!(p.rules.len(), 1);
        p.rect([(10.0, 10.0), (110.0, 10.0), (110.0, 50.0), (10.0, 50.0)]);
        p.paint(true, false, true);
        assert_eq!(p.rules.len(), 5);
    }

    #[test]
    fn ruling_is_not_ink_but_outlines_are() {
        let mut p = PathBuilder::default();
        p.rect([(10.0, 10.0), (110.0, 10.0), (110.0, 50.0), (10.0, 50.0)]);
        p.paint(true, false, false);
        p.rect([(0.0, 0.0), (600.0, 0.0), (600.0, 800.0), (0.0, 800.0)]);
        p.paint(false, true, true);
        assert!(!p.ink);
        p.move_to((10.0, 10.0));
        p.curve_to((20.0, 30.0));
        p.line_to((5.0, 12.0));
        p.paint(false, true, false);
        assert!(p.ink);
    }

    #[test]
    fn touching_edges_join_and_gaps_stay() {
        let h = |y: f32, x0: f32, x1: f32| Rule {
            x0,
            y0: y,
            x1,
            y1: y,
        };
        let mut rules = vec![
            h(10.0, 0.0, 50.0),
            h(10.2, 51.0, 100.0),
            h(10.0, 0.0, 50.0),
            h(10.0, 120.0, 150.0),
            h(40.0, 0.0, 150.0),
            Rule {
                x0: 5.0,
                y0: 10.0,
                x1: 5.0,
                y1: 40.0,
            },
        ];
        join_rules(&mut rules);
        assert_eq!(rules.len(), 4);
        assert_eq!((rules[0].x0, rules[0].x1), (0.0, 100.0));
        assert_eq!((rules[1].x0, rules[1].x1), (120.0, 150.0));
        assert_eq!(rules[2].y0, 40.0);
        assert!(!rules[3].is_horizontal());
    }

    #[test]
    fn a_small_curved_outline_has_no_edges_and_a_large_rounded_box_keeps_its_sides() {
        let mut p = PathBuilder::default();
        // A glyph-sized outline: straight stem and bar, one curved bowl, stroked.
        p.move_to((10.0, 10.0));
        p.line_to((10.0, 28.0));
        p.line_to((20.0, 28.0));
        p.curve_to((24.0, 20.0));
        p.line_to((10.0, 20.0));
        p.close();
        p.paint(true, false, false);
        assert!(p.rules.is_empty(), "{:?}", p.rules);
        assert!(p.ink);
        // A straight rectangle after a curved subpath in the same path keeps its edges.
        p.move_to((10.0, 10.0));
        p.curve_to((14.0, 14.0));
        p.close();
        p.rect([(100.0, 10.0), (300.0, 10.0), (300.0, 30.0), (100.0, 30.0)]);
        p.paint(true, false, false);
        assert_eq!(p.rules.len(), 4);
        // A box with rounded corners as large as a table keeps its straight sides.
        let mut p = PathBuilder::default();
        p.move_to((105.0, 100.0));
        p.line_to((395.0, 100.0));
        p.curve_to((400.0, 105.0));
        p.line_to((400.0, 195.0));
        p.curve_to((395.0, 200.0));
        p.line_to((105.0, 200.0));
        p.curve_to((100.0, 195.0));
        p.line_to((100.0, 105.0));
        p.curve_to((105.0, 100.0));
        p.paint(true, false, false);
        assert_eq!(p.rules.len(), 4);
    }

    #[test]
    fn edges_inside_a_glyph_box_are_dropped_and_rules_past_it_stay() {
        let h = |y: f32, x0: f32, x1: f32| Rule {
            x0,
            y0: y,
            x1,
            y1: y,
        };
        let v = |x: f32, y0: f32, y1: f32| Rule {
            x0: x,
            y0,
            x1: x,
            y1,
        };
        // Two glyphs, 10 pt wide and 12 pt tall, side by side.
        let boxes = [[100.0, 50.0, 110.0, 62.0], [110.0, 50.0, 120.0, 62.0]];
        let mut rules = vec![
            v(104.0, 51.0, 61.0),  // a stem inside the first glyph
            h(55.0, 111.0, 119.0), // a bar inside the second
            v(110.0, 45.0, 70.0),  // a column rule between them, longer than both
            h(63.0, 90.0, 130.0),  // a row rule under them
            h(56.0, 101.0, 119.0), // a strike through both: wider than one glyph
        ];
        drop_glyph_outlines(&mut rules, &boxes);
        assert_eq!(
            rules,
            vec![
                v(110.0, 45.0, 70.0),
                h(63.0, 90.0, 130.0),
                h(56.0, 101.0, 119.0)
            ]
        );
    }

    #[test]
    fn stroked_lines_and_clip_discard() {
        let mut p = PathBuilder::default();
        p.move_to((0.0, 0.0));
        p.line_to((0.0, 100.0));
        p.line_to((30.0, 130.0));
        p.paint(true, false, false);
        assert_eq!(p.rules.len(), 1);
        p.move_to((0.0, 0.0));
        p.line_to((50.0, 0.0));
        p.discard();
        p.paint(true, false, false);
        assert_eq!(p.rules.len(), 1);
    }
}

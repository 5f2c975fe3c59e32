//! Unruled tables (and tables ruled by rows only): lines with positioned segments → a [`CellGrid`]
//! whose columns come from x-positions.
//!
//! In: the lines of a table region (header lines first), optionally the column boundaries of the page
//! before (a continuation is read with its first page's columns). Out: a grid with one row per visual
//! row.
//!
//! How: the lines' pieces (segments split at spaces) are regrouped into visual rows (a number set a
//! little lower than its label stays in the label's row); body rows are those from the first row
//! holding a number (column numbering `1 2 3…` excepted), or from the line just above it when that
//! line is the head of a wrapped name whose tail, with the values, hangs left of it (a page whose first
//! row wraps). An amount glued to the Han text of the next
//! cell (`0.00保障…`) is split off it; amounts of neighbouring cells printed as one run
//! (`57,232,550.0039,358,500.00`) are split by the number grammar; on a line of amounts, the last
//! few characters of a name run on into the next cell (`…服务保` | `障中心` set over or before
//! the amount) are joined to the name (ruled grids too, see [`line_tails`]).
//! Column intervals are the x-ranges of the body's pieces merged where they overlap (right-aligned
//! numbers of one column overlap; labels of one column overlap at their left edge), plus the header
//! leaves that match no body column (see `unmatched_leaves`: a column blank in every row is seen
//! through its label; a label centred between lower labels is their parent, not a column);
//! boundaries sit in the middle of the gaps. Body pieces go to the column holding their centre. A
//! header cell covers the columns it covers a fair part of, widened, without crossing its
//! neighbours, while that brings the span's centre nearer to its own (a parent label is centred over
//! its children even when narrower than they are). A lone label on the first of several
//! header rows is a banner over every column (`财政拨款“三公”经费`).
//!
//! Not here: header flattening and rows. Limits: three-level headers whose middle labels sit at
//! varying heights (vertically centred in merged cells) can attach a label to the wrong parent; a
//! column blank in every body row whose label is not a leaf is not seen. Ruled grids have neither
//! limit.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::document::{Line, Rect, Segment};
use crate::normalize::is_cjk;

use super::grid::{interval_of, join_pieces, pieces, Cell, CellGrid, Piece, SNAP};
use super::unit::is_numeric;
use crate::amount::cell_number;

/// True when a line holds a number after its first segment (a body line of a table): the test of
/// [`is_body_row`] on its segments' texts, each whole.
pub(crate) fn is_body_line(line: &Line) -> bool {
    is_body_texts(line.segments().iter().map(|s| s.text.as_str()))
}

/// True when `above`, a line without values just above the first line with values (`body`), is the
/// head of a name wrapped in its cell whose tail carries the values: `body` starts within two line
/// heights below it, left of it (the wrapped line hangs at the column's left edge), and both first
/// texts end at the same right edge (within a character and a half: the name fills its column).
/// A table continued on a page whose first row wraps so starts with that row, not with a header line.
fn wrapped_head(above: &[Piece], body: &[Piece]) -> bool {
    let first = |r: &[Piece]| {
        r.iter()
            .min_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0))
            .map(|p| p.bbox)
    };
    let (Some(a), Some(b)) = (first(above), first(body)) else {
        return false;
    };
    let h = a.height().max(1.0);
    let next_line = b.y0 > a.y0 && b.y0 - a.y0 <= 2.0 * h;
    let hangs = b.x0 + 2.0 < a.x0;
    let full = (a.x1 - b.x1).abs() <= 1.5 * h && a.x1 - a.x0 >= 4.0 * h;
    next_line && hangs && full
}

/// True when pieces of one visual row hold a number that is not column numbering.
fn is_body_row(ps: &[Piece]) -> bool {
    is_body_texts(ps.iter().map(|p| p.text.as_str()))
}

/// [`is_body_row`] over texts: some text is numeric, and the numeric texts are not column numbering
/// (two or more integers counting up by one from at most 1: `1 2 3 …` is header, not body).
fn is_body_texts<'a>(texts: impl Iterator<Item = &'a str>) -> bool {
    let mut numbers = 0usize;
    let mut all_integers = true;
    let mut counting = true;
    let mut first: Option<i64> = None;
    let mut last: Option<i64> = None;
    for text in texts.filter(|t| is_numeric(t)) {
        numbers += 1;
        match cell_number(text).and_then(|d| i64::try_from(d).ok()) {
            Some(v) => {
                if last.is_some_and(|l| v != l + 1) {
                    counting = false;
                }
                first.get_or_insert(v);
                last = Some(v);
            }
            None => all_integers = false,
        }
    }
    let numbering = all_integers && numbers >= 2 && counting && first.is_some_and(|f| f <= 1);
    numbers > 0 && !numbering
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

/// Splits each segment at whitespace into pieces (each token its own piece); an amount glued to the
/// text of the next cell is split off it (see [`split_glued_amount`]); on a line of amounts, the
/// tail of a name run on into the next cell (see [`line_tails`]) is joined to the name, whose box
/// stays its own cell's.
fn line_pieces(line: &Line) -> Vec<Piece> {
    let (ps, tails) = line_tails(line, |s| {
        // Crossing "edges" everywhere: split every spaced segment into tokens.
        let edges: Vec<f32> = vec![s.bbox.x0 + SNAP * 2.0, s.bbox.x1 - SNAP * 2.0];
        pieces(s, &edges)
            .into_iter()
            .flat_map(split_glued_amounts)
            .flat_map(split_glued_amount)
            .collect()
    });
    let mut out: Vec<Piece> = Vec::with_capacity(ps.len());
    for (p, tail) in ps.into_iter().zip(tails) {
        match out.last_mut() {
            Some(prev) if tail => prev.text.push_str(&p.text),
            _ => out.push(p),
        }
    }
    out
}

/// The pieces of a line's segments (`split` makes each segment's pieces), and for each whether it
/// is the tail of a name run on into the next cell, to be joined to the piece before it: on a line
/// of amounts, the first piece of a segment (or the Han part of a segment mixing a name's tail with
/// an amount, see [`name_tail`]) that continues the name before it ([`continues_name`]) and is
/// followed by an amount (the cell it ran into is an amount's).
pub(crate) fn line_tails(
    line: &Line,
    split: impl Fn(&Segment) -> Vec<Piece>,
) -> (Vec<Piece>, Vec<bool>) {
    let body = is_body_line(line);
    let mut ps: Vec<Piece> = Vec::new();
    let mut first: Vec<Option<f32>> = Vec::new();
    for s in line.segments() {
        let continues = |t: &Piece| {
            ps.last()
                .is_some_and(|prev| continues_name(prev, t, s.size))
        };
        let tail = if body { name_tail(s) } else { None };
        let parts = match tail.filter(|(t, _)| continues(t)) {
            Some((tail, amount)) => vec![tail, amount],
            None => split(s),
        };
        for (k, p) in parts.into_iter().enumerate() {
            first.push((k == 0).then_some(s.size));
            ps.push(p);
        }
    }
    let tails = (0..ps.len())
        .map(|i| {
            let (Some(size), Some(prev), Some(next)) = (first[i], i.checked_sub(1), ps.get(i + 1))
            else {
                return false;
            };
            body && continues_name(&ps[prev], &ps[i], size) && is_numeric(&next.text)
        })
        .collect();
    (ps, tails)
}

/// True when a text is a name's tail: one to four Han characters (no punctuation, no digits).
fn is_name_tail(text: &str) -> bool {
    static TAIL: LazyLock<Regex> = LazyLock::new(|| {
        crate::patterns::bounded_regex(r"^\p{Han}{1,4}$").expect("name tail regex is valid")
    });
    TAIL.is_match(text)
}

/// True when `tail`, one to four Han characters, continues the name `prev` on its line: it starts
/// where `prev` ends (within half a character of `size`), `prev` ending in a Han character (not
/// punctuation: `其中：` | `财政拨款` are two cells). A name
/// too long for its cell runs on into the next cell so by its last few characters; cells' own
/// texts are set apart.
pub(crate) fn continues_name(prev: &Piece, tail: &Piece, size: f32) -> bool {
    let same_line = tail.bbox.y0 < prev.bbox.y1 && prev.bbox.y0 < tail.bbox.y1;
    same_line
        && is_name_tail(&tail.text)
        && (tail.bbox.x0 - prev.bbox.x1).abs() <= 0.5 * size.max(1.0)
        && prev
            .text
            .chars()
            .last()
            .is_some_and(|c| is_name_tail(c.encode_utf8(&mut [0; 4])))
}

/// A name too long for its cell printed on into the next cell, over or before that cell's amount:
/// the reader merges both into one run, the characters interleaved by x where the glyphs overlap
/// (`障中18心39311.66`) or the name's tail first (`缴费支出43608.96`). When a segment's Han
/// characters, taken in order, lead it or overlap its other characters, and those others are an
/// amount, → (the name's tail, the amount), each boxed by its own characters (estimated from
/// character widths, CJK double, without character boxes). Whether the tail continues a name is
/// the caller's ([`continues_name`]).
pub(crate) fn name_tail(s: &Segment) -> Option<(Piece, Piece)> {
    // A space anywhere: no name tail (every character has its box, so the loop below would see it).
    if s.text.contains(char::is_whitespace) {
        return None;
    }
    let text: Vec<char> = s.text.chars().collect();
    let boxes: Cow<'_, [Rect]> = if s.chars.len() == text.len() {
        Cow::Borrowed(&s.chars)
    } else {
        Cow::Owned(estimated_boxes(s, &text))
    };
    let mut name = (String::new(), Vec::<Rect>::new());
    let mut amount = (String::new(), Vec::<Rect>::new());
    let mut han_first = true;
    for (&c, b) in text.iter().zip(boxes.iter()) {
        if c.is_whitespace() {
            return None;
        }
        if is_cjk(c) {
            han_first &= amount.0.is_empty();
            name.0.push(c);
            name.1.push(*b);
        } else {
            amount.0.push(c);
            amount.1.push(*b);
        }
    }
    // Glyphs set over each other: a Han character's box overlaps an amount character's.
    let over = name.1.iter().any(|n| {
        amount
            .1
            .iter()
            .any(|a| n.x1.min(a.x1) - n.x0.max(a.x0) >= 1.0)
    });
    if !(over || han_first) || cell_number(&amount.0).is_none() {
        return None;
    }
    let union = |bs: &[Rect]| bs.iter().copied().reduce(|a, b| a.union(&b));
    let (Some(nb), Some(ab)) = (union(&name.1), union(&amount.1)) else {
        return None;
    };
    Some((
        Piece {
            text: name.0,
            bbox: nb,
        },
        Piece {
            text: amount.0,
            bbox: ab,
        },
    ))
}

/// Character boxes of a segment estimated from its box (CJK characters twice as wide).
fn estimated_boxes(s: &Segment, text: &[char]) -> Vec<Rect> {
    let total: f32 = text.iter().map(|c| char_units(*c)).sum();
    let per = s.bbox.width() / total.max(1.0);
    let mut x = s.bbox.x0;
    text.iter()
        .map(|c| {
            let w = char_units(*c) * per;
            let r = Rect {
                x0: x,
                x1: x + w,
                ..s.bbox
            };
            x += w;
            r
        })
        .collect()
}

/// One header character: a piece of a single CJK character.
fn is_single_cjk(p: &Piece) -> bool {
    let mut cs = p.text.trim().chars();
    matches!((cs.next(), cs.next()), (Some(c), None) if crate::normalize::is_cjk(c))
}

/// Letter-spaced header words (`收   入`, `项   目`): single characters of one header row set at
/// one even spacing of at most four character heights are one word, unless they stand over different
/// body columns (`类 | 款 | 项` label three code columns). `row` is sorted by x.
fn join_letter_spaced(row: &mut Vec<Piece>, body: &[(f32, f32)]) {
    let column_of = |p: &Piece| body.iter().position(|c| p.bbox.x0 < c.1 && c.0 < p.bbox.x1);
    let mut out: Vec<Piece> = Vec::with_capacity(row.len());
    let mut i = 0;
    while i < row.len() {
        let mut j = i + 1;
        if is_single_cjk(&row[i]) {
            let h = row[i].bbox.height().max(1.0);
            let first_gap = row.get(i + 1).map(|n| n.bbox.x0 - row[i].bbox.x1);
            while let (Some(n), Some(g0)) = (row.get(j), first_gap) {
                let gap = n.bbox.x0 - row[j - 1].bbox.x1;
                let same_line = (centre_y(n) - centre_y(&row[i])).abs() <= h * 0.5;
                if !(is_single_cjk(n) && same_line && gap > 0.0 && gap <= 4.0 * h)
                    || (gap - g0).abs() > h * 0.5
                {
                    break;
                }
                j += 1;
            }
            let mut cols: Vec<usize> = row[i..j].iter().filter_map(column_of).collect();
            cols.dedup();
            if j - i >= 2 && cols.len() <= 1 {
                let text: String = row[i..j].iter().map(|p| p.text.trim()).collect();
                let bbox = row[i..j]
                    .iter()
                    .map(|p| p.bbox)
                    .reduce(|a, b| a.union(&b))
                    .unwrap_or(row[i].bbox);
                out.push(Piece { text, bbox });
                i = j;
                continue;
            }
            j = i + 1;
        }
        out.extend(row[i..j].iter().cloned());
        i = j;
    }
    *row = out;
}

/// Amounts of neighbouring cells printed as one run without a gap (`57,232,550.0039,358,500.00`,
/// in tables set in a tiny font): a token with two decimal points or more that is, from its start,
/// a sequence of amounts each with two decimals (thousands grouped by commas or not grouped at all,
/// a minus sign allowed) → one piece per amount, x-ranges estimated from character counts. A real
/// number has one decimal point, so a token that is not wholly such a sequence (`1.23455.6789`) is
/// left as it is.
fn split_glued_amounts(p: Piece) -> Vec<Piece> {
    static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
        crate::patterns::bounded_regex(r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.[0-9]{2}")
            .expect("amount regex is valid")
    });
    let text = p.text.as_str();
    if text.matches('.').count() < 2 {
        return vec![p];
    }
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let Some(m) = AMOUNT.find(&text[at..]) else {
            return vec![p];
        };
        parts.push((at, at + m.end()));
        at += m.end();
    }
    let total = text.chars().count() as f32;
    let per = p.bbox.width() / total.max(1.0);
    parts
        .into_iter()
        .map(|(a, b)| {
            // Byte offsets are character offsets: the text is ASCII.
            let x0 = p.bbox.x0 + a as f32 * per;
            let x1 = p.bbox.x0 + b as f32 * per;
            Piece {
                text: text[a..b].to_string(),
                bbox: Rect { x0, x1, ..p.bbox },
            }
        })
        .collect()
}

/// An amount (two decimals) followed without a gap by Han text (`0.00打印机、办公家具…`: the last
/// money cell of a row and the first line of a paragraph in the text column right of it, which a
/// reader joined into one run) → the amount and the text as two pieces, their x-ranges estimated
/// from character widths (CJK twice as wide). Names starting with a year (`2025年度…`) are not
/// amounts: the decimals are required.
fn split_glued_amount(p: Piece) -> Vec<Piece> {
    static GLUED: LazyLock<Regex> = LazyLock::new(|| {
        crate::patterns::bounded_regex(r"^(-?\d{1,3}(?:,\d{3})*\.\d{2}|-?\d+\.\d{2})(\p{Han}.*)$")
            .expect("glued amount regex is valid")
    });
    let Some((num, rest)) = GLUED.captures(&p.text).and_then(|c| {
        Some((
            c.get(1)?.as_str().to_string(),
            c.get(2)?.as_str().to_string(),
        ))
    }) else {
        return vec![p];
    };
    let width = |s: &str| -> f32 { s.chars().map(|c| if is_cjk(c) { 2.0 } else { 1.0 }).sum() };
    let total = width(&p.text);
    if total <= 0.0 {
        return vec![p];
    }
    // The two cells' texts are set two points apart at the cut (the estimate is not exact: the
    // pieces must not touch the other column's).
    let cut = p.bbox.x0 + p.bbox.width() * width(&num) / total;
    vec![
        Piece {
            text: num,
            bbox: Rect {
                x1: cut - 1.0,
                ..p.bbox
            },
        },
        Piece {
            text: rest,
            bbox: Rect {
                x0: cut + 1.0,
                ..p.bbox
            },
        },
    ]
}

/// Width units of a label's characters: a CJK character is twice as wide as any other.
fn char_units(c: char) -> f32 {
    if crate::normalize::is_cjk(c) {
        2.0
    } else {
        1.0
    }
}

/// The next header row below `r` holding a piece that overlaps `x0..x1`, with those pieces.
fn next_under(header: &[Vec<Piece>], r: usize, x0: f32, x1: f32) -> Option<(usize, Vec<usize>)> {
    (r + 1..header.len()).find_map(|k| {
        let under: Vec<usize> = (0..header[k].len())
            .filter(|&j| {
                let q = &header[k][j].bbox;
                q.x0 < x1 - 0.5 && x0 + 0.5 < q.x1
            })
            .collect();
        (!under.is_empty()).then_some((k, under))
    })
}

/// Two labels (or up to six) of neighbouring header cells printed as one run without a gap
/// (`公务用车购置公务用车运行`, each wrapped onto a next line as `费` / `维护费`): a piece with no
/// space whose next line holds two or more pieces lying within its width, set close below it, is
/// split where each part (its characters equally wide, CJK double) is centred over one of them, as
/// the lines of one wrapped label are. A parent label is never so split: its children are not
/// centred under parts of it.
fn split_glued_labels(header: &mut [Vec<Piece>]) {
    for r in 0..header.len() {
        let mut i = 0;
        while i < header[r].len() {
            let p = header[r][i].clone();
            let parts = glued_parts(header, r, &p);
            match parts {
                Some(parts) => {
                    let n = parts.len();
                    header[r].splice(i..=i, parts);
                    i += n;
                }
                None => i += 1,
            }
        }
    }
}

/// The parts of a glued piece `p` of header row `r` (see [`split_glued_labels`]), if it is one.
fn glued_parts(header: &[Vec<Piece>], r: usize, p: &Piece) -> Option<Vec<Piece>> {
    let chars: Vec<char> = p.text.chars().collect();
    if chars.len() < 4 || chars.iter().any(|c| c.is_whitespace()) {
        return None;
    }
    let (k, under) = next_under(header, r, p.bbox.x0, p.bbox.x1)?;
    if !(2..=6).contains(&under.len()) {
        return None;
    }
    let qs: Vec<&Piece> = under.iter().map(|&j| &header[k][j]).collect();
    let h = p.bbox.height();
    let inside = qs.iter().all(|q| {
        q.bbox.x0 >= p.bbox.x0 - 1.0
            && q.bbox.x1 <= p.bbox.x1 + 1.0
            && q.bbox.y0 - p.bbox.y1 <= 0.8 * h
    });
    if !inside {
        return None;
    }
    let at = char_bounds(p, &chars);
    let per = p.bbox.width() / chars.iter().map(|c| char_units(*c)).sum::<f32>();
    let tol = (2.0 * per).max(1.5);
    let n = chars.len();
    let cuts = best_cuts(&at, &qs, tol)?;
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(n);
    Some(
        bounds
            .windows(2)
            .map(|w| Piece {
                text: chars[w[0]..w[1]].iter().collect(),
                bbox: crate::document::Rect {
                    x0: at[w[0]],
                    x1: at[w[1]],
                    ..p.bbox
                },
            })
            .collect(),
    )
}

/// The x at each character boundary of a piece (characters weighted by their width class).
fn char_bounds(p: &Piece, chars: &[char]) -> Vec<f32> {
    let total: f32 = chars.iter().map(|c| char_units(*c)).sum();
    let per = p.bbox.width() / total;
    let mut at = vec![p.bbox.x0];
    for c in chars {
        let last = at.last().copied().unwrap_or(p.bbox.x0);
        at.push(last + char_units(*c) * per);
    }
    at
}

/// Cut points (character indices) of a text whose character boundaries are at `at`, one part per
/// piece `qs` below, each part of two characters or more and centred over its piece within `tol`:
/// the cuts of least total deviation (dynamic programming over the parts).
fn best_cuts(at: &[f32], qs: &[&Piece], tol: f32) -> Option<Vec<usize>> {
    let n = at.len().saturating_sub(1);
    let m = qs.len();
    let cost = |a: usize, b: usize, q: &Piece| -> Option<f32> {
        let (x0, x1) = (at[a], at[b]);
        let d = ((x0 + x1) / 2.0 - (q.bbox.x0 + q.bbox.x1) / 2.0).abs();
        (d <= tol && q.bbox.width() <= x1 - x0 + 1.0).then_some(d)
    };
    // best_to[k][b]: the least deviation of parts 0..k ending at character b, and the cut before.
    let mut best_to: Vec<Vec<Option<(f32, usize)>>> = vec![vec![None; n + 1]; m + 1];
    best_to[0][0] = Some((0.0, 0));
    for (k, q) in qs.iter().enumerate() {
        let (done, rest) = best_to.split_at_mut(k + 1);
        let (Some(from), Some(next)) = (done.last(), rest.first_mut()) else {
            break;
        };
        for (a, start) in from.iter().enumerate().take(n) {
            let Some((base, _)) = *start else {
                continue;
            };
            // Every part two characters or more; only the last ends at the last character.
            for (b, slot) in next.iter_mut().enumerate().skip(a + 2) {
                if (k + 1 == m) != (b == n) {
                    continue;
                }
                if let Some(d) = cost(a, b, q) {
                    let total = base + d;
                    if slot.is_none_or(|(t, _)| total < t) {
                        *slot = Some((total, a));
                    }
                }
            }
        }
    }
    let mut cuts = Vec::new();
    let mut b = n;
    for k in (1..=m).rev() {
        let (_, a) = best_to[k][b]?;
        if k > 1 {
            cuts.push(a);
        }
        b = a;
    }
    cuts.reverse();
    Some(cuts)
}

/// A label wrapped over several lines of one header cell (`因公出国` over `（境）费用`) is one piece
/// before columns are found, so that its lower line is neither a leaf of its own nor hides the
/// label above from being one: a piece continued on the next header row (the next that holds any
/// piece within its width) by a single piece, hardly wider, centred under it, set close below it (line
/// spacing, not a header row's height), under no other piece of its row, and not centred between
/// the nearest pieces of its own row on either side (a middle child), takes that piece's text;
/// the same again for a third line.
fn join_wrapped_pieces(header: &mut [Vec<Piece>]) {
    for r in 0..header.len() {
        for i in 0..header[r].len() {
            let mut last = header[r][i].bbox;
            let mut row = r;
            loop {
                let p = &header[r][i];
                let Some((k, under)) = next_under(header, row, p.bbox.x0, p.bbox.x1) else {
                    break;
                };
                let [j] = under.as_slice() else { break };
                let q = &header[k][*j];
                let close = q.bbox.y0 - last.y1 <= 0.8 * last.height();
                let centred = (centre_x(q) - centre_x(p)).abs() <= 0.1 * p.bbox.width() + 1.5;
                // A next line may be a character longer (a full-width bracket pair kept whole).
                let narrower = q.bbox.width() <= 1.3 * last.width() + 1.0;
                let alone = header[row]
                    .iter()
                    .filter(|o| o.bbox.x0 < q.bbox.x1 - 0.5 && q.bbox.x0 + 0.5 < o.bbox.x1)
                    .count()
                    <= 1;
                // A label centred between the nearest labels on either side of q's row is the
                // middle child of a parent, not the rest of a wrapped label (`财政拨款` over
                // `合计 基本支出 项目支出`).
                let cq = centre_x(q);
                let left = header[k]
                    .iter()
                    .filter(|o| o.bbox.x1 <= q.bbox.x0)
                    .map(centre_x)
                    .fold(None, |m: Option<f32>, x| Some(m.map_or(x, |m| m.max(x))));
                let right = header[k]
                    .iter()
                    .filter(|o| o.bbox.x0 >= q.bbox.x1)
                    .map(centre_x)
                    .fold(None, |m: Option<f32>, x| Some(m.map_or(x, |m| m.min(x))));
                let middle = match (left, right) {
                    (Some(l), Some(r)) => ((l + r) / 2.0 - cq).abs() <= 2.0 + 0.05 * (r - l),
                    _ => false,
                };
                if !(close && centred && narrower && alone) || middle {
                    break;
                }
                let q = header[k].remove(*j);
                let p = &mut header[r][i];
                p.text.push_str(&q.text);
                p.bbox = p.bbox.union(&q.bbox);
                last = q.bbox;
                row = k;
            }
        }
    }
}

/// Header leaves (header pieces with no header piece below them) that match no body column (see
/// [`match_leaves`]; labels are centred, numbers right-aligned). The leaves left over are columns
/// of their own (a column blank in every body row).
fn unmatched_leaves(header: &[Vec<Piece>], body: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let mut leaves: Vec<&Piece> = Vec::new();
    let mut leaf_row: Vec<usize> = Vec::new();
    for (r, row) in header.iter().enumerate() {
        // A leaf has no lower header piece under it, nor lower pieces close on both sides (a
        // parent label centred between its children).
        leaves.extend(row.iter().filter(|p| {
            let lower = || header[r + 1..].iter().flatten();
            let reach = 2.0 * p.bbox.width();
            let under = lower().any(|q| q.bbox.x0 < p.bbox.x1 - 0.5 && p.bbox.x0 + 0.5 < q.bbox.x1);
            // Children are printed wholly below their parent; a label beside one that
            // reaches up into its line is a sibling set lower.
            let below = |q: &&Piece| q.bbox.y0 >= p.bbox.y1 - 0.1 * p.bbox.height();
            let left = lower()
                .filter(below)
                .any(|q| q.bbox.x1 <= p.bbox.x0 && p.bbox.x0 - q.bbox.x1 <= reach);
            let right = lower()
                .filter(below)
                .any(|q| q.bbox.x0 >= p.bbox.x1 && q.bbox.x0 - p.bbox.x1 <= reach);
            // A parent centred between the nearest labels of a lower row on either side,
            // however far (`收入` over `项目 … 预算`), with no other label of its row or of the
            // rows between in the gap between them.
            let between = (r + 1..header.len()).any(|kr| {
                let k = &header[kr];
                let ql = k
                    .iter()
                    .filter(|q| below(q) && q.bbox.x1 <= p.bbox.x0)
                    .max_by(|a, b| a.bbox.x1.total_cmp(&b.bbox.x1));
                let qr = k
                    .iter()
                    .filter(|q| below(q) && q.bbox.x0 >= p.bbox.x1)
                    .min_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
                match (ql, qr) {
                    (Some(a), Some(b)) => {
                        let mid = (centre_x(a) + centre_x(b)) / 2.0;
                        let alone = header[r..kr].iter().flatten().all(|o| {
                            std::ptr::eq(o, *p) || o.bbox.x1 <= a.bbox.x1 || o.bbox.x0 >= b.bbox.x0
                        });
                        alone
                            && (mid - centre_x(p)).abs() <= 2.0 + 0.05 * (centre_x(b) - centre_x(a))
                    }
                    _ => false,
                }
            });
            !(under || (left && right) || between)
        }));
        leaf_row.resize(leaves.len(), r);
    }
    // Each row's leaves take the body columns (a column takes one leaf per row); then every row's
    // leaves compete at once (a label vertically centred in a cell spanning several header rows
    // sits on a row of its own, beside the lower labels of its neighbours). A leaf is a column of
    // its own when it is left over row by row, or left over at once although it was within 12 pt
    // of a column (a label far from every column that loses its column to another row's label
    // names the row, not a column: `总体资金情况（万元）` beside the figures).
    let rows: Vec<Vec<usize>> = (0..header.len())
        .map(|r| (0..leaves.len()).filter(|&i| leaf_row[i] == r).collect())
        .collect();
    let by_row = match_leaves(&leaves, &rows, body);
    let at_once = match_leaves(&leaves, &[(0..leaves.len()).collect()], body);
    let gap = |p: &Piece, c: &(f32, f32)| (c.0 - p.bbox.x1).max(p.bbox.x0 - c.1).max(0.0);
    leaves
        .iter()
        .enumerate()
        .filter(|&(i, p)| !by_row[i] || (!at_once[i] && body.iter().any(|c| gap(p, c) <= 12.0)))
        .map(|(_, p)| (p.bbox.x0, p.bbox.x1))
        .collect()
}

/// Which leaves label a body column: within each group of leaves, each body column takes at most
/// one leaf, the nearest, when the gap between them is at most the larger of 12 pt and 0.8 × the
/// leaf's width; then a leaf left over takes the column whose territory (up to the middle of the
/// gaps) holds its centre when no leaf of its group has it yet (a label centred in a wide column
/// whose numbers are right-aligned far from it).
fn match_leaves(leaves: &[&Piece], groups: &[Vec<usize>], body: &[(f32, f32)]) -> Vec<bool> {
    let gap = |p: &Piece, c: &(f32, f32)| (c.0 - p.bbox.x1).max(p.bbox.x0 - c.1).max(0.0);
    let edges = boundaries(body);
    let mut done = vec![false; leaves.len()];
    for group in groups {
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for &i in group {
            for (k, c) in body.iter().enumerate() {
                let g = gap(leaves[i], c);
                if g <= (0.8 * leaves[i].bbox.width()).max(12.0) {
                    pairs.push((g, i, k));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut col_done = vec![false; body.len()];
        for (_, i, k) in pairs {
            if !done[i] && !col_done[k] {
                done[i] = true;
                col_done[k] = true;
            }
        }
        for &i in group {
            if done[i] {
                continue;
            }
            let p = leaves[i];
            if let Some(k) = interval_of(&edges, (p.bbox.x0 + p.bbox.x1) / 2.0) {
                if !col_done[k] {
                    done[i] = true;
                    col_done[k] = true;
                }
            }
        }
    }
    done
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
    let (per_line, body_start) = header_and_body(lines)?;
    let col_edges = match fixed {
        Some(f) => f.to_vec(),
        None => clustered_edges(&per_line, body_start),
    };
    if col_edges.len() < 2 {
        return None;
    }
    let row_edges = row_edges(&per_line);
    let spans = header_spans(&per_line[..body_start], &per_line[body_start..], &col_edges);
    let mut placed = Placed::default();
    for (r, ps) in per_line.iter().enumerate() {
        placed.row(r, ps, body_start, &spans, &col_edges);
    }
    join_wrapped_labels(
        &mut placed.cells,
        &mut placed.text_box,
        &per_line[..body_start],
        &spans,
        &col_edges,
    );
    let mut grid = CellGrid::new(page, col_edges, row_edges, placed.cells, false);
    grid.text_x = placed.text_x;
    grid.text_box = placed.text_box;
    grid.text_end = placed.text_end;
    Some(grid)
}

/// The visual rows of a region's lines and where the body starts: from the first row holding a
/// number, or the line above it when that is the head of a wrapped name; the header rows' letter-
/// spaced, glued and wrapped labels mended (empty header rows dropped).
fn header_and_body(lines: &[&Line]) -> Option<(Vec<Vec<Piece>>, usize)> {
    let mut per_line: Vec<Vec<Piece>> = visual_rows(lines);
    if per_line.is_empty() {
        return None;
    }
    let mut body_start = per_line
        .iter()
        .position(|r| is_body_row(r))
        .unwrap_or(per_line.len());
    if body_start > 0
        && body_start < per_line.len()
        && wrapped_head(&per_line[body_start - 1], &per_line[body_start])
    {
        body_start -= 1;
    }
    let body_iv = merge_intervals(
        per_line[body_start..]
            .iter()
            .flatten()
            .map(|p| (p.bbox.x0, p.bbox.x1))
            .collect(),
    );
    for row in &mut per_line[..body_start] {
        join_letter_spaced(row, &body_iv);
    }
    let mut header: Vec<Vec<Piece>> = per_line.drain(..body_start).collect();
    split_glued_labels(&mut header);
    join_wrapped_pieces(&mut header);
    header.retain(|r| !r.is_empty());
    let body_start = header.len();
    per_line.splice(0..0, header);
    if per_line.is_empty() {
        return None;
    }
    Some((per_line, body_start))
}

/// Column boundaries clustered from the body's pieces plus the header leaves matching no body column.
fn clustered_edges(per_line: &[Vec<Piece>], body_start: usize) -> Vec<f32> {
    let body: Vec<(f32, f32)> = per_line[body_start..]
        .iter()
        .flatten()
        .map(|p| (p.bbox.x0, p.bbox.x1))
        .collect();
    let mut iv = merge_intervals(body);
    iv.extend(unmatched_leaves(&per_line[..body_start], &iv));
    boundaries(&merge_intervals(iv))
}

/// Row boundaries: the top of the first row, the middle between rows, the bottom of the last (kept
/// non-decreasing even for odd line boxes).
fn row_edges(per_line: &[Vec<Piece>]) -> Vec<f32> {
    let extent = |ps: &[Piece]| -> Rect {
        ps.iter()
            .map(|p| p.bbox)
            .reduce(|a, b| a.union(&b))
            .unwrap_or_default()
    };
    let mut row_edges: Vec<f32> = Vec::with_capacity(per_line.len() + 1);
    let (Some(first), Some(last)) = (per_line.first(), per_line.last()) else {
        return row_edges;
    };
    row_edges.push(extent(first).y0);
    for w in per_line.windows(2) {
        row_edges.push((extent(&w[0]).y1 + extent(&w[1]).y0) / 2.0);
    }
    row_edges.push(extent(last).y1);
    for i in 1..row_edges.len() {
        if row_edges[i] < row_edges[i - 1] {
            row_edges[i] = row_edges[i - 1];
        }
    }
    row_edges
}

/// The cells of a grid being placed, row by row, with each cell's text geometry.
#[derive(Default)]
struct Placed {
    cells: Vec<Cell>,
    text_x: Vec<Option<f32>>,
    text_box: Vec<Option<Rect>>,
    text_end: Vec<Option<(f32, f32)>>,
}

impl Placed {
    fn push_empty(&mut self, r: usize, c: usize) {
        self.cells.push(empty(r, c));
        self.text_x.push(None);
        self.text_box.push(None);
        self.text_end.push(None);
    }

    /// Places the pieces of row `r`: a header piece over its span (a lone label on the first of
    /// several header rows over every column), a body piece in the column holding its centre;
    /// pieces whose columns overlap form one cell.
    fn row(
        &mut self,
        r: usize,
        ps: &[Piece],
        body_start: usize,
        spans: &[Vec<Option<(usize, usize)>>],
        col_edges: &[f32],
    ) {
        let n_cols = col_edges.len() - 1;
        let header = r < body_start;
        let banner = r == 0 && header && body_start > 1 && ps.len() == 1;
        let mut by_span: Vec<((usize, usize), Vec<&Piece>)> = Vec::new();
        for (i, p) in ps.iter().enumerate() {
            let span = if banner {
                Some((0, n_cols - 1))
            } else if header {
                spans.get(r).and_then(|row| row.get(i)).copied().flatten()
            } else {
                let cx = (p.bbox.x0 + p.bbox.x1) / 2.0;
                interval_of(col_edges, cx).map(|c| (c, c))
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
                self.push_empty(r, c);
            }
            self.text_x.push(super::grid::first_line_x(&ps));
            self.text_box
                .push(super::grid::pieces_box(ps.iter().copied()));
            self.text_end.push(super::grid::last_line_end(&ps));
            self.cells.push(Cell {
                row: r,
                col: a,
                row_span: 1,
                col_span: b - a + 1,
                text: join_pieces(ps),
            });
            next = b + 1;
        }
        for c in next..n_cols {
            self.push_empty(r, c);
        }
    }
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

/// The gap between a piece and an x-interval (0 when they overlap).
fn gap_to(p: &Piece, iv: (f32, f32)) -> f32 {
    (iv.0 - p.bbox.x1).max(p.bbox.x0 - iv.1).max(0.0)
}

fn centre_x(p: &Piece) -> f32 {
    (p.bbox.x0 + p.bbox.x1) / 2.0
}

/// The column each header piece labels directly, per header row: each column takes at most one
/// piece per row, the nearest first when the gap is at most the larger of 12 pt and 0.8 × the
/// piece's width (labels are centred, numbers right-aligned); then a piece left over takes the
/// column holding its centre when that column is still free in its row (a label centred in a wide
/// column whose numbers are short and far to the right).
fn assign_pieces(
    header: &[Vec<Piece>],
    ext: &[(f32, f32)],
    col_edges: &[f32],
) -> Vec<Vec<Option<usize>>> {
    header
        .iter()
        .map(|row| {
            let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
            for (i, p) in row.iter().enumerate() {
                for (k, iv) in ext.iter().enumerate() {
                    let g = gap_to(p, *iv);
                    if g <= (0.8 * p.bbox.width()).max(12.0) {
                        pairs.push((g, i, k));
                    }
                }
            }
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut out: Vec<Option<usize>> = vec![None; row.len()];
            let mut taken = vec![false; ext.len()];
            for (_, i, k) in pairs {
                if out[i].is_none() && !taken[k] {
                    out[i] = Some(k);
                    taken[k] = true;
                }
            }
            for (i, p) in row.iter().enumerate() {
                if out[i].is_some() {
                    continue;
                }
                if let Some(k) = interval_of(col_edges, centre_x(p)) {
                    if !taken[k] {
                        out[i] = Some(k);
                        taken[k] = true;
                    }
                }
            }
            out
        })
        .collect()
}

/// The columns each header piece spans, per header row (`None` for a piece outside the table).
///
/// Each column's anchor is its lowest label (the piece it was assigned to on the lowest header row
/// that labels it). A piece that is its column's anchor is a leaf: it spans its column, widened only
/// into neighbouring columns without any label while that brings the span's centre nearer to its own.
/// Any other piece is a parent: it spans the columns with lower labels lying under it (a quarter of
/// their width at least; when none does, the one nearest to its centre), widened while the centre of the span's
/// outer anchors comes nearer to its own (a parent is centred over its children, even when narrower
/// than they are), never into a neighbour's columns nor over a column labelled as high as itself.
fn header_spans(
    header: &[Vec<Piece>],
    body: &[Vec<Piece>],
    col_edges: &[f32],
) -> Vec<Vec<Option<(usize, usize)>>> {
    let n = col_edges.len().saturating_sub(1);
    if n == 0 {
        return header.iter().map(|r| vec![None; r.len()]).collect();
    }
    let ext = column_extents(body, col_edges);
    let assigned = assign_pieces(header, &ext, col_edges);
    let an = Anchors::new(header, &assigned, col_edges);
    // Rows from the lowest up: a parent's core takes in the spans of the labels under it.
    let mut out: Vec<Vec<Option<(usize, usize)>>> = vec![Vec::new(); header.len()];
    for r in (0..header.len()).rev() {
        let cores = row_cores(header, r, &assigned[r], &an, &out);
        let mut spans = widen_cores(&header[r], r, &cores, &an);
        adopt_adjacent_children(&header[r], r, &cores, &an, &mut spans);
        out[r] = spans;
    }
    out
}

/// Each column's extent: its body pieces, or its edges when it has none.
fn column_extents(body: &[Vec<Piece>], col_edges: &[f32]) -> Vec<(f32, f32)> {
    let n = col_edges.len().saturating_sub(1);
    let mut ext: Vec<Option<(f32, f32)>> = vec![None; n];
    for p in body.iter().flatten() {
        if let Some(c) = interval_of(col_edges, centre_x(p)) {
            let e = ext[c].get_or_insert((p.bbox.x0, p.bbox.x1));
            e.0 = e.0.min(p.bbox.x0);
            e.1 = e.1.max(p.bbox.x1);
        }
    }
    (0..n)
        .map(|c| ext[c].unwrap_or((col_edges[c], col_edges[c + 1])))
        .collect()
}

/// Each column's anchor, its lowest label: the header row and centre of that label, its x-range,
/// and where the column's cell starts at the latest (a label is centred in its cell or set at its
/// top, and a leaf's cell reaches down to the body).
struct Anchors<'a> {
    col_edges: &'a [f32],
    n: usize,
    anchor: Vec<Option<(usize, f32)>>,
    anchor_x: Vec<(f32, f32)>,
    cell_top: Vec<f32>,
}

impl<'a> Anchors<'a> {
    fn new(header: &[Vec<Piece>], assigned: &[Vec<Option<usize>>], col_edges: &'a [f32]) -> Self {
        let n = col_edges.len().saturating_sub(1);
        let mut an = Anchors {
            col_edges,
            n,
            anchor: vec![None; n],
            anchor_x: vec![(0.0, 0.0); n],
            cell_top: vec![f32::MAX; n],
        };
        let bottom = header
            .iter()
            .flatten()
            .map(|p| p.bbox.y1)
            .fold(f32::MIN, f32::max);
        for (r, row) in header.iter().enumerate() {
            for (i, p) in row.iter().enumerate() {
                if let Some(c) = assigned[r][i] {
                    an.anchor[c] = Some((r, centre_x(p)));
                    an.anchor_x[c] = (p.bbox.x0, p.bbox.x1);
                    an.cell_top[c] = (p.bbox.y0 + p.bbox.y1 - bottom).min(p.bbox.y0);
                }
            }
        }
        an
    }

    /// A column is one of a parent's children only when its cell can start below the parent (a
    /// label centred in a cell as high as the parent's row and its children's is their sibling).
    fn starts_below(&self, c: usize, p: &Piece) -> bool {
        self.cell_top[c] >= p.bbox.y1 - 0.4 * p.bbox.height()
    }

    /// A lower label is under a piece when a quarter of it at least lies within the piece's x-range.
    fn under_piece(&self, c: usize, p: &Piece) -> bool {
        let (x0, x1) = self.anchor_x[c];
        let ov = x1.min(p.bbox.x1) - x0.max(p.bbox.x0);
        ov > 0.0 && ov >= 0.25 * (x1 - x0)
    }

    /// The centre of a column's anchor (of its edges when it has no label).
    fn ax(&self, c: usize) -> f32 {
        self.anchor[c]
            .map(|(_, x)| x)
            .unwrap_or((self.col_edges[c] + self.col_edges[c + 1]) / 2.0)
    }

    /// True when column `c` is labelled below header row `r`.
    fn below(&self, c: usize, r: usize) -> bool {
        self.anchor[c].is_some_and(|(ar, _)| ar > r)
    }
}

/// Columns spanned by labels of rows below `r` that lie under `p` (a quarter of the narrower of the
/// two at least: a parent centred over a grandchild still spans its child's columns).
fn lower_spans(
    header: &[Vec<Piece>],
    out: &[Vec<Option<(usize, usize)>>],
    r: usize,
    p: &Piece,
) -> Vec<usize> {
    let mut cs = Vec::new();
    for k in r + 1..header.len() {
        for (j, q) in header[k].iter().enumerate() {
            let ov = q.bbox.x1.min(p.bbox.x1) - q.bbox.x0.max(p.bbox.x0);
            if ov <= 0.0 || ov < 0.25 * q.bbox.width().min(p.bbox.width()) {
                continue;
            }
            if let Some(Some((a, b))) = out[k].get(j).copied() {
                cs.extend(a..=b);
            }
        }
    }
    cs
}

/// Where each piece of header row `r` starts before widening, and whether it is a leaf (its
/// column's anchor); `out` holds the spans of the rows below.
fn row_cores(
    header: &[Vec<Piece>],
    r: usize,
    assigned: &[Option<usize>],
    an: &Anchors<'_>,
    out: &[Vec<Option<(usize, usize)>>],
) -> Vec<Option<((usize, usize), bool)>> {
    let n = an.n;
    let mut cores: Vec<Option<((usize, usize), bool)>> = Vec::with_capacity(header[r].len());
    for (i, p) in header[r].iter().enumerate() {
        let own = assigned[i];
        let core = match own {
            Some(c) if an.anchor[c].is_some_and(|(ar, _)| ar == r) => Some(((c, c), true)),
            _ => {
                let mut under: Vec<usize> = (0..n)
                    .filter(|&c| an.below(c, r) && an.under_piece(c, p))
                    .collect();
                if !under.is_empty() {
                    under.extend(lower_spans(header, out, r, p));
                    under.sort_unstable();
                    under.dedup();
                }
                match (under.first(), under.last()) {
                    (Some(&a), Some(&b)) => Some(((a, b), false)),
                    _ => (0..n)
                        .filter(|&c| an.below(c, r))
                        .min_by(|&a, &b| {
                            (an.ax(a) - centre_x(p))
                                .abs()
                                .total_cmp(&(an.ax(b) - centre_x(p)).abs())
                        })
                        .map(|c| ((c, c), false))
                        .or_else(|| interval_of(an.col_edges, centre_x(p)).map(|c| ((c, c), true))),
                }
            }
        };
        cores.push(core);
    }
    cores
}

/// Widens each core of header row `r` within its neighbours' cores, left to right.
fn widen_cores(
    row: &[Piece],
    r: usize,
    cores: &[Option<((usize, usize), bool)>],
    an: &Anchors<'_>,
) -> Vec<Option<(usize, usize)>> {
    let n = an.n;
    let mut order: Vec<usize> = (0..row.len()).filter(|&i| cores[i].is_some()).collect();
    order.sort_by_key(|&i| cores[i].map(|c| c.0 .0).unwrap_or(0));
    let mut spans: Vec<Option<(usize, usize)>> = vec![None; row.len()];
    let mut lo = 0;
    for (k, &i) in order.iter().enumerate() {
        let Some(((a, b), leaf)) = cores[i] else {
            continue;
        };
        let hi = order[k + 1..]
            .iter()
            .filter_map(|&j| cores[j].map(|c| c.0 .0))
            .find(|&s| s > b)
            .map(|s| s - 1)
            .unwrap_or(n - 1);
        let (a, b) = (a.max(lo).min(b), b);
        let allowed = |c: usize| {
            if leaf {
                an.anchor[c].is_none()
            } else {
                an.anchor[c].is_none_or(|(ar, _)| ar > r) && an.starts_below(c, &row[i])
            }
        };
        // A leaf is centred in its cell (column edges); a parent over its children's labels.
        let edge_centre = |c: usize| (an.col_edges[c] + an.col_edges[c + 1]) / 2.0;
        let anchor_centre = |c: usize| an.ax(c);
        let centres: &dyn Fn(usize) -> f32 = if leaf { &edge_centre } else { &anchor_centre };
        // Siblings of a parent's children: columns labelled on the same row as they are.
        let child_rows: Vec<usize> = (a..=b).filter_map(|c| an.anchor[c].map(|x| x.0)).collect();
        let sibling = |c: usize| {
            !leaf
                && an.anchor[c].is_some_and(|(ar, _)| ar > r && child_rows.contains(&ar))
                && an.starts_below(c, &row[i])
        };
        let span = widen(
            centres,
            centre_x(&row[i]),
            (a, b),
            lo,
            hi,
            &allowed,
            &sibling,
        );
        spans[i] = Some(span);
        lo = lo.max(span.1 + 1).min(n - 1);
    }
    spans
}

/// A column labelled on the row of a parent's children but under no piece of header row `r` is
/// one more child of the adjacent parent (the nearer one when two are adjacent): a parent set over
/// its first children rather than centred over all of them.
fn adopt_adjacent_children(
    row: &[Piece],
    r: usize,
    cores: &[Option<((usize, usize), bool)>],
    an: &Anchors<'_>,
    spans: &mut [Option<(usize, usize)>],
) {
    let n = an.n;
    let parents: Vec<usize> = (0..row.len())
        .filter(|&i| cores[i].is_some_and(|c| !c.1))
        .collect();
    let child_rows = |sp: (usize, usize)| -> Vec<usize> {
        (sp.0..=sp.1)
            .filter_map(|c| an.anchor[c].map(|x| x.0))
            .collect()
    };
    loop {
        let covered = |c: usize, spans: &[Option<(usize, usize)>]| {
            spans.iter().flatten().any(|s| s.0 <= c && c <= s.1)
        };
        let mut best: Option<(f32, usize, usize)> = None;
        for &i in &parents {
            let Some(sp) = spans[i] else { continue };
            let rows = child_rows(sp);
            for c in [sp.0.checked_sub(1), Some(sp.1 + 1)].into_iter().flatten() {
                if c >= n || covered(c, spans) {
                    continue;
                }
                let Some((ar, x)) = an.anchor[c] else {
                    continue;
                };
                if ar <= r || !rows.contains(&ar) || !an.starts_below(c, &row[i]) {
                    continue;
                }
                let d = (x - centre_x(&row[i])).abs();
                if best.is_none_or(|b| d < b.0) {
                    best = Some((d, i, c));
                }
            }
        }
        let Some((_, i, c)) = best else { break };
        if let Some(sp) = spans[i].as_mut() {
            *sp = (sp.0.min(c), sp.1.max(c));
        }
    }
}

/// Widens a span within `lo..=hi`, over columns `allowed`, while that brings the centre of its outer
/// anchors nearer to `cx`; or by one column on each side at once, over `sibling` columns, while the
/// centre stays where it is (a parent centred over an odd number of children, or an even number
/// of children centred like their two middle ones).
fn widen(
    ax: &dyn Fn(usize) -> f32,
    cx: f32,
    span: (usize, usize),
    lo: usize,
    hi: usize,
    allowed: &dyn Fn(usize) -> bool,
    sibling: &dyn Fn(usize) -> bool,
) -> (usize, usize) {
    let (mut a, mut b) = span;
    let centre = |a: usize, b: usize| (ax(a) + ax(b)) / 2.0;
    loop {
        let cur = (centre(a, b) - cx).abs();
        let left = (a > lo && allowed(a - 1)).then(|| (centre(a - 1, b) - cx).abs());
        let right = (b < hi && allowed(b + 1)).then(|| (centre(a, b + 1) - cx).abs());
        match (left, right) {
            (Some(l), r) if l < cur && r.is_none_or(|r| l <= r) => a -= 1,
            (_, Some(r)) if r < cur => b += 1,
            _ if a > lo && b < hi && sibling(a - 1) && sibling(b + 1) && {
                let width = ax(b + 1) - ax(a - 1);
                (centre(a - 1, b + 1) - cx).abs() <= cur + 0.05 * width + 1.0
            } =>
            {
                a -= 1;
                b += 1;
            }
            _ => break,
        }
    }
    (a, b)
}

/// A label wrapped over several lines of one header cell (`对附属单位补助支` over `出`) is one label:
/// a single-column piece continued on the next header row by a piece in the same column, no wider,
/// centred under it, and set close below it (line spacing, not a header row's height), takes the
/// upper cell's text in front of its own instead of becoming a sub-label. The joined cell's text box
/// (`boxes`, one per cell) covers both lines.
fn join_wrapped_labels(
    cells: &mut [Cell],
    boxes: &mut [Option<Rect>],
    header: &[Vec<Piece>],
    spans: &[Vec<Option<(usize, usize)>>],
    col_edges: &[f32],
) {
    for r in 0..header.len().saturating_sub(1) {
        for (i, p) in header[r].iter().enumerate() {
            let Some(Some((c, c2))) = spans[r].get(i).copied() else {
                continue;
            };
            if c != c2 {
                continue;
            }
            // The pieces of the next header row that has any piece in this column.
            let Some(r2) = (r + 1..header.len()).find(|&k| {
                (0..header[k].len()).any(|j| {
                    spans[k]
                        .get(j)
                        .copied()
                        .flatten()
                        .is_some_and(|s| s.0 <= c && c <= s.1)
                })
            }) else {
                continue;
            };
            let under: Vec<&Piece> = header[r2]
                .iter()
                .enumerate()
                .filter(|(j, _)| spans[r2].get(*j).copied().flatten() == Some((c, c)))
                .map(|(_, q)| q)
                .collect();
            let [q] = under.as_slice() else { continue };
            let alone_above = header[r]
                .iter()
                .enumerate()
                .filter(|(j, _)| {
                    spans[r]
                        .get(*j)
                        .copied()
                        .flatten()
                        .is_some_and(|s| s.0 <= c && c <= s.1)
                })
                .count()
                == 1;
            let close = q.bbox.y0 - p.bbox.y1 <= 0.8 * p.bbox.height();
            let centred = (centre_x(q) - centre_x(p)).abs() <= 0.25 * p.bbox.width() + 1.0;
            // A wrapped label stays inside its column; a wider one overflows it: a parent.
            let inside = p.bbox.width() <= col_edges[c + 1] - col_edges[c] + 2.0;
            let narrower = q.bbox.width() <= p.bbox.width() + 1.0;
            if !(alone_above && close && centred && inside && narrower) {
                continue;
            }
            let (Some(up), Some(down)) = (
                cells.iter().position(|x| x.row == r && x.col == c),
                cells.iter().position(|x| x.row == r2 && x.col == c),
            ) else {
                continue;
            };
            if cells[up].col_span != 1 || cells[down].col_span != 1 {
                continue;
            }
            // The joined label sits on the lower row, so that a third line continues it in turn.
            let head = std::mem::take(&mut cells[up].text);
            cells[down].text.insert_str(0, &head);
            if let (Some(Some(h)), Some(slot)) =
                (boxes.get_mut(up).map(Option::take), boxes.get_mut(down))
            {
                *slot = Some(slot.map_or(h, |d| d.union(&h)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tables::grid::tests::{line, seg};

    /// A segment at (x0, y0) with the given width and a height of 10.
    fn at(text: &str, x0: f32, y0: f32, w: f32) -> crate::document::Line {
        line(vec![seg(text, x0, y0, w)])
    }

    /// A segment with one character box per character, laid out from `x0` at `w` per character
    /// (boxes given explicitly by `xs` when some are set over others).
    fn seg_with_boxes(text: &str, xs: &[(f32, f32)], y0: f32) -> Segment {
        let chars: Vec<Rect> = xs
            .iter()
            .map(|&(x0, x1)| Rect {
                x0,
                y0,
                x1,
                y1: y0 + 9.0,
            })
            .collect();
        let bbox = chars
            .iter()
            .copied()
            .reduce(|a, b| a.union(&b))
            .unwrap_or_default();
        Segment {
            text: text.to_string(),
            bbox,
            font: None,
            size: 9.0,
            chars,
        }
    }

    #[test]
    fn name_run_over_the_next_amount_is_taken_out_of_it() {
        // `西安市某某服务保` fills its cell; `障中心` runs on over the amount `18.66`: the glyphs
        // interleave in one run `障中18心.66`.
        let name = seg_with_boxes(
            "某某服务保",
            &[
                (100.0, 109.0),
                (109.0, 118.0),
                (118.0, 127.0),
                (127.0, 136.0),
                (136.0, 145.0),
            ],
            10.0,
        );
        let mixed = seg_with_boxes(
            "障中18心.66",
            &[
                (145.0, 154.0),
                (154.0, 163.0),
                (158.0, 163.5),
                (163.5, 169.0),
                (163.0, 172.0),
                (169.0, 171.5),
                (171.5, 177.0),
                (177.0, 182.5),
            ],
            10.0,
        );
        let (tail, amount) = name_tail(&mixed).expect("a name's tail over an amount");
        assert_eq!(
            (tail.text.as_str(), amount.text.as_str()),
            ("障中心", "18.66")
        );
        assert_eq!((tail.bbox.x0, amount.bbox.x0), (145.0, 158.0));
        let other = seg_with_boxes(
            "7.00",
            &[
                (200.0, 205.0),
                (205.0, 207.0),
                (207.0, 212.0),
                (212.0, 217.0),
            ],
            10.0,
        );
        let l = line(vec![name.clone(), mixed.clone(), other]);
        let ps = line_pieces(&l);
        let texts: Vec<&str> = ps.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["某某服务保障中心", "18.66", "7.00"]);
        // The name keeps its own cell's box.
        assert_eq!(ps[0].bbox.x1, 145.0);
        // Apart from the name (a gap of two characters) the run is not a tail: left as it is.
        let apart = seg_with_boxes(
            "某某服务保",
            &[
                (60.0, 69.0),
                (69.0, 78.0),
                (78.0, 87.0),
                (87.0, 96.0),
                (96.0, 105.0),
            ],
            10.0,
        );
        let l = line(vec![apart, mixed]);
        let texts: Vec<String> = line_pieces(&l).into_iter().map(|p| p.text).collect();
        assert_eq!(
            texts,
            vec!["某某服务保".to_string(), "障中18心.66".to_string()]
        );
    }

    #[test]
    fn name_tail_before_an_amount_joins_the_name() {
        // `其他社会保障和就业支` fills its cell, `出` (its own run) and `缴费支出43.96` (one run
        // with the amount) run on into the amount's cell.
        let l = line(vec![
            seg("20899", 60.0, 10.0, 25.0),
            seg("其他社会保障和就业支", 100.0, 10.0, 90.0),
            seg("出", 190.0, 10.0, 9.0),
            seg("1090.22", 230.0, 10.0, 38.0),
        ]);
        let texts: Vec<String> = line_pieces(&l).into_iter().map(|p| p.text).collect();
        assert_eq!(texts, vec!["20899", "其他社会保障和就业支出", "1090.22"]);
        let l = line(vec![
            seg("机关事业单位职业年金", 100.0, 10.0, 90.0),
            seg("缴费支出43.96", 190.0, 10.0, 61.0),
            seg("43.96", 300.0, 10.0, 25.0),
        ]);
        let texts: Vec<String> = line_pieces(&l).into_iter().map(|p| p.text).collect();
        assert_eq!(
            texts,
            vec!["机关事业单位职业年金缴费支出", "43.96", "43.96"]
        );
        // A cell's own label set right after a name, not before an amount, stays apart; so does
        // a longer label (a cell's own text, not a few characters run over).
        let l = line(vec![
            seg("产出指标", 100.0, 10.0, 36.0),
            seg("数量指标", 136.0, 10.0, 36.0),
            seg("完成率", 180.0, 10.0, 27.0),
            seg("12", 220.0, 10.0, 10.0),
        ]);
        assert_eq!(line_pieces(&l).len(), 4);
        let l = line(vec![
            seg("社会调查服务", 100.0, 10.0, 54.0),
            seg("课题研究服务", 154.0, 10.0, 54.0),
            seg("16.80", 220.0, 10.0, 25.0),
        ]);
        assert_eq!(line_pieces(&l).len(), 3);
        let l = line(vec![
            seg("其中：", 100.0, 10.0, 27.0),
            seg("财政拨款", 127.0, 10.0, 36.0),
            seg("55.72", 220.0, 10.0, 25.0),
        ]);
        assert_eq!(line_pieces(&l).len(), 3);
    }

    #[test]
    fn amounts_glued_without_a_gap_are_split_by_the_number_grammar() {
        let piece = Piece {
            text: "57,232,550.0039,358,500.00-8,007,000.00".to_string(),
            bbox: Rect {
                x0: 0.0,
                y0: 0.0,
                x1: 78.0,
                y1: 4.0,
            },
        };
        let parts = split_glued_amounts(piece);
        let texts: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["57,232,550.00", "39,358,500.00", "-8,007,000.00"]
        );
        assert_eq!((parts[1].bbox.x0, parts[1].bbox.x1), (26.0, 52.0));
        // One decimal point is one number; four decimals are no sequence of two-decimal amounts.
        for t in ["39,358,500.00", "1.23455.6789", "2024.01.05"] {
            let p = Piece {
                text: t.to_string(),
                bbox: Rect::default(),
            };
            assert_eq!(split_glued_amounts(p).len(), 1, "{t}");
        }
    }

    #[test]
    fn wrapped_head_above_the_first_amounts_is_body() {
        let piece = |text: &str, x0: f32, x1: f32, y0: f32| Piece {
            text: text.to_string(),
            bbox: Rect {
                x0,
                y0,
                x1,
                y1: y0 + 10.0,
            },
        };
        // A name filling its column, its tail with the values hanging left of it on the next line.
        let head = [
            piece("某某价格监测和成本", 67.8, 167.9, 109.0),
            piece("提高应用系统的性能，", 553.8, 794.0, 109.0),
        ];
        let body = [
            piece("调查中心2026年信息化", 42.8, 167.9, 124.6),
            piece("1.76", 210.8, 230.9, 124.6),
        ];
        assert!(wrapped_head(&head, &body));
        // The last line of a wrapped header label is no name: it does not fill the column.
        assert!(!wrapped_head(&[piece("位）", 96.6, 116.6, 109.0)], &body));
        // A line two rows above is not the head either.
        let far = [piece("某某价格监测和成本", 67.8, 167.9, 90.0)];
        assert!(!wrapped_head(&far, &body));
    }

    #[test]
    fn glued_labels_split_where_their_wrapped_lines_are_centred() {
        // `车购置车运行` is two labels printed as one run; their second lines `费` and `维护费`
        // are centred under each half. The middle column is blank in the body.
        let l0 = line(vec![
            seg("小计", 50.0, 0.0, 20.0),
            seg("车购置车运行", 80.0, 0.0, 60.0),
        ]);
        let l1 = line(vec![
            seg("费", 90.0, 11.0, 10.0),
            seg("维护费", 110.0, 11.0, 30.0),
        ]);
        let l2 = line(vec![
            seg("10.00", 50.0, 30.0, 20.0),
            seg("5.00", 120.0, 30.0, 20.0),
        ]);
        let g = grid_from_lines(3, &[&l0, &l1, &l2], None).expect("grid");
        assert_eq!(g.n_cols(), 3);
        assert_eq!(g.own_text(0, 1), "车购置费");
        assert_eq!(g.own_text(0, 2), "车运行维护费");
        assert_eq!(g.own_text(1, 1), "");
        assert_eq!(g.own_text(1, 2), "5.00");
    }

    #[test]
    fn four_glued_labels_split_where_their_wrapped_lines_are_centred() {
        // Four labels of 3, 2, 3 and 2 characters printed as one run; their second lines centred
        // under each part.
        let l0 = line(vec![
            seg("合计", 20.0, 0.0, 20.0),
            seg("经营收使用对附属上年", 60.0, 0.0, 100.0),
        ]);
        let l1 = line(vec![
            seg("入", 70.0, 11.0, 10.0),
            seg("结余", 90.0, 11.0, 20.0),
            seg("缴收入", 113.0, 11.0, 25.0),
            seg("结转", 140.0, 11.0, 20.0),
        ]);
        let l2 = line(vec![
            seg("10.00", 20.0, 30.0, 20.0),
            seg("1.00", 68.0, 30.0, 14.0),
            seg("4.00", 90.0, 30.0, 20.0),
            seg("2.00", 116.0, 30.0, 20.0),
            seg("6.00", 140.0, 30.0, 20.0),
        ]);
        let g = grid_from_lines(3, &[&l0, &l1, &l2], None).expect("grid");
        let all: Vec<Vec<&str>> = (0..g.n_rows())
            .map(|r| (0..g.n_cols()).map(|c| g.own_text(r, c)).collect())
            .collect();
        assert_eq!(g.n_cols(), 5, "{all:?}");
        let heads: Vec<&str> = (1..5).map(|c| g.own_text(0, c)).collect();
        assert_eq!(
            heads,
            vec!["经营收入", "使用结余", "对附属缴收入", "上年结转"]
        );
        assert_eq!(g.own_text(1, 2), "4.00");
        assert_eq!(g.own_text(1, 4), "6.00");
    }

    #[test]
    fn a_label_centred_in_a_tall_cell_is_a_column_not_a_parent() {
        // 合计 and 会议费 are centred in cells as tall as the header; 因公出国（境）费用 (two lines)
        // is centred in a cell under the parent, beside 小计 and 接待费 set a little lower. The
        // columns of 因公出国 and 会议费 are blank; the parent spans 小计 … 接待费 only.
        let lines = [
            at("上年", 110.0, -14.0, 20.0),
            at("一般公共预算三公经费", 70.0, 0.0, 100.0),
            line(vec![
                seg("合计", 20.0, 15.0, 20.0),
                seg("因公出国", 100.0, 17.5, 40.0),
                seg("会议费", 180.0, 15.0, 30.0),
            ]),
            line(vec![
                seg("小计", 70.0, 23.0, 20.0),
                seg("接待费", 148.0, 23.0, 30.0),
            ]),
            at("（境）费用", 97.5, 30.0, 45.0),
            line(vec![
                seg("3.00", 20.0, 50.0, 20.0),
                seg("1.00", 70.0, 50.0, 20.0),
                seg("2.00", 150.0, 50.0, 20.0),
            ]),
        ];
        let refs: Vec<&crate::document::Line> = lines.iter().collect();
        let g = grid_from_lines(3, &refs, None).expect("grid");
        assert_eq!(g.n_cols(), 5);
        let body = g.n_rows() - 1;
        assert_eq!(g.own_text(body, 0), "3.00");
        assert_eq!(g.own_text(body, 2), "");
        assert_eq!(g.own_text(body, 3), "2.00");
        assert_eq!(g.own_text(body, 4), "");
        let parent = g.cell_at(1, 2).expect("parent");
        assert_eq!(
            (parent.text.as_str(), parent.col, parent.col_span),
            ("一般公共预算三公经费", 1, 3)
        );
        let wrapped = (0..g.n_rows())
            .map(|r| g.own_text(r, 2))
            .collect::<Vec<_>>();
        assert!(wrapped
            .iter()
            .any(|t| t.starts_with("因公出国") && t.ends_with("费用")));
        assert!((0..body).any(|r| g.own_text(r, 4) == "会议费"));
    }

    #[test]
    fn amount_glued_to_a_paragraph_is_split() {
        let p = Piece {
            text: "0.00保障日常工作".to_string(),
            bbox: Rect {
                x0: 100.0,
                y0: 0.0,
                x1: 180.0,
                y1: 10.0,
            },
        };
        let ps = split_glued_amount(p);
        let texts: Vec<&str> = ps.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["0.00", "保障日常工作"]);
        // 4 narrow + 6 wide characters over 80 points: the cut at 20, the pieces apart.
        assert!((ps[0].bbox.x1 - 119.0).abs() < 0.01, "{:?}", ps[0].bbox);
        assert!((ps[1].bbox.x0 - 121.0).abs() < 0.01, "{:?}", ps[1].bbox);
        // A name starting with a year, a numbered line, a bare amount: left whole.
        for t in [
            "2025年度信息化项目",
            "1.完善系统运维",
            "1,234.56",
            "12.5%以上",
        ] {
            let p = Piece {
                text: t.to_string(),
                bbox: Rect::default(),
            };
            assert_eq!(split_glued_amount(p).len(), 1, "{t}");
        }
    }

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
    fn letter_spaced_header_words_are_one_word() {
        // A summary table whose header spaces its words out: `收   入` over `项   目 | 预算数`,
        // `支   出` over `项   目 | 预算数`; the characters stand between or over body columns.
        let l0 = line(vec![
            seg("收", 230.0, 138.0, 10.0),
            seg("入", 261.0, 138.0, 10.0),
            seg("支", 570.0, 138.0, 10.0),
            seg("出", 601.0, 138.0, 10.0),
        ]);
        let l1 = line(vec![
            seg("项", 173.0, 158.0, 10.0),
            seg("目", 205.0, 158.0, 10.0),
            seg("预算数", 349.0, 158.0, 31.0),
            seg("项", 513.0, 158.0, 10.0),
            seg("目", 545.0, 158.0, 10.0),
            seg("预算数", 689.0, 158.0, 31.0),
        ]);
        let l2 = line(vec![
            seg("一、一般公共预算拨款收入", 82.0, 175.0, 108.0),
            seg("5,131.706333", 362.0, 175.0, 54.0),
            seg("一、一般公共服务支出", 422.0, 175.0, 90.0),
            seg("4,210.000000", 666.0, 175.0, 54.0),
        ]);
        let l3 = line(vec![
            seg("二、政府性基金预算拨款收入", 82.0, 190.0, 117.0),
            seg("二、外交支出", 422.0, 190.0, 54.0),
            seg("921.706333", 676.0, 190.0, 44.0),
        ]);
        let g = grid_from_lines(1, &[&l0, &l1, &l2, &l3], None).expect("grid");
        assert_eq!(
            labels(&g),
            ["收入/项目", "收入/预算数", "支出/项目", "支出/预算数"]
        );
    }

    #[test]
    fn spaced_single_characters_over_code_columns_stay_apart() {
        // 类 | 款 | 项 label three narrow code columns: not one word.
        let l0 = line(vec![
            seg("类", 50.0, 0.0, 10.0),
            seg("款", 75.0, 0.0, 10.0),
            seg("项", 100.0, 0.0, 10.0),
            seg("科目名称", 150.0, 0.0, 40.0),
            seg("合计", 300.0, 0.0, 20.0),
        ]);
        let l1 = line(vec![
            seg("201", 48.0, 20.0, 15.0),
            seg("01", 76.0, 20.0, 10.0),
            seg("01", 101.0, 20.0, 10.0),
            seg("行政运行", 150.0, 20.0, 40.0),
            seg("12.00", 300.0, 20.0, 25.0),
        ]);
        let g = grid_from_lines(1, &[&l0, &l1], None).expect("grid");
        assert_eq!(labels(&g), ["类", "款", "项", "科目名称", "合计"]);
    }

    /// The labels of a grid's header rows, flattened the way [`super::super::header::flatten`] does.
    fn labels(g: &CellGrid) -> Vec<String> {
        crate::extract::tables::header::flatten(g, "").labels
    }

    #[test]
    fn spanning_header_leaf_wrapped_label_and_close_neighbours() {
        // 功能分类科目 over 科目编码 | 科目名称; leaves 合计 … 上缴上级支出 set on the middle line of
        // a three-line header; 对附属单位补助支 / 出 wrapped over the first and last lines; labels
        // wider than the gap between their right-aligned numbers (项目支出 | 事业单位经营支出).
        let l0 = line(vec![
            seg("功能分类科目", 140.7, 120.0, 60.0),
            seg("对附属单位补助支", 633.0, 120.0, 80.0),
        ]);
        let l1 = line(vec![
            seg("合计", 330.8, 128.0, 20.0),
            seg("基本支出", 403.8, 128.0, 40.0),
            seg("项目支出", 486.9, 128.0, 40.0),
            seg("事业单位经营支出", 549.9, 128.0, 80.0),
            seg("上缴上级支出", 726.0, 128.0, 60.0),
        ]);
        let l2 = line(vec![
            seg("科目编码", 71.4, 136.0, 40.0),
            seg("科目名称", 199.9, 136.0, 40.0),
            seg("出", 668.0, 136.0, 10.0),
        ]);
        let l3 = line(vec![
            seg("201", 47.8, 152.0, 15.0),
            seg("一般公共服务支出", 146.0, 152.0, 80.0),
            seg("8,812.33", 341.9, 152.0, 40.0),
            seg("7,341.47", 425.0, 152.0, 40.0),
            seg("1,470.86", 508.0, 152.0, 40.0),
            seg("0.00", 611.1, 152.0, 20.0),
            seg("0.00", 694.2, 152.0, 20.0),
            seg("0.00", 777.2, 152.0, 20.0),
        ]);
        let lines = [&l0, &l1, &l2, &l3];
        let g = grid_from_lines(8, &lines, None).expect("grid");
        assert_eq!(
            labels(&g),
            [
                "功能分类科目/科目编码",
                "功能分类科目/科目名称",
                "合计",
                "基本支出",
                "项目支出",
                "事业单位经营支出",
                "对附属单位补助支出",
                "上缴上级支出"
            ]
        );
        assert_eq!(g.own_text(3, 4), "1,470.86");
        // The joined label's box holds both its lines.
        let joined: Vec<Rect> = (0..g.n_rows())
            .flat_map(|r| (0..g.n_cols()).map(move |c| (r, c)))
            .filter(|&(r, c)| g.own_text(r, c) == "对附属单位补助支出")
            .filter_map(|(r, c)| g.own_box(r, c))
            .collect();
        let boxes: Vec<(f32, f32, f32, f32)> =
            joined.iter().map(|b| (b.x0, b.y0, b.x1, b.y1)).collect();
        assert_eq!(boxes, vec![(633.0, 120.0, 713.0, 146.0)]);
    }

    #[test]
    fn spanning_header_leaf_parent_over_odd_and_even_children() {
        // 政府性基金预算支出 centred over 小计 | 其中：基本支出 | 项目支出 (three children: the middle
        // one right under it); 财政拨款 over 合计 | 一般公共预算 | 政府性基金预算 | 国有资本经营预算.
        let l0 = line(vec![
            seg("政府性基金预算支出", 548.7, 120.0, 90.0),
            seg("财政拨款", 165.0, 120.0, 40.0),
        ]);
        let l1 = line(vec![
            seg("合计", 39.0, 136.0, 20.0),
            seg("一般公共预算", 110.0, 136.0, 60.0),
            seg("政府性基金预算", 200.0, 136.0, 70.0),
            seg("国有资本经营预算", 291.0, 136.0, 80.0),
            seg("小计", 447.8, 136.0, 20.0),
            seg("其中：基本支出", 558.7, 136.0, 70.0),
            seg("项目支出", 709.6, 136.0, 40.0),
        ]);
        let l2 = line(vec![
            seg("1.00", 50.0, 152.0, 20.0),
            seg("1.00", 150.0, 152.0, 20.0),
            seg("0.00", 250.0, 152.0, 20.0),
            seg("0.00", 350.0, 152.0, 20.0),
            seg("0.00", 505.4, 152.0, 20.0),
            seg("0.00", 641.3, 152.0, 20.0),
            seg("0.00", 777.2, 152.0, 20.0),
        ]);
        let lines = [&l0, &l1, &l2];
        let g = grid_from_lines(18, &lines, None).expect("grid");
        assert_eq!(
            labels(&g),
            [
                "财政拨款/合计",
                "财政拨款/一般公共预算",
                "财政拨款/政府性基金预算",
                "财政拨款/国有资本经营预算",
                "政府性基金预算支出/小计",
                "政府性基金预算支出/其中：基本支出",
                "政府性基金预算支出/项目支出"
            ]
        );
    }

    #[test]
    fn spanning_header_leaf_centred_far_from_its_numbers() {
        // 收入 | 支出 over 项目 预算 | 项目 预算: each 预算 is centred in a wide column whose
        // right-aligned numbers sit far to its right; it labels that column, not a column of its own.
        let l0 = line(vec![
            seg("收入", 221.2, 160.0, 20.0),
            seg("支出", 598.8, 160.0, 20.0),
        ]);
        let l1 = line(vec![
            seg("项目", 126.8, 176.0, 20.0),
            seg("预算", 315.6, 176.0, 20.0),
            seg("项目", 504.4, 176.0, 20.0),
            seg("预算", 693.2, 176.0, 20.0),
        ]);
        let l2 = line(vec![
            seg("一、预算拨款", 47.8, 192.0, 60.0),
            seg("3,944.08", 379.6, 192.0, 40.0),
            seg("一、一般公共服务支出", 439.0, 192.0, 100.0),
            seg("2,570.71", 757.2, 192.0, 40.0),
        ]);
        let l3 = line(vec![
            seg("四、事业单位经营收入", 47.8, 208.0, 100.0),
            seg("0.00", 399.6, 208.0, 20.0),
            seg("二、外交支出", 439.0, 208.0, 60.0),
            seg("0.00", 777.2, 208.0, 20.0),
        ]);
        let lines = [&l0, &l1, &l2, &l3];
        let g = grid_from_lines(5, &lines, None).expect("grid");
        assert_eq!(
            labels(&g),
            ["收入/项目", "收入/预算", "支出/项目", "支出/预算"]
        );
        assert_eq!(g.own_text(2, 1), "3,944.08");
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

//! Content streams: a tolerant lexer and an interpreter that turns a page's drawing operators into
//! positioned glyphs and ruling edges.
//!
//! In: decoded content bytes, the resource dictionary, the page frame (display transform) and the font
//! cache. Out: [`Glyph`]s in display coordinates (visible text only; invisible text, render mode 3/7,
//! is only counted), ruling edges (see `geometry.rs`), counts of unmapped glyphs and bad tokens, and
//! whether anything at all was drawn.
//! Handles: q/Q (graphics and text state), cm, BT/ET, Tm Td TD T* ' " Tj TJ, Tc Tw Tz TL Ts Tf Tr,
//! fill colour (g rg k sc scn, roughly: only "is it white"), paths (m l c v y h re) and painting
//! (S s f F f* B B* b b* n, clips W W*), Form XObjects (Do) with their /Matrix and resources, inline
//! images (BI ID EI, skipped).
//! Not here: font decoding (`font.rs`), grouping glyphs into lines (`layout.rs`).
//! Known limits: ExtGState fonts (`gs` with /Font) and Type3 glyph procedures are not followed;
//! glyph boxes use a fixed ascent/descent (0.8 / 0.2 em).

use foldhash::{HashMap, HashMapExt};
use std::rc::Rc;

use lopdf::{Dictionary, Object, ObjectId};

use super::font::{Code, Font};
use super::geometry::{Matrix, PathBuilder};
use super::objects::{Objects, StreamError};
use crate::document::WarningCode;

/// Deepest nesting of Form XObjects.
const MAX_FORM_DEPTH: usize = 12;
/// Deepest q nesting kept.
const MAX_SAVE_DEPTH: usize = 256;
/// Deepest array/dictionary nesting in operands.
const MAX_OPERAND_DEPTH: usize = 16;
/// Most operands kept before an operator.
const MAX_OPERANDS: usize = 64;
/// Most operators executed per page (all streams and forms together).
const MAX_OPERATIONS: u64 = 20_000_000;
/// Operators interpreted between two looks at the cancellation flag.
const CANCEL_CHECK_EVERY: u64 = 4096;
/// Most fonts loaded per document.
const MAX_FONTS: usize = 10_000;
/// Most glyphs kept per page.
const MAX_GLYPHS: usize = 400_000;

/// An operand of a content-stream operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Number(f32),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Operand>),
    /// Booleans, null, dictionaries: accepted and ignored.
    Other,
}

/// A lexical item.
#[derive(Debug, PartialEq)]
pub(crate) enum Token<'a> {
    Operand(Operand),
    Operator(&'a [u8]),
    /// Something that is neither: skipped and counted.
    Bad,
}

fn is_space(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// The tolerant content lexer.
pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Lexer<'a> {
        Lexer { data, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            if is_space(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self.peek().is_some_and(|c| c != b'\n' && c != b'\r') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn regular_run(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| !is_space(c) && !is_delimiter(c))
        {
            self.pos += 1;
        }
        self.data.get(start..self.pos).unwrap_or_default()
    }

    /// The next token, `None` at the end.
    pub(crate) fn next_token(&mut self) -> Option<Token<'a>> {
        self.skip_space();
        let b = self.peek()?;
        Some(match b {
            b'[' => {
                self.pos += 1;
                match self.array(0) {
                    Some(a) => Token::Operand(Operand::Array(a)),
                    None => Token::Bad,
                }
            }
            _ => match self.operand_or_operator(0) {
                Ok(t) => t,
                Err(()) => Token::Bad,
            },
        })
    }

    /// Reads after `[` up to the matching `]` (or the end).
    fn array(&mut self, depth: usize) -> Option<Vec<Operand>> {
        if depth >= MAX_OPERAND_DEPTH {
            return None;
        }
        let mut items = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                None => return Some(items),
                Some(b']') => {
                    self.pos += 1;
                    return Some(items);
                }
                Some(b'[') => {
                    self.pos += 1;
                    items.push(Operand::Array(self.array(depth + 1)?));
                }
                Some(_) => match self.operand_or_operator(depth + 1) {
                    Ok(Token::Operand(o)) => items.push(o),
                    // An operator inside an array: the array is broken; stop it here.
                    Ok(Token::Operator(_)) => return Some(items),
                    _ => {}
                },
            }
        }
    }

    fn operand_or_operator(&mut self, depth: usize) -> Result<Token<'a>, ()> {
        let b = self.peek().ok_or(())?;
        match b {
            b'(' => {
                self.pos += 1;
                Ok(Token::Operand(Operand::Str(self.literal_string())))
            }
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                self.dictionary(depth)?;
                Ok(Token::Operand(Operand::Other))
            }
            b'<' => {
                self.pos += 1;
                Ok(Token::Operand(Operand::Str(self.hex_string())))
            }
            b'/' => {
                self.pos += 1;
                Ok(Token::Operand(Operand::Name(self.regular_run().to_vec())))
            }
            b')' | b'>' | b']' | b'{' | b'}' => {
                self.pos += 1;
                Err(())
            }
            _ => {
                let word = self.regular_run();
                if word.is_empty() {
                    self.pos += 1;
                    return Err(());
                }
                match word.first() {
                    Some(b'0'..=b'9' | b'+' | b'-' | b'.') => parse_number(word)
                        .map(|n| Token::Operand(Operand::Number(n)))
                        .ok_or(()),
                    _ => match word {
                        b"true" | b"false" | b"null" => Ok(Token::Operand(Operand::Other)),
                        _ => Ok(Token::Operator(word)),
                    },
                }
            }
        }
    }

    /// Skips a dictionary after `<<` up to the matching `>>`.
    fn dictionary(&mut self, depth: usize) -> Result<(), ()> {
        if depth >= MAX_OPERAND_DEPTH {
            return Err(());
        }
        loop {
            self.skip_space();
            match self.peek() {
                None => return Ok(()),
                Some(b'>') => {
                    self.pos += 1;
                    if self.peek() == Some(b'>') {
                        self.pos += 1;
                    }
                    return Ok(());
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.array(depth + 1).ok_or(())?;
                }
                Some(_) => match self.operand_or_operator(depth + 1) {
                    Ok(_) => {}
                    Err(()) => return Err(()),
                },
            }
        }
    }

    fn literal_string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut depth = 1u32;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        other => out.push(other),
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut half: Option<u8> = None;
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'>' {
                break;
            }
            let Some(v) = (b as char).to_digit(16) else {
                continue;
            };
            let v = v as u8;
            match half.take() {
                Some(h) => out.push(h << 4 | v),
                None => half = Some(v),
            }
        }
        if let Some(h) = half {
            out.push(h << 4);
        }
        out
    }

    /// After `BI`: skips the inline image dictionary and data through `EI`.
    pub(crate) fn skip_inline_image(&mut self) {
        // Find the `ID` keyword.
        loop {
            self.skip_space();
            if self.peek().is_none() {
                return;
            }
            let start = self.pos;
            match self.operand_or_operator(0) {
                Ok(Token::Operator(b"ID")) => break,
                Ok(_) | Err(()) => {
                    if self.pos == start {
                        self.pos += 1;
                    }
                }
            }
        }
        self.pos += 1; // the single white-space byte after ID
                       // Data runs to `EI` preceded by white space and followed by white space or the end.
        while self.pos < self.data.len() {
            let at_ei = self.data.get(self.pos..self.pos + 2) == Some(b"EI")
                && self
                    .pos
                    .checked_sub(1)
                    .and_then(|p| self.data.get(p))
                    .is_some_and(|&c| is_space(c))
                && self
                    .data
                    .get(self.pos + 2)
                    .is_none_or(|&c| is_space(c) || is_delimiter(c));
            if at_ei {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
    }
}

fn parse_number(word: &[u8]) -> Option<f32> {
    // The common forms (`-12`, `3.25`, `.5`) read directly; anything else through the float parser.
    if let Some(v) = simple_number(word) {
        return Some(v);
    }
    let s = std::str::from_utf8(word).ok()?;
    if let Ok(v) = s.parse::<f32>() {
        return v.is_finite().then_some(v);
    }
    // Writers' oddities: `--5`, `-.5` handled by parse; `5.` handled; `1-2` is bad.
    let trimmed = s.trim_start_matches(['+', '-']);
    let neg = s.starts_with('-');
    let v = trimmed.parse::<f32>().ok()?;
    let v = if neg { -v } else { v };
    v.is_finite().then_some(v)
}

/// `[+-]digits[.digits]` with at most 15 digits in all, else `None`.
fn simple_number(word: &[u8]) -> Option<f32> {
    let (neg, digits) = match word {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, word),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut int: u64 = 0;
    let mut scale: u64 = 1;
    let mut seen_point = false;
    let mut any_digit = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                int = int * 10 + u64::from(b - b'0');
                any_digit = true;
                if seen_point {
                    scale *= 10;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
    }
    if !any_digit {
        return None;
    }
    let v = (int as f64 / scale as f64) as f32;
    Some(if neg { -v } else { v })
}

/// A glyph drawn on the page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Glyph {
    pub text: String,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    /// Font size on the page (points).
    pub size: f32,
    pub font: Option<Rc<str>>,
    /// The baseline from the glyph origin to the end of its advance (display coordinates).
    pub baseline: [f32; 4],
}

impl Glyph {
    pub(crate) fn cx(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
    pub(crate) fn cy(&self) -> f32 {
        (self.y0 + self.y1) / 2.0
    }
    /// True when the glyph's baseline touches the page `w` × `h` (glyphs whose baseline lies off the
    /// page are not shown, even when part of their box reaches into it).
    pub(crate) fn on_page(&self, w: f32, h: f32) -> bool {
        let [ox, oy, ex, ey] = self.baseline;
        !(ox.max(ex) < 0.0 || ox.min(ex) > w || oy.max(ey) < 0.0 || oy.min(ey) > h)
    }
}

#[derive(Debug, Clone)]
struct State {
    ctm: Matrix,
    fill_white: bool,
    char_spacing: f32,
    word_spacing: f32,
    hscale: f32,
    leading: f32,
    font: Option<Rc<Font>>,
    size: f32,
    render: i64,
    rise: f32,
}

/// What the interpretation of a page produced.
#[derive(Debug, Default)]
pub(crate) struct PageContent {
    pub glyphs: Vec<Glyph>,
    pub path: PathBuilder,
    pub unmapped: u64,
    pub invisible: u64,
    pub bad_tokens: u64,
    /// Warnings as (code, message).
    pub warnings: Vec<(WarningCode, String)>,
}

/// Font cache shared by the pages of a document (keyed by the font dictionary's object id).
pub(crate) type FontCache = HashMap<ObjectId, Rc<Font>>;

/// Interprets the content of one page.
pub(crate) struct Interpreter<'a, 'c> {
    obj: Objects<'a>,
    fonts: &'c mut FontCache,
    state: State,
    saved: Vec<State>,
    tm: Matrix,
    tlm: Matrix,
    forms: Vec<ObjectId>,
    /// Decoded form streams of this page (a form drawn many times is decoded once).
    form_data: HashMap<ObjectId, Rc<Vec<u8>>>,
    operations: u64,
    codes: Vec<Code>,
    pub out: PageContent,
}

impl<'a, 'c> Interpreter<'a, 'c> {
    pub(crate) fn new(obj: Objects<'a>, fonts: &'c mut FontCache, to_display: Matrix) -> Self {
        Interpreter {
            obj,
            fonts,
            state: State {
                ctm: to_display,
                fill_white: false,
                char_spacing: 0.0,
                word_spacing: 0.0,
                hscale: 1.0,
                leading: 0.0,
                font: None,
                size: 0.0,
                render: 0,
                rise: 0.0,
            },
            saved: Vec::new(),
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            forms: Vec::new(),
            form_data: HashMap::new(),
            operations: 0,
            codes: Vec::new(),
            out: PageContent::default(),
        }
    }

    /// Runs one content stream with `resources`.
    pub(crate) fn run(
        &mut self,
        data: &[u8],
        resources: Option<&'a Dictionary>,
    ) -> Result<(), StreamError> {
        let mut lexer = Lexer::new(data);
        let mut operands: Vec<Operand> = Vec::new();
        while let Some(tok) = lexer.next_token() {
            match tok {
                Token::Operand(o) => {
                    if operands.len() >= MAX_OPERANDS {
                        operands.remove(0);
                    }
                    operands.push(o);
                }
                Token::Bad => self.out.bad_tokens += 1,
                Token::Operator(op) => {
                    self.operations += 1;
                    if self.operations.is_multiple_of(CANCEL_CHECK_EVERY)
                        && self.obj.cancel.is_cancelled()
                    {
                        return Err(StreamError::Cancelled);
                    }
                    if self.operations > MAX_OPERATIONS {
                        self.out.warnings.push((
                            WarningCode::OperationLimit,
                            "too many operators; rest of page skipped".to_string(),
                        ));
                        return Ok(());
                    }
                    if op == b"BI" {
                        lexer.skip_inline_image();
                        self.out.path.ink = true;
                    } else {
                        self.execute(op, &operands, resources)?;
                    }
                    operands.clear();
                }
            }
        }
        Ok(())
    }

    fn num(ops: &[Operand], i: usize) -> f32 {
        match ops.get(i) {
            Some(Operand::Number(n)) => *n,
            _ => 0.0,
        }
    }

    /// The last `n` operands as numbers, if they are all numbers.
    fn nums<const N: usize>(ops: &[Operand]) -> Option<[f32; N]> {
        let start = ops.len().checked_sub(N)?;
        let mut out = [0.0; N];
        for (slot, o) in out.iter_mut().zip(ops.get(start..)?) {
            match o {
                Operand::Number(n) => *slot = *n,
                _ => return None,
            }
        }
        Some(out)
    }

    fn point(&self, x: f32, y: f32) -> (f32, f32) {
        self.state.ctm.apply(x, y)
    }

    /// Executes one operator with its operands.
    fn execute(
        &mut self,
        op: &[u8],
        ops: &[Operand],
        resources: Option<&'a Dictionary>,
    ) -> Result<(), StreamError> {
        if self.state_operator(op, ops) || self.path_operator(op, ops) {
            return Ok(());
        }
        self.text_operator(op, ops, resources)
    }

    /// Graphics state and colour operators; false when `op` is none of them.
    fn state_operator(&mut self, op: &[u8], ops: &[Operand]) -> bool {
        match op {
            b"q" if self.saved.len() < MAX_SAVE_DEPTH => self.saved.push(self.state.clone()),
            b"Q" => {
                if let Some(s) = self.saved.pop() {
                    self.state = s;
                }
            }
            b"cm" => {
                if let Some(m) = Self::nums::<6>(ops) {
                    let m = Matrix::new(m).then(&self.state.ctm);
                    if m.is_finite() {
                        self.state.ctm = m;
                    }
                }
            }
            // Fill colour: only whether it is white matters.
            b"g" => self.state.fill_white = Self::nums::<1>(ops).is_some_and(|[g]| g >= 0.99),
            b"rg" => {
                self.state.fill_white =
                    Self::nums::<3>(ops).is_some_and(|c| c.iter().all(|v| *v >= 0.99))
            }
            b"k" => {
                self.state.fill_white =
                    Self::nums::<4>(ops).is_some_and(|c| c.iter().all(|v| *v <= 0.01))
            }
            b"sc" | b"scn" => {
                let n: Vec<f32> = ops
                    .iter()
                    .filter_map(|o| match o {
                        Operand::Number(n) => Some(*n),
                        _ => None,
                    })
                    .collect();
                self.state.fill_white = match n.len() {
                    1 | 3 => n.iter().all(|v| *v >= 0.99),
                    4 => n.iter().all(|v| *v <= 0.01),
                    _ => false,
                };
            }
            b"cs" => self.state.fill_white = false,
            _ => return false,
        }
        true
    }

    /// Path construction and painting operators; false when `op` is none of them.
    fn path_operator(&mut self, op: &[u8], ops: &[Operand]) -> bool {
        match op {
            b"m" => {
                if let Some([x, y]) = Self::nums::<2>(ops) {
                    let p = self.point(x, y);
                    self.out.path.move_to(p);
                }
            }
            b"l" => {
                if let Some([x, y]) = Self::nums::<2>(ops) {
                    let p = self.point(x, y);
                    self.out.path.line_to(p);
                }
            }
            b"c" => {
                if let Some([.., x, y]) = Self::nums::<6>(ops) {
                    let p = self.point(x, y);
                    self.out.path.curve_to(p);
                }
            }
            b"v" | b"y" => {
                if let Some([.., x, y]) = Self::nums::<4>(ops) {
                    let p = self.point(x, y);
                    self.out.path.curve_to(p);
                }
            }
            b"h" => self.out.path.close(),
            b"re" => {
                if let Some([x, y, w, h]) = Self::nums::<4>(ops) {
                    let c = [
                        self.point(x, y),
                        self.point(x + w, y),
                        self.point(x + w, y + h),
                        self.point(x, y + h),
                    ];
                    self.out.path.rect(c);
                }
            }
            b"S" => self.paint(true, false, false),
            b"s" => self.paint(true, false, true),
            b"f" | b"F" | b"f*" => self.paint(false, true, false),
            b"B" | b"B*" => self.paint(true, true, false),
            b"b" | b"b*" => self.paint(true, true, true),
            // A clip path ends with `n` (discarded: a clip is no edge) or is painted as usual.
            b"n" => self.out.path.discard(),
            b"sh" => self.out.path.ink = true,
            _ => return false,
        }
        true
    }

    /// Text operators and XObjects (every other operator is ignored).
    fn text_operator(
        &mut self,
        op: &[u8],
        ops: &[Operand],
        resources: Option<&'a Dictionary>,
    ) -> Result<(), StreamError> {
        if self.text_state_operator(op, ops, resources)?
            || self.text_position_operator(op, ops)
            || self.text_show_operator(op, ops)
        {
            return Ok(());
        }
        if op == b"Do" {
            if let Some(Operand::Name(name)) = ops.last() {
                self.do_xobject(resources, name)?;
            }
        }
        Ok(())
    }

    /// Text object and text state operators (BT ET Tc Tw Tz TL Ts Tr Tf); false when `op` is none
    /// of them.
    fn text_state_operator(
        &mut self,
        op: &[u8],
        ops: &[Operand],
        resources: Option<&'a Dictionary>,
    ) -> Result<bool, StreamError> {
        match op {
            b"BT" => {
                self.tm = Matrix::IDENTITY;
                self.tlm = Matrix::IDENTITY;
            }
            b"ET" => {}
            b"Tc" => self.state.char_spacing = Self::num(ops, 0),
            b"Tw" => self.state.word_spacing = Self::num(ops, 0),
            b"Tz" => self.state.hscale = Self::num(ops, 0) / 100.0,
            b"TL" => self.state.leading = Self::num(ops, 0),
            b"Ts" => self.state.rise = Self::num(ops, 0),
            b"Tr" => self.state.render = Self::num(ops, 0) as i64,
            b"Tf" => {
                if let [.., Operand::Name(name), Operand::Number(size)] = ops {
                    self.state.size = *size;
                    self.state.font = self.font(resources, name)?;
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Text positioning operators (Td TD Tm T*); false when `op` is none of them.
    fn text_position_operator(&mut self, op: &[u8], ops: &[Operand]) -> bool {
        match op {
            b"Td" => {
                if let Some([x, y]) = Self::nums::<2>(ops) {
                    self.next_line(x, y);
                }
            }
            b"TD" => {
                if let Some([x, y]) = Self::nums::<2>(ops) {
                    self.state.leading = -y;
                    self.next_line(x, y);
                }
            }
            b"Tm" => {
                if let Some(m) = Self::nums::<6>(ops) {
                    let m = Matrix::new(m);
                    if m.is_finite() {
                        self.tm = m;
                        self.tlm = m;
                    }
                }
            }
            b"T*" => self.next_line(0.0, -self.state.leading),
            _ => return false,
        }
        true
    }

    /// Text showing operators (Tj ' " TJ); false when `op` is none of them.
    fn text_show_operator(&mut self, op: &[u8], ops: &[Operand]) -> bool {
        match op {
            b"Tj" => {
                if let Some(Operand::Str(s)) = ops.last() {
                    self.show(s);
                }
            }
            b"'" => {
                self.next_line(0.0, -self.state.leading);
                if let Some(Operand::Str(s)) = ops.last() {
                    self.show(s);
                }
            }
            b"\"" => {
                if let [Operand::Number(aw), Operand::Number(ac), Operand::Str(s)] = ops {
                    self.state.word_spacing = *aw;
                    self.state.char_spacing = *ac;
                    self.next_line(0.0, -self.state.leading);
                    self.show(s);
                }
            }
            b"TJ" => {
                if let Some(Operand::Array(items)) = ops.last() {
                    for item in items {
                        match item {
                            Operand::Str(s) => self.show(s),
                            Operand::Number(n) => {
                                let tx = -n / 1000.0 * self.state.size * self.state.hscale;
                                self.advance(tx);
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => return false,
        }
        true
    }

    fn paint(&mut self, stroke: bool, fill: bool, close: bool) {
        if close {
            self.out.path.close();
        }
        self.out.path.paint(stroke, fill, self.state.fill_white);
    }

    fn next_line(&mut self, x: f32, y: f32) {
        self.tlm = Matrix::translate(x, y).then(&self.tlm);
        self.tm = self.tlm;
    }

    fn advance(&mut self, tx: f32) {
        if tx.is_finite() {
            self.tm = Matrix::translate(tx, 0.0).then(&self.tm);
        }
    }

    fn advance_vertical(&mut self, ty: f32) {
        if ty.is_finite() {
            self.tm = Matrix::translate(0.0, ty).then(&self.tm);
        }
    }

    fn font(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) -> Result<Option<Rc<Font>>, StreamError> {
        let obj = self.obj;
        let Some(fonts) = resources.and_then(|r| obj.dict(r, b"Font")) else {
            self.out
                .warnings
                .push((WarningCode::MissingFont, "no /Font resources".to_string()));
            return Ok(None);
        };
        let Ok(entry) = fonts.get(name) else {
            self.out.warnings.push((
                WarningCode::MissingFont,
                format!("font /{} not in resources", String::from_utf8_lossy(name)),
            ));
            return Ok(None);
        };
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        if let Some(f) = id.and_then(|id| self.fonts.get(&id)) {
            return Ok(Some(f.clone()));
        }
        let Some(dict) = obj.resolve(entry).and_then(|o| o.as_dict().ok()) else {
            self.out.warnings.push((
                WarningCode::MissingFont,
                "font is not a dictionary".to_string(),
            ));
            return Ok(None);
        };
        if self.fonts.len() >= MAX_FONTS {
            self.out.warnings.push((
                WarningCode::MissingFont,
                "too many fonts in the document".to_string(),
            ));
            return Ok(None);
        }
        let font = Rc::new(Font::load(&obj, dict)?);
        if let Some(id) = id {
            self.fonts.insert(id, font.clone());
        }
        Ok(Some(font))
    }

    fn show(&mut self, bytes: &[u8]) {
        let Some(font) = self.state.font.clone() else {
            // Text without a font: unmappable.
            self.out.unmapped += bytes.len() as u64;
            return;
        };
        let mut codes = std::mem::take(&mut self.codes);
        font.decode(&self.obj, bytes, &mut codes);
        let st = &self.state;
        let (size, hscale, rise) = (st.size, st.hscale, st.rise);
        let invisible = st.render == 3 || st.render == 7;
        let vertical = font.vertical();
        // The codes are decoded anew for the next string: each glyph takes its text over.
        for code in &mut codes {
            let trm = Matrix::new([size * hscale, 0.0, 0.0, size, 0.0, rise])
                .then(&self.tm)
                .then(&self.state.ctm);
            let w = if vertical { 1.0 } else { code.width };
            match code.text.as_mut() {
                None => self.out.unmapped += 1,
                Some(t) if t.chars().all(char::is_whitespace) => {}
                Some(t) if invisible => {
                    self.out.invisible += t.chars().count() as u64;
                }
                Some(t) => {
                    if self.out.glyphs.len() < MAX_GLYPHS {
                        let corners = [
                            trm.apply(0.0, -0.2),
                            trm.apply(w, -0.2),
                            trm.apply(0.0, 0.8),
                            trm.apply(w, 0.8),
                        ];
                        let (x0, x1) = corners
                            .iter()
                            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), p| {
                                (a.min(p.0), b.max(p.0))
                            });
                        let (y0, y1) = corners
                            .iter()
                            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), p| {
                                (a.min(p.1), b.max(p.1))
                            });
                        let glyph_size = (trm.c * trm.c + trm.d * trm.d).sqrt();
                        let (ox, oy) = trm.apply(0.0, 0.0);
                        let (ex, ey) = trm.apply(w, 0.0);
                        if [x0, x1, y0, y1, glyph_size].iter().all(|v| v.is_finite()) {
                            self.out.glyphs.push(Glyph {
                                text: std::mem::take(t),
                                x0,
                                y0,
                                x1,
                                y1,
                                size: glyph_size,
                                font: font.name.clone(),
                                baseline: [ox, oy, ex, ey],
                            });
                        }
                    }
                }
            }
            let spacing = self.state.char_spacing
                + if code.word_space {
                    self.state.word_spacing
                } else {
                    0.0
                };
            if vertical {
                self.advance_vertical(-(size + spacing));
            } else {
                self.advance((code.width * size + spacing) * hscale);
            }
        }
        self.codes = codes;
    }

    fn do_xobject(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) -> Result<(), StreamError> {
        let obj = self.obj;
        let Some(xobjects) = resources.and_then(|r| obj.dict(r, b"XObject")) else {
            return Ok(());
        };
        let Ok(entry) = xobjects.get(name) else {
            return Ok(());
        };
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        let Some(Object::Stream(stream)) = obj.resolve(entry) else {
            return Ok(());
        };
        match obj.name(&stream.dict, b"Subtype") {
            Some(b"Form") => {}
            Some(b"Image") => {
                self.out.path.ink = true;
                return Ok(());
            }
            _ => return Ok(()),
        }
        if self.forms.len() >= MAX_FORM_DEPTH || id.is_some_and(|id| self.forms.contains(&id)) {
            self.out.warnings.push((
                WarningCode::XobjectRecursion,
                "form XObject nesting too deep or cyclic".to_string(),
            ));
            return Ok(());
        }
        let cached = id.and_then(|id| self.form_data.get(&id).cloned());
        let data = match cached {
            Some(d) => d,
            None => match obj.stream_bytes(stream) {
                Ok(d) => {
                    let d = Rc::new(d);
                    if let Some(id) = id {
                        self.form_data.insert(id, d.clone());
                    }
                    d
                }
                Err(StreamError::TooLarge(l)) => return Err(StreamError::TooLarge(l)),
                Err(StreamError::Cancelled) => return Err(StreamError::Cancelled),
                Err(StreamError::Broken(m)) => {
                    self.out.warnings.push((WarningCode::StreamDecode, m));
                    return Ok(());
                }
            },
        };
        let form_resources = obj.dict(&stream.dict, b"Resources").or(resources);
        let matrix = obj
            .array(&stream.dict, b"Matrix")
            .map(|a| obj.numbers(a))
            .and_then(|v| <[f32; 6]>::try_from(v.as_slice()).ok())
            .map(Matrix::new)
            .filter(Matrix::is_finite)
            .unwrap_or(Matrix::IDENTITY);
        let saved_state = self.state.clone();
        let saved_depth = self.saved.len();
        let (tm, tlm) = (self.tm, self.tlm);
        self.state.ctm = matrix.then(&self.state.ctm);
        self.forms.push(id.unwrap_or((0, 0)));
        let result = self.run(&data, form_resources);
        self.forms.pop();
        self.saved.truncate(saved_depth);
        self.state = saved_state;
        self.tm = tm;
        self.tlm = tlm;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(data: &[u8]) -> Vec<Token<'_>> {
        let mut l = Lexer::new(data);
        std::iter::from_fn(|| l.next_token()).collect()
    }

    #[test]
    fn lexer_reads_operands_and_operators() {
        let t = tokens(b"BT /F1 12 Tf (a\\(b\\)) Tj [<0102> -250 (c)] TJ ET");
        assert_eq!(t[0], Token::Operator(b"BT"));
        assert_eq!(t[1], Token::Operand(Operand::Name(b"F1".to_vec())));
        assert_eq!(t[2], Token::Operand(Operand::Number(12.0)));
        assert_eq!(t[4], Token::Operand(Operand::Str(b"a(b)".to_vec())));
        assert_eq!(
            t[6],
            Token::Operand(Operand::Array(vec![
                Operand::Str(vec![1, 2]),
                Operand::Number(-250.0),
                Operand::Str(b"c".to_vec()),
            ]))
        );
    }

    #[test]
    fn lexer_recovers_after_a_bad_token() {
        let t = tokens(b"1 2 m ) 1.2.3 } 3 4 l S");
        let bad = t.iter().filter(|t| **t == Token::Bad).count();
        assert_eq!(bad, 3);
        assert!(t.contains(&Token::Operator(b"l")));
        assert_eq!(t.last(), Some(&Token::Operator(b"S")));
    }

    #[test]
    fn numbers() {
        for (text, v) in [
            ("12", 12.0),
            ("-3.25", -3.25),
            (".5", 0.5),
            ("5.", 5.0),
            ("+7", 7.0),
            ("--4", -4.0),
            ("1e3", 1000.0),
            ("0.000123", 0.000123),
        ] {
            assert_eq!(parse_number(text.as_bytes()), Some(v), "{text}");
        }
        assert_eq!(parse_number(b"1.2.3"), None);
        assert_eq!(parse_number(b"-"), None);
        assert_eq!(parse_number(b"."), None);
    }

    #[test]
    fn inline_image_is_skipped() {
        let mut l = Lexer::new(b"BI /W 2 /H 2 ID \x00EI\xffZ EI Q");
        assert_eq!(l.next_token(), Some(Token::Operator(b"BI")));
        l.skip_inline_image();
        assert_eq!(l.next_token(), Some(Token::Operator(b"Q")));
    }

    #[test]
    fn octal_and_line_continuation_in_strings() {
        let t = tokens(b"(\\101\\\nB\\5) Tj");
        assert_eq!(t[0], Token::Operand(Operand::Str(vec![b'A', b'B', 5])));
    }
}

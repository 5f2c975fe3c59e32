//! Character and line normalisation for matching, keeping the raw text beside it.
//!
//! In: raw text of a line or a glyph. Out: text in which full-width digits, Latin letters and the
//! symbols `（）％．＋－：` are half-width, Kangxi and CJK-radical code points are the unified
//! ideographs they stand for (⼀ → 一, ⻔ → 门), and whitespace is gone except a single space between
//! two ASCII alphanumerics (so `2.35 2.35` stays two numbers while `4207.52 万元` becomes `4207.52万元`).
//!
//! Chinese punctuation other than the above (`，。；、：“”`) is kept: patterns are written against it.
//! Not here: joining lines into paragraphs (see [`crate::segment`]).

use std::borrow::Cow;

use unicode_normalization::char::decompose_compatible;

/// Maps one character to its matching form.
#[inline]
pub fn fold_char(c: char) -> char {
    let u = c as u32;
    // Every folded character lies at or above the CJK radicals (most text lies below).
    if u < 0x2E80 {
        return c;
    }
    match u {
        // Full-width ASCII digits and letters.
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => {
            char::from_u32(u - 0xFEE0).unwrap_or(c)
        }
        0xFF08 => '(',
        0xFF09 => ')',
        0xFF05 => '%',
        0xFF0E => '.',
        0xFF0B => '+',
        0xFF0D => '-',
        0xFF1A => '：',
        0x3000 => ' ',
        // Kangxi radicals: their compatibility decomposition is the unified ideograph.
        0x2F00..=0x2FD5 => single_compat(c).unwrap_or(c),
        // CJK radicals supplement: NFKC maps only two; the common simplified forms are listed.
        0x2E80..=0x2EF3 => radical_supplement(c).unwrap_or(c),
        // CJK compatibility ideographs (F900-FAFF) decompose canonically to unified ones.
        0xF900..=0xFAFF => single_compat(c).unwrap_or(c),
        _ => c,
    }
}

fn single_compat(c: char) -> Option<char> {
    let mut out = None;
    let mut n = 0;
    decompose_compatible(c, |d| {
        n += 1;
        out = Some(d);
    });
    if n == 1 {
        out
    } else {
        None
    }
}

/// The CJK Radicals Supplement code points that fonts in government reports map glyphs to, and the
/// ideographs they stand for.
fn radical_supplement(c: char) -> Option<char> {
    let m = match c {
        '\u{2E84}' => '乙',
        '\u{2E85}' => '亻',
        '\u{2E86}' => '冂',
        '\u{2E87}' => '几',
        '\u{2E88}' => '刀',
        '\u{2E89}' => '刂',
        '\u{2E8A}' => '卜',
        '\u{2E8B}' => '㔾',
        '\u{2E8C}' => '小',
        '\u{2E8D}' => '小',
        '\u{2E8E}' => '兀',
        '\u{2E8F}' => '尢',
        '\u{2E90}' => '尢',
        '\u{2E92}' => '巳',
        '\u{2E93}' => '幺',
        '\u{2E94}' => '彑',
        '\u{2E95}' => '彐',
        '\u{2E96}' => '忄',
        '\u{2E97}' => '㣺',
        '\u{2E98}' => '扌',
        '\u{2E99}' => '攵',
        '\u{2E9B}' => '旡',
        '\u{2E9D}' => '月',
        '\u{2E9F}' => '母',
        '\u{2EA0}' => '民',
        '\u{2EA1}' => '氵',
        '\u{2EA2}' => '氺',
        '\u{2EA3}' => '灬',
        '\u{2EA4}' => '爫',
        '\u{2EA6}' => '丬',
        '\u{2EA7}' => '牛',
        '\u{2EA8}' => '犭',
        '\u{2EA9}' => '王',
        '\u{2EAA}' => '疋',
        '\u{2EAB}' => '罒',
        '\u{2EAC}' => '示',
        '\u{2EAD}' => '礻',
        '\u{2EAE}' => '竹',
        '\u{2EAF}' => '糹',
        '\u{2EB0}' => '纟',
        '\u{2EB2}' => '罒',
        '\u{2EB3}' => '罒',
        '\u{2EB7}' => '羊',
        '\u{2EB9}' => '耂',
        '\u{2EBB}' => '聿',
        '\u{2EBC}' => '月',
        '\u{2EBE}' => '艹',
        '\u{2EBF}' => '艹',
        '\u{2EC0}' => '艹',
        '\u{2EC1}' => '虎',
        '\u{2EC2}' => '衤',
        '\u{2EC3}' => '覀',
        '\u{2EC4}' => '西',
        '\u{2EC5}' => '见',
        '\u{2EC6}' => '角',
        '\u{2EC8}' => '讠',
        '\u{2EC9}' => '贝',
        '\u{2ECA}' => '足',
        '\u{2ECB}' => '车',
        '\u{2ECC}' => '辶',
        '\u{2ECD}' => '辶',
        '\u{2ECF}' => '阝',
        '\u{2ED0}' => '钅',
        '\u{2ED1}' => '长',
        '\u{2ED2}' => '镸',
        '\u{2ED3}' => '长',
        '\u{2ED4}' => '门',
        '\u{2ED6}' => '阝',
        '\u{2ED7}' => '雨',
        '\u{2ED8}' => '青',
        '\u{2ED9}' => '韦',
        '\u{2EDA}' => '页',
        '\u{2EDB}' => '风',
        '\u{2EDC}' => '飞',
        '\u{2EDD}' => '食',
        '\u{2EDF}' => '飠',
        '\u{2EE0}' => '饣',
        '\u{2EE2}' => '马',
        '\u{2EE3}' => '骨',
        '\u{2EE4}' => '鬼',
        '\u{2EE5}' => '鱼',
        '\u{2EE6}' => '鸟',
        '\u{2EE7}' => '卤',
        '\u{2EE8}' => '麦',
        '\u{2EE9}' => '黄',
        '\u{2EEA}' => '黾',
        '\u{2EEB}' => '斉',
        '\u{2EEC}' => '齐',
        '\u{2EED}' => '歯',
        '\u{2EEE}' => '齿',
        '\u{2EEF}' => '竜',
        '\u{2EF0}' => '龙',
        '\u{2EF1}' => '龜',
        '\u{2EF2}' => '亀',
        '\u{2EF3}' => '龟',
        _ => return None,
    };
    Some(m)
}

/// True for characters that are CJK ideographs or CJK punctuation (never separated by spaces).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF | 0x20000..=0x3134F | 0x2000..=0x206F)
}

fn is_ascii_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '%'
}

/// Normalises a line for matching: folds characters and removes whitespace except one space between
/// two ASCII alphanumerics (`%` counts as alphanumeric on the left: `100% 20` stays two tokens).
///
/// ```
/// use yujuesuan::normalize::normalize_line;
/// assert_eq!(normalize_line("2020 年度支出总计 4207.52 万元"), "2020年度支出总计4207.52万元");
/// assert_eq!(normalize_line("（一）增长１２％"), "(一)增长12%");
/// assert_eq!(normalize_line("2.35 2.35 100% 20"), "2.35 2.35 100% 20");
/// ```
pub fn normalize_line(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars().map(fold_char) {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            if let Some(prev) = out.chars().next_back() {
                if is_ascii_word(prev) && c.is_ascii_alphanumeric() {
                    out.push(' ');
                }
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// True when `text` is its own normalised form ([`normalize_line`] would return it unchanged): no
/// whitespace, no character that folds.
pub fn is_normal(text: &str) -> bool {
    text.chars()
        .all(|c| !c.is_whitespace() && fold_char(c) == c)
}

/// [`normalize_line`], borrowing `raw` when it is already normal ([`is_normal`]).
pub fn normalized(raw: &str) -> Cow<'_, str> {
    if is_normal(raw) {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(normalize_line(raw))
    }
}

/// Text that can be matched in its normalised form ([`normalize_line`]): a [`Line`](crate::document::Line)
/// lends the form it computed when it was built; a string is normalised on the spot. Functions that
/// match a line or a piece of text take `&impl MatchForm` so a line is never normalised twice.
pub trait MatchForm {
    /// The text in matching form.
    fn match_form(&self) -> Cow<'_, str>;
}

impl MatchForm for str {
    fn match_form(&self) -> Cow<'_, str> {
        normalized(self)
    }
}

impl MatchForm for String {
    fn match_form(&self) -> Cow<'_, str> {
        normalized(self)
    }
}

impl MatchForm for crate::document::Line {
    fn match_form(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.normalized())
    }
}

/// [`normalize_line`] with, for each character of the result, the index of the character of `raw`
/// it comes from (None for a space the normalisation writes between two ASCII words).
pub fn normalized_sources(raw: &str) -> (String, Vec<Option<usize>>) {
    let mut out = String::with_capacity(raw.len());
    let mut sources = Vec::with_capacity(raw.len());
    let mut pending_space = false;
    for (i, c) in raw.chars().map(fold_char).enumerate() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            if let Some(prev) = out.chars().next_back() {
                if is_ascii_word(prev) && c.is_ascii_alphanumeric() {
                    out.push(' ');
                    sources.push(None);
                }
            }
            pending_space = false;
        }
        out.push(c);
        sources.push(Some(i));
    }
    (out, sources)
}

/// Appends the normalised `next` line to `acc`, re-joining a hard-wrapped paragraph: no separator,
/// except one space where both sides are ASCII alphanumerics (two numbers must stay two numbers).
pub fn join_wrapped(acc: &mut String, next: &str) {
    if let (Some(prev), Some(first)) = (acc.chars().next_back(), next.chars().next()) {
        if is_ascii_word(prev) && first.is_ascii_alphanumeric() {
            acc.push(' ');
        }
    }
    acc.push_str(next);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_radicals() {
        let cases = [
            ("１９６３", "1963"),
            ("（一）财政拨款", "(一)财政拨款"),
            ("⼀般公共预算", "一般公共预算"),
            ("⻔户", "门户"),
            ("增长１２％", "增长12%"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_line(raw), want, "{raw}");
        }
    }

    #[test]
    fn normalized_sources_agree_with_normalize_line() {
        for raw in [
            "2020 年度收入总计 4193.92万元",
            "  人 力 资 源 ",
            "2.35 2.35 100% 20",
            "（一）１２",
        ] {
            let (text, sources) = normalized_sources(raw);
            assert_eq!(text, normalize_line(raw), "{raw}");
            assert_eq!(text.chars().count(), sources.len(), "{raw}");
            let drawn: Vec<char> = raw.chars().map(fold_char).collect();
            for (c, s) in text.chars().zip(&sources) {
                match s {
                    Some(i) => assert_eq!(drawn[*i], c, "{raw}"),
                    None => assert_eq!(c, ' ', "{raw}"),
                }
            }
        }
        let (_, sources) = normalized_sources("收入 １２");
        assert_eq!(sources, vec![Some(0), Some(1), Some(3), Some(4)]);
    }

    #[test]
    fn removes_spaces_but_keeps_number_boundaries() {
        let cases = [
            (
                "2020 年度收入总计 4193.92万元",
                "2020年度收入总计4193.92万元",
            ),
            ("支出总计 4207.52 万元。", "支出总计4207.52万元。"),
            ("2.35 2.35 100% 20", "2.35 2.35 100% 20"),
            ("  人 力 资 源 ", "人力资源"),
            ("38 人(其中", "38人(其中"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_line(raw), want, "{raw}");
        }
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for raw in [
            "2020 年度收入总计 4193.92万元",
            "  人 力 资 源 ",
            "2.35 2.35 100% 20",
            "（一）１２ ⼀般公共预算 ⻔户",
            "a\u{3000}b\u{a0}1 2",
        ] {
            let once = normalize_line(raw);
            assert_eq!(normalize_line(&once), once, "{raw}");
        }
    }

    #[test]
    fn a_line_carries_its_matching_form() {
        use crate::document::Line;
        let line = Line::plain("（一）⼀般公共预算 １２ ３４ 万元");
        assert_eq!(line.normalized(), "(一)一般公共预算12 34万元");
        assert_eq!(line.normalized(), normalize_line(line.text()));
        assert!(matches!(
            line.match_form(),
            Cow::Borrowed("(一)一般公共预算12 34万元")
        ));
        let text: &str = line.text();
        assert_eq!(text.match_form(), line.match_form());
        assert_eq!(line.text().match_form(), line.match_form());
    }

    #[test]
    fn joins_wrapped_lines() {
        let mut acc = normalize_line("2020年度收入合计 4193.92 万元。其中：财政拨款收入");
        join_wrapped(&mut acc, &normalize_line("4193.92万元，占本年收入 100%。"));
        assert_eq!(
            acc,
            "2020年度收入合计4193.92万元。其中：财政拨款收入4193.92万元，占本年收入100%。"
        );
        let mut acc = String::from("2.35");
        join_wrapped(&mut acc, "100%");
        assert_eq!(acc, "2.35 100%");
    }
}

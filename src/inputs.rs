//! Which input files a run takes: globs (`--glob`, `--exclude`) and lists of paths (`--files-from`,
//! `-`, NUL-separated with `-0`).
//!
//! In: glob patterns and the text of path lists. Out: compiled [`Glob`]s, a [`Selection`] that decides
//! per path, and the paths of a list. A glob has `*` (any run of characters but `/`), `?` (one
//! character but `/`), `**` (any run, `/` included; `**/` also matches nothing) and `[abc]` / `[!abc]`
//! classes; a glob without `/` is matched against the file name, one with `/` against the whole path
//! (below the walked folder for files found in folders). A list has one path per line; blank lines and
//! lines starting with `#` are skipped; with `-0` entries are separated by NUL and taken as they are.
//!
//! Not here: walking folders or reading files (see `pipeline.rs`).

use std::path::Path;

use regex::Regex;

/// One compiled glob.
#[derive(Debug, Clone)]
pub struct Glob {
    pub pattern: String,
    regex: Regex,
    whole_path: bool,
}

impl Glob {
    /// Compiles a glob; an unclosed `[` is an error.
    pub fn new(pattern: &str) -> Result<Glob, String> {
        let mut re = String::from("^");
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    if chars.get(i + 2) == Some(&'/') {
                        re.push_str("(?:.*/)?");
                        i += 3;
                    } else {
                        re.push_str(".*");
                        i += 2;
                    }
                    continue;
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                '[' => {
                    let Some(end) = chars[i + 1..].iter().position(|&x| x == ']') else {
                        return Err(format!("glob {pattern:?}: unclosed ["));
                    };
                    let body: String = chars[i + 1..i + 1 + end].iter().collect();
                    let body = match body.strip_prefix('!') {
                        Some(rest) => format!("^{}", rest.replace('\\', "\\\\")),
                        None => body.replace('\\', "\\\\"),
                    };
                    re.push('[');
                    re.push_str(&body);
                    re.push(']');
                    i += end + 2;
                    continue;
                }
                _ => re.push_str(&regex::escape(&c.to_string())),
            }
            i += 1;
        }
        re.push('$');
        let regex = Regex::new(&re).map_err(|e| format!("glob {pattern:?}: {e}"))?;
        Ok(Glob {
            pattern: pattern.to_string(),
            regex,
            whole_path: pattern.contains('/'),
        })
    }

    /// True when `path` (relative to the walked folder, or as given) matches.
    pub fn matches(&self, path: &Path) -> bool {
        let text = path.to_string_lossy().replace('\\', "/");
        if self.whole_path {
            let text = text.strip_prefix("./").unwrap_or(&text);
            self.regex.is_match(text)
        } else {
            let name = text.rsplit('/').next().unwrap_or(&text);
            self.regex.is_match(name)
        }
    }
}

/// The selection flags of a run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Files of walked folders to take (empty: `*.pdf` and `*.txt`, any case).
    pub globs: Vec<Glob>,
    /// Inputs to leave out, wherever they come from.
    pub excludes: Vec<Glob>,
    /// Lists are NUL-separated.
    pub null_separated: bool,
}

impl Selection {
    /// Whether a file found in a folder walk is taken; `relative` is its path below the folder.
    pub fn takes_walked(&self, relative: &Path) -> bool {
        let wanted = if self.globs.is_empty() {
            relative
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("txt"))
        } else {
            self.globs.iter().any(|g| g.matches(relative))
        };
        wanted && !self.excluded(relative)
    }

    /// Whether an input is left out by `--exclude`.
    pub fn excluded(&self, path: &Path) -> bool {
        self.excludes.iter().any(|g| g.matches(path))
    }

    /// The paths of a list's text.
    pub fn list_entries<'a>(&self, text: &'a str) -> Vec<&'a str> {
        if self.null_separated {
            text.split('\0').filter(|e| !e.is_empty()).collect()
        } else {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(p: &str) -> Glob {
        Glob::new(p).expect("valid glob")
    }

    #[test]
    fn globs_match_names_or_whole_paths() {
        assert!(g("*.pdf").matches(Path::new("a/b/2024-决算.pdf")));
        assert!(!g("*.pdf").matches(Path::new("a/b/x.txt")));
        assert!(g("*决算*").matches(Path::new("deep/x/2024年部门决算.PDF")));
        assert!(g("w?.pdf").matches(Path::new("w1.pdf")));
        assert!(!g("w?.pdf").matches(Path::new("w12.pdf")));
        assert!(g("[!x]*.pdf").matches(Path::new("a.pdf")));
        assert!(!g("[!x]*.pdf").matches(Path::new("x.pdf")));
        assert!(g("2024/**/*.pdf").matches(Path::new("2024/a/b/c.pdf")));
        assert!(g("2024/**/*.pdf").matches(Path::new("2024/c.pdf")));
        assert!(!g("2024/*.pdf").matches(Path::new("2024/a/c.pdf")));
        assert!(g("a+b(1).pdf").matches(Path::new("a+b(1).pdf")));
        assert!(Glob::new("[abc").is_err());
    }

    #[test]
    fn lists_skip_comments_and_blank_lines_unless_nul_separated() {
        let sel = Selection::default();
        assert_eq!(
            sel.list_entries("# harvest of today\na.pdf\n\n  b.txt  \n#c.pdf\n"),
            ["a.pdf", "b.txt"]
        );
        let nul = Selection {
            null_separated: true,
            ..Selection::default()
        };
        assert_eq!(
            nul.list_entries("a b.pdf\0#c.pdf\0new\nline.pdf\0"),
            ["a b.pdf", "#c.pdf", "new\nline.pdf"]
        );
    }

    #[test]
    fn walked_files_default_to_pdf_and_txt_and_excludes_win() {
        let sel = Selection {
            excludes: vec![g("*draft*")],
            ..Selection::default()
        };
        assert!(sel.takes_walked(Path::new("x/a.PDF")));
        assert!(!sel.takes_walked(Path::new("x/a.docx")));
        assert!(!sel.takes_walked(Path::new("x/a-draft.pdf")));
        let only = Selection {
            globs: vec![g("*.txt")],
            ..Selection::default()
        };
        assert!(!only.takes_walked(Path::new("a.pdf")));
        assert!(only.takes_walked(Path::new("a.txt")));
    }
}

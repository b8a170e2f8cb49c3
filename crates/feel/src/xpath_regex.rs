//! XML Schema / XPath regular expressions (as FEEL's `matches`, `replace`
//! and `split` define them) translated to the `regex` crate's syntax.

use regex::{Regex, RegexBuilder};

/// Compiles an XPath pattern with XPath flags (`s`, `m`, `i`, `x`, `q`).
/// `None` for invalid patterns or flags, and for constructs the `regex`
/// crate cannot run (back-references).
pub fn compile(pattern: &str, flags: &str) -> Option<Regex> {
    match compile_matcher(pattern, flags, false)? {
        Matcher::Plain(re) => Some(re),
        Matcher::Fancy(_) => None,
    }
}

/// A compiled pattern for `matches`: back-references need a backtracking
/// engine (`fancy-regex`); everything else runs on `regex`.
pub enum Matcher {
    /// A pattern without back-references.
    Plain(Regex),
    /// A pattern with back-references (`(a)\1`).
    Fancy(fancy_regex::Regex),
}

impl Matcher {
    /// Whether the pattern matches somewhere in `s`; `None` when the
    /// backtracking engine gives up.
    pub fn is_match(&self, s: &str) -> Option<bool> {
        match self {
            Matcher::Plain(re) => Some(re.is_match(s)),
            Matcher::Fancy(re) => re.is_match(s).ok(),
        }
    }
}

/// Compiles an XPath pattern, allowing back-references when
/// `back_references` is set.
pub fn compile_matcher(pattern: &str, flags: &str, back_references: bool) -> Option<Matcher> {
    let mut b_dot_all = false;
    let mut multi_line = false;
    let mut case_insensitive = false;
    let mut extended = false;
    let mut literal = false;
    for f in flags.chars() {
        match f {
            's' => b_dot_all = true,
            'm' => multi_line = true,
            'i' => case_insensitive = true,
            'x' => extended = true,
            'q' => literal = true,
            _ => return None,
        }
    }
    let mut has_back_references = false;
    let translated = if literal {
        regex::escape(pattern)
    } else {
        let stripped;
        let pattern = if extended {
            stripped = strip_whitespace(pattern);
            stripped.as_str()
        } else {
            pattern
        };
        translate(pattern, b_dot_all, &mut has_back_references)?
    };
    if has_back_references {
        if !back_references {
            return None;
        }
        let mut prefix = String::from("(?");
        for (on, f) in [(b_dot_all, 's'), (multi_line, 'm'), (case_insensitive, 'i')] {
            if on {
                prefix.push(f);
            }
        }
        let translated = if prefix.len() > 2 {
            format!("{prefix}){translated}")
        } else {
            translated
        };
        return fancy_regex::RegexBuilder::new(&translated)
            .backtrack_limit(1_000_000)
            .delegate_size_limit(1 << 20)
            .delegate_dfa_size_limit(1 << 20)
            .build()
            .ok()
            .map(Matcher::Fancy);
    }
    RegexBuilder::new(&translated)
        .dot_matches_new_line(b_dot_all)
        .multi_line(multi_line)
        .case_insensitive(case_insensitive)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .ok()
        .map(Matcher::Plain)
}

/// The `x` flag: whitespace outside character classes is removed before
/// anything else (so `\\ s` becomes `\\s`).
fn strip_whitespace(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut in_class = false;
    let mut escaped = false;
    for c in pattern.chars() {
        if c.is_whitespace() && !in_class {
            continue;
        }
        if escaped {
            escaped = false;
            out.push(c);
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            _ => {}
        }
        out.push(c);
    }
    out
}

fn translate(pattern: &str, dot_all: bool, back_references: &mut bool) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let e = chars.next()?;
                match e {
                    // Back-references (outside classes) need `fancy-regex`.
                    '1'..='9' if in_class == 0 => {
                        *back_references = true;
                        out.push('\\');
                        out.push(e);
                    }
                    '1'..='9' => return None,
                    'i' => out.push_str(if in_class > 0 {
                        "_:A-Za-z"
                    } else {
                        "[_:A-Za-z]"
                    }),
                    'I' => out.push_str("[^_:A-Za-z]"),
                    'c' => out.push_str(if in_class > 0 {
                        "-._:A-Za-z0-9"
                    } else {
                        "[-._:A-Za-z0-9]"
                    }),
                    'C' => out.push_str("[^-._:A-Za-z0-9]"),
                    'p' | 'P' => {
                        out.push('\\');
                        out.push(e);
                        // \p{IsBasicLatin} block names become scripts where possible.
                        if chars.peek() == Some(&'{') {
                            let mut name = String::new();
                            for n in chars.by_ref() {
                                name.push(n);
                                if n == '}' {
                                    break;
                                }
                            }
                            if name == "{IsBasicLatin}" {
                                out.pop();
                                out.pop();
                                out.push_str(if e == 'p' {
                                    "[\\x00-\\x7F]"
                                } else {
                                    "[^\\x00-\\x7F]"
                                });
                            } else {
                                out.push_str(&name.replace("{Is", "{"));
                            }
                        }
                    }
                    'n' | 'r' | 't' | '\\' | '|' | '.' | '-' | '^' | '?' | '*' | '+' | '{'
                    | '}' | '(' | ')' | '[' | ']' | '$' | 'd' | 'D' | 's' | 'S' | 'w' | 'W' => {
                        out.push('\\');
                        out.push(e);
                    }
                    _ => return None,
                }
            }
            '[' => {
                if in_class > 0 {
                    // A class may only nest as a subtraction: `[a-z-[aeiou]]`.
                    return None;
                }
                in_class += 1;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            ']' => {
                in_class = in_class.saturating_sub(1);
                out.push(']');
            }
            '-' if in_class > 0 && chars.peek() == Some(&'[') => {
                // Subtraction becomes an intersection with the complement.
                chars.next();
                in_class += 1;
                out.push_str("&&[^");
            }
            '.' if in_class == 0 && !dot_all => out.push_str("[^\\n\\r]"),
            '&' | '~' if in_class > 0 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    if in_class > 0 {
        return None;
    }
    Some(out)
}

/// Translates an XPath replacement string (`$1`, `\$`, `\\`) to the
/// `regex` crate's (`${1}`, `$$`, `\`). `None` when it is invalid.
pub fn translate_replacement(r: &str, literal: bool) -> Option<String> {
    if literal {
        return Some(r.replace('$', "$$"));
    }
    let mut out = String::with_capacity(r.len());
    let mut chars = r.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                '$' => out.push_str("$$"),
                '\\' => out.push('\\'),
                _ => return None,
            },
            '$' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    return None;
                }
                out.push_str("${");
                out.push_str(&digits);
                out.push('}');
            }
            c => out.push(c),
        }
    }
    Some(out)
}

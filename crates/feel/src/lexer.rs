//! The FEEL lexer. Names are split into single words here; the parser joins
//! words (and the operator characters FEEL allows inside names) back into
//! names with spaces by matching them against the names in scope.

use crate::error::{ParseError, Span};

/// A token kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A numeric literal, as written.
    Number(String),
    /// A string literal, unescaped.
    String(String),
    /// A word: letters, digits, `_`, `'` (keywords included).
    Name(String),
    /// An operator or punctuation, as written (`..`, `**`, `<=`, `(`...).
    Sym(&'static str),
    /// The end of the input.
    Eof,
}

/// A token with its span.
#[derive(Clone, Debug)]
pub struct Token {
    /// The kind.
    pub tok: Tok,
    /// Where it is.
    pub span: Span,
}

impl Tok {
    /// How the token is described in "expected ..., found ..." messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Number(n) => format!("number {n}"),
            Tok::String(s) => format!("string \"{s}\""),
            Tok::Name(n) => format!("\"{n}\""),
            Tok::Sym(s) => format!("\"{s}\""),
            Tok::Eof => "end of input".to_string(),
        }
    }

    /// The text used to compare tokens of multi-word names.
    pub fn name_text(&self) -> Option<&str> {
        match self {
            Tok::Number(n) | Tok::Name(n) => Some(n),
            Tok::Sym(s) => Some(s),
            _ => None,
        }
    }
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic()
        || c == '_'
        || (c as u32 > 0x7f && !c.is_whitespace() && !c.is_numeric() && !is_name_extra(c))
}

fn is_name_extra(c: char) -> bool {
    matches!(c, '\u{2018}' | '\u{201C}' | '\u{201D}')
}

fn is_name_part(c: char) -> bool {
    is_name_start(c)
        || c.is_numeric()
        || c == '\''
        || c == '\u{2019}'
        || c == '\u{B7}'
        || ('\u{300}'..='\u{36F}').contains(&c)
        || ('\u{203F}'..='\u{2040}').contains(&c)
}

const SYMBOLS: &[&str] = &[
    "..", "**", "<=", ">=", "!=", "->", "(", ")", "[", "]", "{", "}", ",", ".", ":", "?", "+", "-",
    "*", "/", "=", "<", ">", "@",
];

/// Splits `src` into tokens; the last one is `Tok::Eof`.
pub fn tokenize(src: &str) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let rest = &src[i..];
        let Some(c) = rest.chars().next() else { break };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        if let Some(body) = rest.strip_prefix("/*") {
            match body.find("*/") {
                Some(e) => i += e + 4,
                None => {
                    return Err(ParseError::new(
                        src,
                        Span::new(i, src.len()),
                        "unterminated comment: expected \"*/\"",
                    ))
                }
            }
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == '.' && bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit()))
        {
            let mut j = i;
            while j < src.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j + 1 < src.len() && bytes[j] == b'.' && bytes[j + 1].is_ascii_digit() {
                j += 1;
                while j < src.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
            }
            // Exponent notation (`1.2e3`), as the DMN 1.5 grammar allows.
            if j < src.len() && (bytes[j] == b'e' || bytes[j] == b'E') {
                let mut k = j + 1;
                if k < src.len() && (bytes[k] == b'+' || bytes[k] == b'-') {
                    k += 1;
                }
                if k < src.len() && bytes[k].is_ascii_digit() {
                    while k < src.len() && bytes[k].is_ascii_digit() {
                        k += 1;
                    }
                    j = k;
                }
            }
            out.push(Token {
                tok: Tok::Number(src[i..j].to_string()),
                span: Span::new(start, j),
            });
            i = j;
            continue;
        }
        if c == '"' {
            let (s, end) = lex_string(src, i)?;
            out.push(Token {
                tok: Tok::String(s),
                span: Span::new(start, end),
            });
            i = end;
            continue;
        }
        if is_name_start(c) {
            let mut j = i;
            for ch in rest.chars() {
                if is_name_part(ch) {
                    j += ch.len_utf8();
                } else {
                    break;
                }
            }
            out.push(Token {
                tok: Tok::Name(src[i..j].to_string()),
                span: Span::new(start, j),
            });
            i = j;
            continue;
        }
        if let Some(sym) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            out.push(Token {
                tok: Tok::Sym(sym),
                span: Span::new(start, start + sym.len()),
            });
            i += sym.len();
            continue;
        }
        return Err(ParseError::new(
            src,
            Span::new(start, start + c.len_utf8()),
            format!("unexpected character '{c}': expected an expression"),
        ));
    }
    out.push(Token {
        tok: Tok::Eof,
        span: Span::new(src.len(), src.len()),
    });
    Ok(out)
}

fn lex_string(src: &str, start: usize) -> Result<(String, usize), ParseError> {
    let mut s = String::new();
    let mut chars = src[start + 1..].char_indices().peekable();
    while let Some((k, c)) = chars.next() {
        let pos = start + 1 + k;
        match c {
            '"' => return Ok((s, pos + 1)),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    'n' => s.push('\n'),
                    'r' => s.push('\r'),
                    't' => s.push('\t'),
                    'b' => s.push('\u{8}'),
                    'f' => s.push('\u{c}'),
                    '"' => s.push('"'),
                    '\'' => s.push('\''),
                    '\\' => s.push('\\'),
                    'u' | 'U' => {
                        let n = if e == 'u' { 4 } else { 6 };
                        let mut hex = String::new();
                        for _ in 0..n {
                            match chars.next() {
                                Some((_, h)) if h.is_ascii_hexdigit() => hex.push(h),
                                _ => {
                                    return Err(ParseError::new(
                                        src,
                                        Span::new(pos, pos + 2),
                                        format!("invalid escape: expected {n} hexadecimal digits after \\{e}"),
                                    ))
                                }
                            }
                        }
                        let mut code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                        // A UTF-16 surrogate pair written as two \u escapes.
                        if (0xD800..0xDC00).contains(&code) {
                            let rest: String =
                                src[start + 1 + k..].chars().skip(6).take(6).collect();
                            if let Some(low) = rest.strip_prefix("\\u") {
                                if let Ok(lo) = u32::from_str_radix(low, 16) {
                                    if (0xDC00..0xE000).contains(&lo) {
                                        code = 0x10000 + ((code - 0xD800) << 10) + (lo - 0xDC00);
                                        for _ in 0..6 {
                                            chars.next();
                                        }
                                    }
                                }
                            }
                        }
                        s.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                    // Other escapes stay as written: regular expressions
                    // in strings (`"\\d+"`) rely on it.
                    other => {
                        s.push('\\');
                        s.push(other);
                    }
                }
            }
            c => s.push(c),
        }
    }
    Err(ParseError::new(
        src,
        Span::new(start, src.len()),
        "unterminated string: expected '\"'",
    ))
}

//! The FEEL parser: precedence climbing over the tokens of [`crate::lexer`],
//! with names that contain spaces and operator characters resolved against
//! the names known in scope (the DMN approach: the longest known name wins).

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{Arguments, BinaryOp, Expr, ExprKind, Iteration, Type, UnaryTest, UnaryTests};
use crate::error::{ParseError, Span};
use crate::lexer::{tokenize, Tok, Token};
use crate::number::Number;
use crate::value::{Name, Value};

/// Words that end a name: a name made of several words stops before them
/// unless the whole name is known in scope.
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "in",
    "between",
    "instance",
    "of",
    "if",
    "then",
    "else",
    "for",
    "return",
    "some",
    "every",
    "satisfies",
    "function",
    "external",
    "null",
    "true",
    "false",
];

fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// The names a parser knows: variables, context keys, business knowledge
/// models. Names may contain spaces and `+ - * / ' .`; the parser matches
/// the longest known name. The built-in function names are always known.
#[derive(Clone, Debug)]
pub struct Scope {
    /// First word -> (words, name), longest first.
    names: HashMap<String, Vec<(Vec<String>, Name)>>,
}

impl Default for Scope {
    fn default() -> Self {
        Scope::new()
    }
}

fn name_words(name: &str) -> Option<Vec<String>> {
    let toks = tokenize(name).ok()?;
    let words: Vec<String> = toks
        .iter()
        .filter_map(|t| t.tok.name_text().map(str::to_string))
        .collect();
    if words.is_empty() || words.len() + 1 != toks.len() {
        return None;
    }
    Some(words)
}

impl Scope {
    /// A scope that knows only the built-in functions.
    pub fn new() -> Scope {
        let mut s = Scope {
            names: HashMap::new(),
        };
        for n in crate::builtins::NAMES {
            s.add(n);
        }
        s
    }

    /// A scope that knows the built-ins and the given names.
    pub fn with_names<I, S>(names: I) -> Scope
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut s = Scope::new();
        for n in names {
            s.add(n.as_ref());
        }
        s
    }

    /// Makes a name known.
    pub fn add(&mut self, name: &str) {
        let Some(words) = name_words(name) else {
            return;
        };
        let entry = self.names.entry(words[0].clone()).or_default();
        if entry.iter().any(|(w, _)| *w == words) {
            return;
        }
        entry.push((words, Name::from(name)));
        entry.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
    }

    /// Makes every key of a context known (for parsing against input data).
    pub fn add_context_keys(&mut self, context: &crate::value::Context) {
        for (k, _) in context.iter() {
            self.add(k);
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    scope: &'a Scope,
    local: Vec<(Vec<String>, Name)>,
    /// While parsing the high end of a range, `[` closes the range (`[1..10[`)
    /// instead of starting a filter.
    in_range_end: bool,
    /// Nesting depth, bounded so that hostile input cannot exhaust the stack.
    depth: usize,
}

/// Deepest nesting of brackets and operators accepted.
const MAX_NESTING: usize = 200;

type PResult<T> = Result<T, ParseError>;

/// Parses a FEEL expression.
pub fn parse_expression(src: &str, scope: &Scope) -> Result<Expr, ParseError> {
    let mut p = Parser::new(src, scope)?;
    if p.at_eof() {
        return Err(p.expected("an expression"));
    }
    let e = p.parse_expr()?;
    p.expect_eof()?;
    Ok(e)
}

/// Parses unary tests (a decision table input entry): `-`, `not(...)`, or a
/// comma-separated list of positive unary tests.
pub fn parse_unary_tests(src: &str, scope: &Scope) -> Result<UnaryTests, ParseError> {
    let mut p = Parser::new(src, scope)?;
    if p.is_sym("-") && matches!(p.peek_at(1), Tok::Eof) {
        return Ok(UnaryTests::Any);
    }
    if p.at_eof() {
        return Err(p.expected("unary tests"));
    }
    if p.is_word("not") && matches!(p.peek_at(1), Tok::Sym("(")) {
        // `not(...)` negates the tests inside, unless it is only the start
        // of a longer expression such as `not(x) = y`.
        let save = p.pos;
        p.pos += 2;
        let tests = p.parse_test_list()?;
        if p.is_sym(")") && matches!(p.peek_at(1), Tok::Eof) {
            p.bump();
            return Ok(UnaryTests::Negated(tests));
        }
        p.pos = save;
    }
    let tests = p.parse_test_list()?;
    p.expect_eof()?;
    Ok(UnaryTests::Positive(tests))
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, scope: &'a Scope) -> PResult<Parser<'a>> {
        Ok(Parser {
            src,
            toks: tokenize(src)?,
            pos: 0,
            scope,
            local: Vec::new(),
            in_range_end: false,
            depth: 0,
        })
    }

    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i].tok
    }

    fn span(&self) -> Span {
        self.toks[self.pos.min(self.toks.len() - 1)].span
    }

    fn prev_span(&self) -> Span {
        if self.pos == 0 {
            Span::new(0, 0)
        } else {
            self.toks[self.pos - 1].span
        }
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn at_eof(&self) -> bool {
        matches!(self.peek(), Tok::Eof)
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Name(x) if x == w)
    }

    fn error(&self, span: Span, msg: impl Into<String>) -> ParseError {
        ParseError::new(self.src, span, msg)
    }

    fn expected(&self, what: &str) -> ParseError {
        self.error(
            self.span(),
            format!("expected {what}, found {}", self.peek().describe()),
        )
    }

    fn expect_sym(&mut self, s: &str) -> PResult<Span> {
        if self.is_sym(s) {
            Ok(self.bump().span)
        } else {
            Err(self.expected(&format!("\"{s}\"")))
        }
    }

    fn expect_word(&mut self, w: &str) -> PResult<Span> {
        if self.is_word(w) {
            Ok(self.bump().span)
        } else {
            Err(self.expected(&format!("\"{w}\"")))
        }
    }

    fn expect_eof(&self) -> PResult<()> {
        if self.at_eof() {
            Ok(())
        } else {
            Err(self.expected("an operator or the end of the expression"))
        }
    }

    fn push_name(&mut self, name: &Name) {
        if let Some(words) = name_words(name) {
            self.local.push((words, name.clone()));
        }
    }

    fn parse_test_list(&mut self) -> PResult<Vec<UnaryTest>> {
        let mut tests = vec![self.parse_test()?];
        while self.is_sym(",") {
            self.bump();
            tests.push(self.parse_test()?);
        }
        Ok(tests)
    }

    fn parse_test(&mut self) -> PResult<UnaryTest> {
        let expr = self.parse_expr()?;
        let uses_input = expr.mentions_input();
        Ok(UnaryTest { expr, uses_input })
    }

    fn parse_expr(&mut self) -> PResult<Expr> {
        self.parse_or()
    }

    fn parse_or(&mut self) -> PResult<Expr> {
        let mut l = self.parse_and()?;
        while self.is_word("or") {
            self.bump();
            let r = self.parse_and()?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::Or(Box::new(l), Box::new(r)),
                span,
            };
        }
        Ok(l)
    }

    fn parse_and(&mut self) -> PResult<Expr> {
        let mut l = self.parse_comparison()?;
        while self.is_word("and") {
            self.bump();
            let r = self.parse_comparison()?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::And(Box::new(l), Box::new(r)),
                span,
            };
        }
        Ok(l)
    }

    fn comparison_op(&self) -> Option<BinaryOp> {
        match self.peek() {
            Tok::Sym("=") => Some(BinaryOp::Eq),
            Tok::Sym("!=") => Some(BinaryOp::Ne),
            Tok::Sym("<") => Some(BinaryOp::Lt),
            Tok::Sym("<=") => Some(BinaryOp::Le),
            Tok::Sym(">") => Some(BinaryOp::Gt),
            Tok::Sym(">=") => Some(BinaryOp::Ge),
            _ => None,
        }
    }

    fn parse_comparison(&mut self) -> PResult<Expr> {
        let mut l = self.parse_additive()?;
        loop {
            if let Some(op) = self.comparison_op() {
                self.bump();
                let r = self.parse_additive()?;
                let span = l.span.to(r.span);
                l = Expr {
                    kind: ExprKind::Binary(op, Box::new(l), Box::new(r)),
                    span,
                };
            } else if self.is_word("between") {
                self.bump();
                let lo = self.parse_additive()?;
                self.expect_word("and")?;
                let hi = self.parse_additive()?;
                let span = l.span.to(hi.span);
                l = Expr {
                    kind: ExprKind::Between(Box::new(l), Box::new(lo), Box::new(hi)),
                    span,
                };
            } else if self.is_word("in") {
                self.bump();
                let tests = self.parse_in_tests()?;
                let end = self.prev_span();
                let span = l.span.to(end);
                l = Expr {
                    kind: ExprKind::In(Box::new(l), tests),
                    span,
                };
            } else if self.is_word("instance") {
                self.bump();
                self.expect_word("of")?;
                let ty = self.parse_type()?;
                let span = l.span.to(self.prev_span());
                l = Expr {
                    kind: ExprKind::InstanceOf(Box::new(l), ty),
                    span,
                };
            } else {
                return Ok(l);
            }
        }
    }

    /// After `in`: one positive unary test, or several in parentheses.
    fn parse_in_tests(&mut self) -> PResult<Vec<UnaryTest>> {
        if self.is_sym("(") && self.paren_has_top_level_comma() {
            self.bump();
            let tests = self.parse_test_list()?;
            self.expect_sym(")")?;
            return Ok(tests);
        }
        let expr = self.parse_additive()?;
        let uses_input = expr.mentions_input();
        Ok(vec![UnaryTest { expr, uses_input }])
    }

    fn paren_has_top_level_comma(&self) -> bool {
        let mut depth = 0usize;
        for t in &self.toks[self.pos..] {
            match &t.tok {
                Tok::Sym("(") | Tok::Sym("[") | Tok::Sym("{") => depth += 1,
                Tok::Sym(")") | Tok::Sym("]") | Tok::Sym("}") => {
                    if depth <= 1 {
                        return false;
                    }
                    depth -= 1;
                }
                Tok::Sym(",") if depth == 1 => return true,
                Tok::Eof => return false,
                _ => {}
            }
        }
        false
    }

    fn parse_additive(&mut self) -> PResult<Expr> {
        let mut l = self.parse_multiplicative()?;
        loop {
            let op = match self.peek() {
                Tok::Sym("+") => BinaryOp::Add,
                Tok::Sym("-") => BinaryOp::Sub,
                _ => return Ok(l),
            };
            self.bump();
            let r = self.parse_multiplicative()?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::Binary(op, Box::new(l), Box::new(r)),
                span,
            };
        }
    }

    fn parse_multiplicative(&mut self) -> PResult<Expr> {
        let mut l = self.parse_power()?;
        loop {
            let op = match self.peek() {
                Tok::Sym("*") => BinaryOp::Mul,
                Tok::Sym("/") => BinaryOp::Div,
                _ => return Ok(l),
            };
            self.bump();
            let r = self.parse_power()?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::Binary(op, Box::new(l), Box::new(r)),
                span,
            };
        }
    }

    fn parse_power(&mut self) -> PResult<Expr> {
        let mut l = self.parse_unary()?;
        while self.is_sym("**") {
            self.bump();
            let r = self.parse_unary()?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::Binary(BinaryOp::Pow, Box::new(l), Box::new(r)),
                span,
            };
        }
        Ok(l)
    }

    fn parse_unary(&mut self) -> PResult<Expr> {
        if self.is_sym("-") {
            if self.depth >= MAX_NESTING {
                return Err(self.error(
                    self.span(),
                    "expression nested too deeply: expected at most 200 levels",
                ));
            }
            let start = self.bump().span;
            self.depth += 1;
            let e = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.parse_unary());
            self.depth -= 1;
            let e = e?;
            let span = start.to(e.span);
            // Fold negative numeric literals so that `-1` is a literal.
            if let ExprKind::Literal(Value::Number(n)) = &e.kind {
                return Ok(Expr {
                    kind: ExprKind::Literal(Value::Number(n.neg())),
                    span,
                });
            }
            return Ok(Expr {
                kind: ExprKind::Negate(Box::new(e)),
                span,
            });
        }
        self.parse_postfix()
    }

    fn parse_postfix(&mut self) -> PResult<Expr> {
        let mut e = self.parse_primary()?;
        loop {
            if self.is_sym(".") {
                self.bump();
                let (name, span) = self.parse_member_name()?;
                let span = e.span.to(span);
                e = Expr {
                    kind: ExprKind::Path(Box::new(e), name),
                    span,
                };
            } else if self.is_sym("[") && !self.in_range_end {
                self.bump();
                let f = self.parse_expr()?;
                let end = self.expect_sym("]")?;
                let span = e.span.to(end);
                e = Expr {
                    kind: ExprKind::Filter(Box::new(e), Box::new(f)),
                    span,
                };
            } else if self.is_sym("(") {
                self.bump();
                let args = self.parse_arguments()?;
                let end = self.expect_sym(")")?;
                let span = e.span.to(end);
                e = Expr {
                    kind: ExprKind::Call(Box::new(e), args),
                    span,
                };
            } else {
                return Ok(e);
            }
        }
    }

    /// A name after `.`: the longest known name, else the following words
    /// up to a keyword.
    fn parse_member_name(&mut self) -> PResult<(Name, Span)> {
        let mut words = 0;
        while let Tok::Name(w) = self.peek_at(words) {
            if words > 0 && is_keyword(w) {
                break;
            }
            words += 1;
        }
        if let Some((name, n)) = self.match_known().filter(|(_, n)| *n > words) {
            let start = self.span();
            self.pos += n;
            return Ok((name, start.to(self.prev_span())));
        }
        match self.peek() {
            Tok::Name(_) => {}
            Tok::String(s) => {
                let s = Name::from(s.as_str());
                let span = self.bump().span;
                return Ok((s, span));
            }
            _ => return Err(self.expected("a name after \".\"")),
        }
        Ok(self.join_words())
    }

    fn join_words(&mut self) -> (Name, Span) {
        let start = self.span();
        let mut words: Vec<String> = Vec::new();
        while let Tok::Name(w) = self.peek() {
            if !words.is_empty() && is_keyword(w) {
                break;
            }
            words.push(w.clone());
            self.bump();
        }
        (Name::from(words.join(" ")), start.to(self.prev_span()))
    }

    /// The longest known name starting at the current token.
    fn match_known(&self) -> Option<(Name, usize)> {
        let first = self.peek().name_text()?;
        let mut best: Option<(Name, usize)> = None;
        let matches = |words: &Vec<String>| -> bool {
            words.iter().enumerate().all(|(i, w)| {
                self.peek_at(i).name_text() == Some(w.as_str())
                    && (i == 0 || self.toks.len() > self.pos + i)
            })
        };
        if let Some(cands) = self.scope.names.get(first) {
            for (words, name) in cands {
                if best.as_ref().is_some_and(|b| b.1 >= words.len()) {
                    break;
                }
                if matches(words) {
                    best = Some((name.clone(), words.len()));
                    break;
                }
            }
        }
        for (words, name) in self.local.iter().rev() {
            if words[0] == first
                && best.as_ref().is_none_or(|b| b.1 < words.len())
                && matches(words)
            {
                best = Some((name.clone(), words.len()));
            }
        }
        best
    }

    fn parse_arguments(&mut self) -> PResult<Arguments> {
        if self.is_sym(")") {
            return Ok(Arguments::Positional(Vec::new()));
        }
        // Named arguments: words followed by ":".
        let mut k = 0;
        while matches!(self.peek_at(k), Tok::Name(_)) {
            k += 1;
        }
        if k > 0 && matches!(self.peek_at(k), Tok::Sym(":")) {
            let mut args = Vec::new();
            loop {
                let mut words = Vec::new();
                while let Tok::Name(w) = self.peek() {
                    words.push(w.clone());
                    self.bump();
                }
                if words.is_empty() {
                    return Err(self.expected("a parameter name"));
                }
                self.expect_sym(":")?;
                let e = self.parse_expr()?;
                args.push((Name::from(words.join(" ")), e));
                if self.is_sym(",") {
                    self.bump();
                } else {
                    break;
                }
            }
            return Ok(Arguments::Named(args));
        }
        let mut args = vec![self.parse_expr()?];
        while self.is_sym(",") {
            self.bump();
            args.push(self.parse_expr()?);
        }
        Ok(Arguments::Positional(args))
    }

    fn parse_primary(&mut self) -> PResult<Expr> {
        if self.depth >= MAX_NESTING {
            return Err(self.error(
                self.span(),
                "expression nested too deeply: expected at most 200 levels",
            ));
        }
        self.depth += 1;
        // Brackets inside a range end are ordinary again.
        let saved = self.in_range_end;
        if matches!(self.peek(), Tok::Sym("(") | Tok::Sym("[") | Tok::Sym("{")) {
            self.in_range_end = false;
        }
        let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.parse_primary_inner());
        self.in_range_end = saved;
        self.depth -= 1;
        r
    }

    fn parse_primary_inner(&mut self) -> PResult<Expr> {
        let span = self.span();
        match self.peek().clone() {
            Tok::Number(n) => {
                self.bump();
                let num = Number::parse(&n)
                    .ok_or_else(|| self.error(span, format!("number {n} is out of range")))?;
                Ok(Expr {
                    kind: ExprKind::Literal(Value::Number(num)),
                    span,
                })
            }
            Tok::String(s) => {
                self.bump();
                Ok(Expr {
                    kind: ExprKind::Literal(Value::string(s)),
                    span,
                })
            }
            Tok::Sym("@") => {
                self.bump();
                let Tok::String(s) = self.peek().clone() else {
                    return Err(self.expected("a string after \"@\""));
                };
                let sspan = self.bump().span;
                // An invalid literal is null, as the DMN TCK expects.
                let v = crate::builtins::temporal_from_string(&s).unwrap_or(Value::Null);
                Ok(Expr {
                    kind: ExprKind::Literal(v),
                    span: span.to(sspan),
                })
            }
            Tok::Sym("?") => {
                self.bump();
                Ok(Expr {
                    kind: ExprKind::InputValue,
                    span,
                })
            }
            Tok::Sym("(") => {
                self.bump();
                let e = self.parse_expr()?;
                if self.is_sym("..") {
                    return self.finish_range(span, false, e);
                }
                let end = self.expect_sym(")")?;
                Ok(Expr {
                    kind: e.kind,
                    span: span.to(end),
                })
            }
            Tok::Sym("]") => {
                self.bump();
                let e = self.parse_expr()?;
                if !self.is_sym("..") {
                    return Err(self.expected("\"..\""));
                }
                self.finish_range(span, false, e)
            }
            Tok::Sym("[") => {
                self.bump();
                if self.is_sym("]") {
                    let end = self.bump().span;
                    return Ok(Expr {
                        kind: ExprKind::List(Vec::new()),
                        span: span.to(end),
                    });
                }
                let first = self.parse_expr()?;
                if self.is_sym("..") {
                    return self.finish_range(span, true, first);
                }
                let mut items = vec![first];
                while self.is_sym(",") {
                    self.bump();
                    items.push(self.parse_expr()?);
                }
                if !self.is_sym("]") {
                    return Err(self.expected("\",\" or \"]\""));
                }
                let end = self.bump().span;
                Ok(Expr {
                    kind: ExprKind::List(items),
                    span: span.to(end),
                })
            }
            Tok::Sym("{") => self.parse_context(),
            Tok::Sym(s @ ("<" | "<=" | ">" | ">=" | "=" | "!=")) => {
                self.bump();
                let op = match s {
                    "<" => BinaryOp::Lt,
                    "<=" => BinaryOp::Le,
                    ">" => BinaryOp::Gt,
                    ">=" => BinaryOp::Ge,
                    "=" => BinaryOp::Eq,
                    _ => BinaryOp::Ne,
                };
                let e = self.parse_additive()?;
                let span = span.to(e.span);
                Ok(Expr {
                    kind: ExprKind::UnaryComparison(op, Box::new(e)),
                    span,
                })
            }
            Tok::Name(w) => self.parse_word(&w, span),
            _ => Err(self.expected("an expression")),
        }
    }

    fn finish_range(&mut self, start: Span, start_included: bool, lo: Expr) -> PResult<Expr> {
        self.expect_sym("..")?;
        let saved = self.in_range_end;
        self.in_range_end = true;
        let hi = self.parse_expr();
        self.in_range_end = saved;
        let hi = hi?;
        let end_included = if self.is_sym("]") {
            true
        } else if self.is_sym(")") || self.is_sym("[") {
            false
        } else {
            return Err(self.expected("\"]\", \")\" or \"[\" to close the range"));
        };
        let end = self.bump().span;
        Ok(Expr {
            kind: ExprKind::Range {
                start_included,
                start: Box::new(lo),
                end: Box::new(hi),
                end_included,
            },
            span: start.to(end),
        })
    }

    fn parse_word(&mut self, w: &str, span: Span) -> PResult<Expr> {
        match w {
            "null" => {
                self.bump();
                return Ok(Expr {
                    kind: ExprKind::Literal(Value::Null),
                    span,
                });
            }
            "true" | "false" => {
                self.bump();
                return Ok(Expr {
                    kind: ExprKind::Literal(Value::Boolean(w == "true")),
                    span,
                });
            }
            "if" => return self.parse_if(),
            "for" => return self.parse_for(),
            "some" | "every" => return self.parse_quantified(),
            "function" => {
                if matches!(self.peek_at(1), Tok::Sym("(")) {
                    return self.parse_function();
                }
            }
            _ => {}
        }
        if let Some((name, n)) = self.match_known() {
            self.pos += n;
            return Ok(Expr {
                kind: ExprKind::Name(name),
                span: span.to(self.prev_span()),
            });
        }
        if is_keyword(w) {
            return Err(self.expected("an expression"));
        }
        let (name, span) = self.join_words();
        Ok(Expr {
            kind: ExprKind::Name(name),
            span,
        })
    }

    fn parse_if(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        let c = self.parse_expr()?;
        self.expect_word("then")?;
        let t = self.parse_expr()?;
        self.expect_word("else")?;
        let e = self.parse_expr()?;
        let span = start.to(e.span);
        Ok(Expr {
            kind: ExprKind::If(Box::new(c), Box::new(t), Box::new(e)),
            span,
        })
    }

    /// A variable name being declared (`for x in`, `function(a, b)`): words
    /// up to the given stop word or symbol.
    fn parse_declared_name(&mut self, what: &str) -> PResult<Name> {
        let mut words = Vec::new();
        while let Tok::Name(w) = self.peek() {
            if is_keyword(w) && !words.is_empty() {
                break;
            }
            if is_keyword(w) {
                return Err(self.expected(what));
            }
            words.push(w.clone());
            self.bump();
        }
        if words.is_empty() {
            return Err(self.expected(what));
        }
        Ok(Name::from(words.join(" ")))
    }

    fn parse_for(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        let mark = self.local.len();
        let mut iterations = Vec::new();
        loop {
            let name = self.parse_declared_name("a variable name")?;
            self.expect_word("in")?;
            let first = self.parse_expr()?;
            let it = if self.is_sym("..") {
                self.bump();
                Iteration::Range(first, self.parse_expr()?)
            } else {
                Iteration::List(first)
            };
            self.push_name(&name);
            iterations.push((name, it));
            if self.is_sym(",") {
                self.bump();
            } else {
                break;
            }
        }
        self.expect_word("return")?;
        self.push_name(&Name::from("partial"));
        let body = self.parse_expr();
        self.local.truncate(mark);
        let body = body?;
        let uses_partial = body.mentions_name("partial");
        let span = start.to(body.span);
        Ok(Expr {
            kind: ExprKind::For {
                iterations,
                body: Box::new(body),
                uses_partial,
            },
            span,
        })
    }

    fn parse_quantified(&mut self) -> PResult<Expr> {
        let tok = self.bump();
        let every = matches!(&tok.tok, Tok::Name(w) if w == "every");
        let mark = self.local.len();
        let mut iterations = Vec::new();
        let result = (|| {
            loop {
                let name = self.parse_declared_name("a variable name")?;
                self.expect_word("in")?;
                let list = self.parse_expr()?;
                self.push_name(&name);
                iterations.push((name, list));
                if self.is_sym(",") {
                    self.bump();
                } else {
                    break;
                }
            }
            self.expect_word("satisfies")?;
            self.parse_expr()
        })();
        self.local.truncate(mark);
        let condition = result?;
        let span = tok.span.to(condition.span);
        Ok(Expr {
            kind: ExprKind::Quantified {
                every,
                iterations,
                condition: Box::new(condition),
            },
            span,
        })
    }

    fn parse_function(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        self.expect_sym("(")?;
        let mut params = Vec::new();
        if !self.is_sym(")") {
            loop {
                let name = self.parse_declared_name("a parameter name")?;
                let ty = if self.is_sym(":") {
                    self.bump();
                    Some(self.parse_type()?)
                } else {
                    None
                };
                params.push((name, ty));
                if self.is_sym(",") {
                    self.bump();
                } else {
                    break;
                }
            }
        }
        self.expect_sym(")")?;
        let external = if self.is_word("external") {
            self.bump();
            true
        } else {
            false
        };
        let mark = self.local.len();
        for (p, _) in &params {
            self.push_name(p);
        }
        let body = self.parse_expr();
        self.local.truncate(mark);
        let body = body?;
        let span = start.to(body.span);
        Ok(Expr {
            kind: ExprKind::Function {
                params,
                body: Arc::new(body),
                external,
            },
            span,
        })
    }

    fn parse_context(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        let mark = self.local.len();
        let result = (|| {
            let mut entries: Vec<(Name, Expr)> = Vec::new();
            if self.is_sym("}") {
                return Ok(entries);
            }
            loop {
                let key = self.parse_context_key()?;
                self.expect_sym(":")?;
                self.push_name(&key);
                let value = self.parse_expr()?;
                entries.push((key, value));
                if self.is_sym(",") {
                    self.bump();
                } else {
                    break;
                }
            }
            Ok(entries)
        })();
        self.local.truncate(mark);
        let entries = result?;
        if !self.is_sym("}") {
            return Err(self.expected("\",\" or \"}\""));
        }
        let end = self.bump().span;
        Ok(Expr {
            kind: ExprKind::Context(entries),
            span: start.to(end),
        })
    }

    fn parse_context_key(&mut self) -> PResult<Name> {
        if let Tok::String(s) = self.peek().clone() {
            self.bump();
            return Ok(Name::from(s));
        }
        let first = self.span();
        let mut last = None;
        loop {
            match self.peek() {
                Tok::Sym(":") | Tok::Sym(",") | Tok::Sym("}") | Tok::Eof | Tok::String(_) => break,
                _ => {
                    last = Some(self.bump().span);
                }
            }
        }
        let Some(last) = last else {
            return Err(self.expected("a context key"));
        };
        let text = &self.src[first.start..last.end];
        Ok(Name::from(
            text.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    }

    fn parse_type(&mut self) -> PResult<Type> {
        const MULTI: &[(&[&str], Type)] = &[
            (&["date", "and", "time"], Type::DateTime),
            (&["days", "and", "time", "duration"], Type::DayTimeDuration),
            (
                &["years", "and", "months", "duration"],
                Type::YearMonthDuration,
            ),
        ];
        for (words, ty) in MULTI {
            if words
                .iter()
                .enumerate()
                .all(|(i, w)| matches!(self.peek_at(i), Tok::Name(x) if x == w))
            {
                self.pos += words.len();
                return Ok(ty.clone());
            }
        }
        let Tok::Name(w) = self.peek().clone() else {
            return Err(self.expected("a type name"));
        };
        self.bump();
        let generic = self.is_sym("<");
        let ty = match w.as_str() {
            "Any" => Type::Any,
            "Null" => Type::Null,
            "number" => Type::Number,
            "string" => Type::String,
            "boolean" => Type::Boolean,
            "date" => Type::Date,
            "time" => Type::Time,
            "dayTimeDuration" => Type::DayTimeDuration,
            "yearMonthDuration" => Type::YearMonthDuration,
            "dateTime" => Type::DateTime,
            "list" => {
                if generic {
                    self.bump();
                    let t = self.parse_type()?;
                    self.expect_sym(">")?;
                    Type::List(Box::new(t))
                } else {
                    Type::List(Box::new(Type::Any))
                }
            }
            "range" => {
                if generic {
                    self.bump();
                    let t = self.parse_type()?;
                    self.expect_sym(">")?;
                    Type::Range(Box::new(t))
                } else {
                    Type::Range(Box::new(Type::Any))
                }
            }
            "context" => {
                let mut entries = Vec::new();
                if generic {
                    self.bump();
                    loop {
                        let key = self.parse_context_key()?;
                        self.expect_sym(":")?;
                        let t = self.parse_type()?;
                        entries.push((key, t));
                        if self.is_sym(",") {
                            self.bump();
                        } else {
                            break;
                        }
                    }
                    self.expect_sym(">")?;
                }
                Type::Context(entries)
            }
            "function" => {
                if generic {
                    self.bump();
                    let mut params = Vec::new();
                    if !self.is_sym(">") {
                        loop {
                            params.push(self.parse_type()?);
                            if self.is_sym(",") {
                                self.bump();
                            } else {
                                break;
                            }
                        }
                    }
                    self.expect_sym(">")?;
                    self.expect_sym("->")?;
                    let ret = self.parse_type()?;
                    Type::Function(Some((params, Box::new(ret))))
                } else {
                    Type::Function(None)
                }
            }
            other => {
                let mut name = other.to_string();
                while self.is_sym(".") && matches!(self.peek_at(1), Tok::Name(_)) {
                    self.bump();
                    if let Tok::Name(n) = self.bump().tok {
                        name.push('.');
                        name.push_str(&n);
                    }
                }
                Type::Named(name)
            }
        };
        Ok(ty)
    }
}

//! Reading DMN XML into a compiled model: every element with its position,
//! every FEEL expression parsed once, every problem collected.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use flowdesk_feel::temporal::{parse_duration, ParsedDuration};
use flowdesk_feel::{
    ast::{Arguments, Iteration},
    parse_expression, parse_unary_tests, Expr, ExprKind, ParseError, Scope, Type, UnaryTests,
    Value,
};
use roxmltree::{Document, Node};

use crate::error::{Problem, Problems, Severity};
use crate::java;
use crate::provider::{
    sql_parameters, url_parameters, ProviderSource, ProviderSpec, SqlResult, DEFAULT_TIMEOUT,
    PROVIDER_NAMESPACE,
};

/// The namespaces of DMN 1.1 to 1.5 models.
pub const DMN_NAMESPACES: &[&str] = &[
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
];

/// A reference to a DRG element: `#id` in the same model or `namespace#id`.
#[derive(Clone, Debug)]
pub(crate) struct Href {
    pub namespace: Option<String>,
    pub id: String,
}

impl Href {
    fn parse(s: &str) -> Href {
        match s.split_once('#') {
            Some(("", id)) => Href {
                namespace: None,
                id: id.to_string(),
            },
            Some((ns, id)) => Href {
                namespace: Some(ns.to_string()),
                id: id.to_string(),
            },
            None => Href {
                namespace: None,
                id: s.to_string(),
            },
        }
    }
}

/// A decision table hit policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitPolicy {
    /// `U`: at most one rule may match.
    Unique,
    /// `A`: matching rules must agree on the output.
    Any,
    /// `P`: the match with the highest output priority.
    Priority,
    /// `F`: the first match in rule order.
    First,
    /// `R`: all matches in rule order.
    RuleOrder,
    /// `O`: all matches in output priority order.
    OutputOrder,
    /// `C`, `C+`, `C<`, `C>`, `C#`: all matches, optionally aggregated.
    Collect(Option<Aggregation>),
}

/// The aggregation of a collect hit policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregation {
    /// `C+`
    Sum,
    /// `C<`
    Min,
    /// `C>`
    Max,
    /// `C#`
    Count,
}

pub(crate) struct InputClause {
    pub expr: Expr,
    pub allowed: Option<UnaryTests>,
}

pub(crate) struct OutputClause {
    pub name: String,
    pub allowed: Option<UnaryTests>,
    /// The output values as evaluated literals, for priority ordering.
    pub priorities: Vec<Expr>,
    pub default: Option<Expr>,
}

pub(crate) struct Rule {
    pub inputs: Vec<UnaryTests>,
    pub outputs: Vec<Expr>,
    /// The texts of the rule's annotation entries.
    pub annotations: Vec<String>,
}

pub(crate) struct DecisionTable {
    pub hit_policy: HitPolicy,
    pub inputs: Vec<InputClause>,
    pub outputs: Vec<OutputClause>,
    pub rules: Vec<Rule>,
}

pub(crate) struct ContextEntry {
    pub name: Option<String>,
    pub type_ref: Option<String>,
    pub value: Boxed,
}

pub(crate) struct FunctionDef {
    pub params: Vec<(String, Option<String>)>,
    pub body: Boxed,
}

/// A boxed expression, compiled.
pub(crate) enum Boxed {
    Null,
    Literal(Expr),
    Context(Vec<ContextEntry>),
    List(Vec<Boxed>),
    Relation(Vec<String>, Vec<Vec<Boxed>>),
    Invocation(Expr, Vec<(String, Boxed)>),
    Function(Arc<FunctionDef>),
    Table(Box<DecisionTable>),
    Conditional(Box<[Boxed; 3]>),
    For(String, Box<Boxed>, Box<Boxed>),
    Quantified(bool, String, Box<Boxed>, Box<Boxed>),
    Filter(Box<Boxed>, Box<Boxed>),
    /// An expression with a declared `typeRef`: its result is converted to
    /// the type, or `null` when it does not conform.
    Typed(Box<Boxed>, String),
}

pub(crate) struct ItemDef {
    pub name: String,
    pub type_ref: Option<String>,
    pub is_collection: bool,
    pub components: Vec<ItemDef>,
    pub allowed: Option<UnaryTests>,
    pub is_function: bool,
}

pub(crate) struct Decision {
    pub id: String,
    pub name: String,
    pub line: u32,
    pub column: u32,
    pub type_ref: Option<String>,
    pub required_decisions: Vec<Href>,
    pub required_inputs: Vec<Href>,
    pub required_knowledge: Vec<Href>,
    pub logic: Boxed,
}

pub(crate) struct InputData {
    pub id: String,
    pub name: String,
    pub type_ref: Option<String>,
    pub provider: Option<ProviderSpec>,
    /// Line and column of the provider declaration (or of the element).
    pub position: (u32, u32),
}

pub(crate) struct Bkm {
    pub id: String,
    pub name: String,
    pub function: Arc<FunctionDef>,
    pub required_knowledge: Vec<Href>,
}

pub(crate) struct DecisionService {
    pub id: String,
    pub name: String,
    pub type_ref: Option<String>,
    pub outputs: Vec<Href>,
    pub input_decisions: Vec<Href>,
    pub input_data: Vec<Href>,
}

/// A DRG element that callers may address by id or by name.
pub(crate) trait Named {
    fn id(&self) -> &str;
    fn name(&self) -> &str;
}

macro_rules! named {
    ($($element:ty),*) => {$(
        impl Named for $element {
            fn id(&self) -> &str {
                &self.id
            }
            fn name(&self) -> &str {
                &self.name
            }
        }
    )*};
}
named!(Decision, Bkm, DecisionService);

/// The element whose id is `key`, else the first whose name is `key`: ids
/// win, so an element named like another's id stays reachable by its id.
pub(crate) fn by_id_or_name<'a, T: Named>(elements: &'a [T], key: &str) -> Option<&'a T> {
    elements
        .iter()
        .find(|e| e.id() == key)
        .or_else(|| elements.iter().find(|e| e.name() == key))
}

pub(crate) struct Import {
    pub name: String,
    pub namespace: String,
}

/// A parsed, validated and compiled DMN model.
pub(crate) struct ModelData {
    pub name: String,
    pub namespace: String,
    pub item_defs: HashMap<String, ItemDef>,
    pub decisions: Vec<Decision>,
    pub inputs: Vec<InputData>,
    pub bkms: Vec<Bkm>,
    pub services: Vec<DecisionService>,
    pub imports: Vec<Import>,
    /// Problems that do not reject the model.
    pub warnings: Vec<Problem>,
    /// Types of `instance of` tests naming item definitions; test `i` is
    /// compiled into a call of [`instance_of_name`]`(i)`.
    pub instance_types: Vec<Type>,
}

struct Loader<'a> {
    doc: &'a Document<'a>,
    ns: &'a str,
    problems: Vec<Problem>,
    /// Every name a FEEL expression of the model may call.
    callable: HashSet<String>,
    /// Types of `instance of` tests that name item definitions.
    instance_types: Vec<Type>,
    /// The business knowledge model whose logic is being loaded: a call of
    /// its own name is recursion, which DMN does not allow.
    current_bkm: Option<String>,
}

fn local(type_ref: &str) -> String {
    let t = type_ref.trim();
    match t.split_once(':') {
        Some((prefix, rest)) if !prefix.contains(' ') && !rest.is_empty() => rest.to_string(),
        _ => t.to_string(),
    }
}

impl<'a> Loader<'a> {
    fn pos(&self, node: Node) -> (u32, u32) {
        let p = self.doc.text_pos_at(node.range().start);
        (p.row, p.col)
    }

    fn element_id(node: Node) -> String {
        node.ancestors()
            .find_map(|n| n.attribute("id").or_else(|| n.attribute("name")))
            .unwrap_or("")
            .to_string()
    }

    fn problem(&mut self, node: Node, message: impl Into<String>) {
        let (line, column) = self.pos(node);
        self.problems.push(Problem {
            element: Self::element_id(node),
            line,
            column,
            severity: Severity::Error,
            expression_position: None,
            message: message.into(),
        });
    }

    fn feel_problem(&mut self, node: Node, source: &str, e: &ParseError) {
        let (line, column) = self.pos(node);
        self.problems.push(Problem {
            element: Self::element_id(node),
            line,
            column,
            severity: Severity::Error,
            expression_position: Some((e.position.line, e.position.column)),
            message: format!("FEEL: {} in `{}`", e.message, source.trim()),
        });
    }

    fn children(&self, node: Node<'a, 'a>) -> impl Iterator<Item = Node<'a, 'a>> + 'a {
        let ns = self.ns;
        node.children()
            .filter(move |c| c.is_element() && c.tag_name().namespace() == Some(ns))
    }

    fn child(&self, node: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
        self.children(node).find(|c| c.tag_name().name() == name)
    }

    fn text_of(&self, node: Node<'a, 'a>) -> Option<&'a str> {
        self.child(node, "text").map(|t| t.text().unwrap_or(""))
    }

    /// The data provider declared in the extension elements of an input
    /// data element, with the position of its declaration (or of the
    /// element, without one).
    fn provider(&mut self, input: Node<'a, 'a>) -> (Option<ProviderSpec>, (u32, u32)) {
        let Some(node) = self.child(input, "extensionElements").and_then(|x| {
            x.children().find(|c| {
                c.is_element()
                    && c.tag_name().name() == "provider"
                    && c.tag_name().namespace() == Some(PROVIDER_NAMESPACE)
            })
        }) else {
            return (None, self.pos(input));
        };
        let position = self.pos(node);
        let name = input.attribute("name").unwrap_or("");
        let before = self.problems.len();
        let required = |loader: &mut Self, attribute: &str| -> String {
            match node.attribute(attribute).map(str::trim) {
                Some(v) if !v.is_empty() => v.to_string(),
                _ => {
                    loader.problem(
                        node,
                        format!(
                            "the {} provider of input data `{name}` needs a `{attribute}` attribute",
                            node.attribute("type").unwrap_or("")
                        ),
                    );
                    String::new()
                }
            }
        };
        let (source, parameters) = match node.attribute("type") {
            Some("sql") => {
                let connection = required(self, "connection");
                let query = required(self, "query");
                let result = match node.attribute("result") {
                    None | Some("row") => SqlResult::Row,
                    Some("rows") => SqlResult::Rows,
                    Some("value") => SqlResult::Value,
                    Some(other) => {
                        self.problem(
                            node,
                            format!(
                                "the provider of input data `{name}` has result `{other}`; \
                                 expected `row`, `rows` or `value`"
                            ),
                        );
                        SqlResult::Row
                    }
                };
                let parameters = sql_parameters(&query);
                (
                    ProviderSource::Sql {
                        connection,
                        query,
                        result,
                    },
                    parameters,
                )
            }
            Some("http") => {
                let url = required(self, "url");
                if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
                    self.problem(
                        node,
                        format!(
                            "the provider of input data `{name}` has url `{url}`; expected an \
                             http:// or https:// URL"
                        ),
                    );
                }
                let path = node.attribute("path").unwrap_or("").trim().to_string();
                if !path.is_empty() && !path.starts_with('/') {
                    self.problem(
                        node,
                        format!(
                            "the provider of input data `{name}` has path `{path}`; expected a \
                             JSON pointer such as `/score/value`"
                        ),
                    );
                }
                let parameters = url_parameters(&url);
                (ProviderSource::Http { url, path }, parameters)
            }
            Some("decision") => {
                let decision = required(self, "decision");
                (ProviderSource::Decision { decision }, Vec::new())
            }
            other => {
                self.problem(
                    node,
                    format!(
                        "the provider of input data `{name}` has type `{}`; expected `sql`, \
                         `http` or `decision`",
                        other.unwrap_or("")
                    ),
                );
                return (None, position);
            }
        };
        let timeout = match node.attribute("timeout") {
            None => DEFAULT_TIMEOUT,
            Some(text) => match parse_duration(text.trim()) {
                Some(ParsedDuration::DayTime(d)) if d.0 > 0 => {
                    std::time::Duration::from_nanos(u64::try_from(d.0).unwrap_or(u64::MAX))
                }
                _ => {
                    self.problem(
                        node,
                        format!(
                            "the provider of input data `{name}` has timeout `{text}`; expected \
                             a positive ISO 8601 duration such as `PT2S`"
                        ),
                    );
                    DEFAULT_TIMEOUT
                }
            },
        };
        if self.problems.len() > before {
            return (None, position);
        }
        (
            Some(ProviderSpec {
                source,
                parameters,
                timeout,
            }),
            position,
        )
    }

    fn type_ref(&self, node: Node<'a, 'a>) -> Option<String> {
        node.attribute("typeRef")
            .map(str::to_string)
            .or_else(|| {
                self.child(node, "typeRef")
                    .and_then(|t| t.text().map(str::to_string))
            })
            .map(|t| local(&t))
            .filter(|t| !t.is_empty())
    }

    fn expr(&mut self, node: Node, source: &str, scope: &Scope) -> Expr {
        match parse_expression(source, scope) {
            Ok(mut e) => {
                self.check_calls(node, source, &e);
                rewrite_host_calls(&mut e, &mut self.instance_types);
                e
            }
            Err(e) => {
                self.feel_problem(node, source, &e);
                null_expr()
            }
        }
    }

    fn unary_tests(&mut self, node: Node, source: &str, scope: &Scope) -> UnaryTests {
        let source = if source.trim().is_empty() {
            "-"
        } else {
            source
        };
        match parse_unary_tests(source, scope) {
            Ok(mut t) => {
                if let UnaryTests::Positive(ts) | UnaryTests::Negated(ts) = &mut t {
                    for test in ts {
                        self.check_calls(node, source, &test.expr);
                        rewrite_host_calls(&mut test.expr, &mut self.instance_types);
                    }
                }
                t
            }
            Err(e) => {
                self.feel_problem(node, source, &e);
                UnaryTests::Any
            }
        }
    }

    /// Reports calls of names that are neither built-in, nor DRG elements,
    /// nor bound inside the expression.
    fn check_calls(&mut self, node: Node, source: &str, e: &Expr) {
        let mut bound: HashSet<String> = HashSet::new();
        e.visit(&mut |x| match &x.kind {
            ExprKind::For { iterations, .. } => {
                bound.extend(iterations.iter().map(|(n, _)| n.to_string()))
            }
            ExprKind::Quantified { iterations, .. } => {
                bound.extend(iterations.iter().map(|(n, _)| n.to_string()))
            }
            ExprKind::Function { params, .. } => {
                bound.extend(params.iter().map(|(n, _)| n.to_string()))
            }
            ExprKind::Context(entries) => bound.extend(entries.iter().map(|(n, _)| n.to_string())),
            _ => {}
        });
        let mut unknown = Vec::new();
        let mut recursive = Vec::new();
        e.visit(&mut |x| {
            if let ExprKind::Call(callee, _) = &x.kind {
                if let ExprKind::Name(n) = &callee.kind {
                    if self.current_bkm.as_deref() == Some(&**n) && !bound.contains(&**n) {
                        recursive.push((n.to_string(), callee.span));
                    } else if !self.callable.contains(&**n)
                        && !bound.contains(&**n)
                        && !flowdesk_feel::builtin_function_names().contains(&&**n)
                    {
                        unknown.push((n.to_string(), callee.span));
                    }
                }
            }
        });
        for (name, span) in unknown {
            let p = span.line_col(source);
            let (line, column) = self.pos(node);
            self.problems.push(Problem {
                element: Self::element_id(node),
                line,
                column,
                severity: Severity::Warning,
                expression_position: Some((p.line, p.column)),
                message: format!(
                    "unknown function `{name}`: not a built-in function, business knowledge \
                     model or decision service of the model; the call evaluates to null"
                ),
            });
        }
        for (name, span) in recursive {
            let p = span.line_col(source);
            let (line, column) = self.pos(node);
            self.problems.push(Problem {
                element: Self::element_id(node),
                line,
                column,
                severity: Severity::Error,
                expression_position: Some((p.line, p.column)),
                message: format!(
                    "business knowledge model `{name}` calls itself: a business knowledge model \
                     may only invoke the ones it requires, and the requirements graph must be \
                     acyclic, so recursion is not allowed; compute the result with `for`, \
                     a filter or list functions instead"
                ),
            });
        }
    }

    fn item_def(&mut self, node: Node<'a, 'a>, scope: &Scope) -> ItemDef {
        let allowed = self
            .child(node, "allowedValues")
            .or_else(|| self.child(node, "typeConstraint"))
            .and_then(|a| {
                let text = self.text_of(a)?;
                Some(self.unary_tests(a, text, scope))
            });
        let components = self
            .children(node)
            .filter(|c| c.tag_name().name() == "itemComponent")
            .collect::<Vec<_>>()
            .into_iter()
            .map(|c| self.item_def(c, scope))
            .collect();
        ItemDef {
            name: node.attribute("name").unwrap_or("").to_string(),
            type_ref: self.type_ref(node),
            is_collection: node.attribute("isCollection") == Some("true"),
            components,
            allowed,
            is_function: self.child(node, "functionItem").is_some(),
        }
    }

    fn hrefs(&self, node: Node<'a, 'a>, wrapper: &str, inner: &str) -> Vec<Href> {
        let mut out = Vec::new();
        for req in self
            .children(node)
            .filter(|c| c.tag_name().name() == wrapper)
        {
            for r in self.children(req).filter(|c| c.tag_name().name() == inner) {
                if let Some(h) = r.attribute("href") {
                    out.push(Href::parse(h));
                }
            }
        }
        out
    }

    fn direct_hrefs(&self, node: Node<'a, 'a>, name: &str) -> Vec<Href> {
        self.children(node)
            .filter(|c| c.tag_name().name() == name)
            .filter_map(|c| c.attribute("href").map(Href::parse))
            .collect()
    }

    /// The boxed expression among the children of `node`, if any.
    fn boxed_child(&mut self, node: Node<'a, 'a>, scope: &Scope) -> Boxed {
        let found = self.children(node).find(|c| is_boxed(c.tag_name().name()));
        match found {
            Some(c) => self.boxed(c, scope),
            None => Boxed::Null,
        }
    }

    fn boxed(&mut self, node: Node<'a, 'a>, scope: &Scope) -> Boxed {
        let b = self.untyped_boxed(node, scope);
        match node.attribute("typeRef").map(local) {
            Some(t) if !t.is_empty() && !matches!(b, Boxed::Null) => Boxed::Typed(Box::new(b), t),
            _ => b,
        }
    }

    fn untyped_boxed(&mut self, node: Node<'a, 'a>, scope: &Scope) -> Boxed {
        match node.tag_name().name() {
            "literalExpression" => match self.text_of(node) {
                Some(t) if !t.trim().is_empty() => Boxed::Literal(self.expr(node, t, scope)),
                _ => Boxed::Null,
            },
            "context" => {
                let mut scope = scope.clone();
                let mut entries = Vec::new();
                for e in self
                    .children(node)
                    .filter(|c| c.tag_name().name() == "contextEntry")
                    .collect::<Vec<_>>()
                {
                    let var = self.child(e, "variable");
                    let name = var.and_then(|v| v.attribute("name")).map(str::to_string);
                    let type_ref = var.and_then(|v| self.type_ref(v));
                    let value = self.boxed_child(e, &scope);
                    if let Some(n) = &name {
                        scope.add(n);
                    }
                    entries.push(ContextEntry {
                        name,
                        type_ref,
                        value,
                    });
                }
                Boxed::Context(entries)
            }
            "list" => {
                let items = self
                    .children(node)
                    .filter(|c| is_boxed(c.tag_name().name()))
                    .collect::<Vec<_>>();
                Boxed::List(items.into_iter().map(|c| self.boxed(c, scope)).collect())
            }
            "relation" => {
                let columns: Vec<String> = self
                    .children(node)
                    .filter(|c| c.tag_name().name() == "column")
                    .map(|c| c.attribute("name").unwrap_or("").to_string())
                    .collect();
                let rows = self
                    .children(node)
                    .filter(|c| c.tag_name().name() == "row")
                    .collect::<Vec<_>>();
                let mut out = Vec::new();
                for r in rows {
                    let cells = self
                        .children(r)
                        .filter(|c| is_boxed(c.tag_name().name()))
                        .collect::<Vec<_>>();
                    if cells.len() != columns.len() {
                        self.problem(
                            r,
                            format!(
                                "relation row has {} cells but the relation has {} columns",
                                cells.len(),
                                columns.len()
                            ),
                        );
                    }
                    out.push(cells.into_iter().map(|c| self.boxed(c, scope)).collect());
                }
                Boxed::Relation(columns, out)
            }
            "invocation" => {
                let callee = match self.child(node, "literalExpression") {
                    Some(l) => {
                        let t = self.text_of(l).unwrap_or("");
                        self.expr(l, t, scope)
                    }
                    None => {
                        self.problem(node, "invocation without the name of what it invokes");
                        null_expr()
                    }
                };
                let mut bindings = Vec::new();
                for b in self
                    .children(node)
                    .filter(|c| c.tag_name().name() == "binding")
                    .collect::<Vec<_>>()
                {
                    let name = self
                        .child(b, "parameter")
                        .and_then(|p| p.attribute("name"))
                        .unwrap_or("")
                        .to_string();
                    let value = self.boxed_child(b, scope);
                    bindings.push((name, value));
                }
                Boxed::Invocation(callee, bindings)
            }
            "functionDefinition" | "encapsulatedLogic" => {
                Boxed::Function(Arc::new(self.function(node, scope)))
            }
            "decisionTable" => Boxed::Table(Box::new(self.table(node, scope))),
            "conditional" => {
                let mut parts = ["if", "then", "else"].map(|_| Boxed::Null);
                for (i, name) in ["if", "then", "else"].iter().enumerate() {
                    if let Some(c) = self.child(node, name) {
                        parts[i] = self.boxed_child(c, scope);
                    }
                }
                Boxed::Conditional(Box::new(parts))
            }
            kind @ ("for" | "some" | "every") => {
                let var = node.attribute("iteratorVariable").unwrap_or("").to_string();
                let source = match self.child(node, "in") {
                    Some(c) => self.boxed_child(c, scope),
                    None => Boxed::Null,
                };
                let mut inner = scope.clone();
                inner.add(&var);
                let body_name = if kind == "for" { "return" } else { "satisfies" };
                let body = match self.child(node, body_name) {
                    Some(c) => self.boxed_child(c, &inner),
                    None => Boxed::Null,
                };
                if kind == "for" {
                    Boxed::For(var, Box::new(source), Box::new(body))
                } else {
                    Boxed::Quantified(kind == "every", var, Box::new(source), Box::new(body))
                }
            }
            "filter" => {
                let source = match self.child(node, "in") {
                    Some(c) => self.boxed_child(c, scope),
                    None => Boxed::Null,
                };
                let mut inner = scope.clone();
                inner.add("item");
                let condition = match self.child(node, "match") {
                    Some(c) => self.boxed_child(c, &inner),
                    None => Boxed::Null,
                };
                Boxed::Filter(Box::new(source), Box::new(condition))
            }
            other => {
                self.problem(node, format!("unsupported expression `{other}`"));
                Boxed::Null
            }
        }
    }

    fn function(&mut self, node: Node<'a, 'a>, scope: &Scope) -> FunctionDef {
        let kind = node.attribute("kind").unwrap_or("FEEL");
        let java = if kind == "Java" {
            self.java_target(node)
        } else {
            None
        };
        let external = (kind != "FEEL" && java.is_none()).then_some(kind);
        if let Some(kind) = external {
            let (line, column) = self.pos(node);
            self.problems.push(Problem {
                element: Self::element_id(node),
                line,
                column,
                severity: Severity::Warning,
                expression_position: None,
                message: format!(
                    "function kind `{kind}` with this class and method is not supported: \
                     calls evaluate to null"
                ),
            });
        }
        let mut inner = scope.clone();
        let params: Vec<(String, Option<String>)> = self
            .children(node)
            .filter(|c| c.tag_name().name() == "formalParameter")
            .map(|p| {
                (
                    p.attribute("name").unwrap_or("").to_string(),
                    self.type_ref(p),
                )
            })
            .collect();
        for (p, _) in &params {
            inner.add(p);
        }
        let names: Vec<&str> = params.iter().map(|(p, _)| p.as_str()).collect();
        let body = if let Some(f) = java {
            Boxed::Literal(call_of(f, &names))
        } else if external.is_some() {
            Boxed::Null
        } else {
            self.boxed_child(node, &inner)
        };
        FunctionDef { params, body }
    }

    /// The Java method a `kind="Java"` function definition names with its
    /// `class` and `method signature` context entries, if supported.
    fn java_target(&self, node: Node<'a, 'a>) -> Option<Value> {
        let context = self.child(node, "context")?;
        let mut class = None;
        let mut signature = None;
        for e in self
            .children(context)
            .filter(|c| c.tag_name().name() == "contextEntry")
        {
            let name = self.child(e, "variable").and_then(|v| v.attribute("name"));
            let text = self
                .child(e, "literalExpression")
                .and_then(|l| self.text_of(l))
                .map(|t| t.trim().trim_matches('"').to_string());
            match name {
                Some("class") => class = text,
                Some("method signature") => signature = text,
                _ => {}
            }
        }
        java::function(&class?, &signature?)
    }

    fn table(&mut self, node: Node<'a, 'a>, scope: &Scope) -> DecisionTable {
        let aggregation = match node.attribute("aggregation") {
            None => None,
            Some("SUM") => Some(Aggregation::Sum),
            Some("MIN") => Some(Aggregation::Min),
            Some("MAX") => Some(Aggregation::Max),
            Some("COUNT") => Some(Aggregation::Count),
            Some(other) => {
                self.problem(node, format!("unknown aggregation `{other}`"));
                None
            }
        };
        let hit_policy = match node.attribute("hitPolicy").unwrap_or("UNIQUE") {
            "UNIQUE" => HitPolicy::Unique,
            "ANY" => HitPolicy::Any,
            "PRIORITY" => HitPolicy::Priority,
            "FIRST" => HitPolicy::First,
            "RULE ORDER" => HitPolicy::RuleOrder,
            "OUTPUT ORDER" => HitPolicy::OutputOrder,
            "COLLECT" => HitPolicy::Collect(aggregation),
            other => {
                self.problem(node, format!("unknown hit policy `{other}`"));
                HitPolicy::Unique
            }
        };
        let mut inputs = Vec::new();
        for i in self
            .children(node)
            .filter(|c| c.tag_name().name() == "input")
            .collect::<Vec<_>>()
        {
            let expr = match self.child(i, "inputExpression") {
                Some(ie) => {
                    let t = self.text_of(ie).unwrap_or("");
                    self.expr(ie, t, scope)
                }
                None => {
                    self.problem(i, "decision table input without an input expression");
                    null_expr()
                }
            };
            let allowed = self.child(i, "inputValues").and_then(|v| {
                let t = self.text_of(v)?;
                Some(self.unary_tests(v, t, scope))
            });
            inputs.push(InputClause { expr, allowed });
        }
        let mut outputs = Vec::new();
        for o in self
            .children(node)
            .filter(|c| c.tag_name().name() == "output")
            .collect::<Vec<_>>()
        {
            let mut priorities = Vec::new();
            let allowed = self.child(o, "outputValues").and_then(|v| {
                let t = self.text_of(v)?;
                if !t.trim().is_empty() {
                    for part in split_top_level(t) {
                        priorities.push(self.expr(v, part, scope));
                    }
                }
                Some(self.unary_tests(v, t, scope))
            });
            let default = self.child(o, "defaultOutputEntry").and_then(|d| {
                let t = self.text_of(d)?;
                Some(self.expr(d, t, scope))
            });
            outputs.push(OutputClause {
                name: o.attribute("name").unwrap_or("").to_string(),
                allowed,
                priorities,
                default,
            });
        }
        if outputs.is_empty() {
            self.problem(node, "decision table without outputs");
        }
        if outputs.len() > 1 && matches!(hit_policy, HitPolicy::Collect(Some(_))) {
            self.problem(
                node,
                "a collect hit policy with an aggregation needs a single output",
            );
        }
        let mut rules = Vec::new();
        for r in self
            .children(node)
            .filter(|c| c.tag_name().name() == "rule")
            .collect::<Vec<_>>()
        {
            let mut rule_inputs = Vec::new();
            let mut rule_outputs = Vec::new();
            let mut annotations = Vec::new();
            for c in self.children(r).collect::<Vec<_>>() {
                let t = self.text_of(c).unwrap_or("");
                match c.tag_name().name() {
                    "inputEntry" => rule_inputs.push(self.unary_tests(c, t, scope)),
                    "outputEntry" => {
                        if t.trim().is_empty() {
                            rule_outputs.push(null_expr());
                        } else {
                            rule_outputs.push(self.expr(c, t, scope));
                        }
                    }
                    "annotationEntry" => annotations.push(t.to_string()),
                    _ => {}
                }
            }
            if rule_inputs.len() != inputs.len() || rule_outputs.len() != outputs.len() {
                self.problem(
                    r,
                    format!(
                        "rule has {} input and {} output entries, the table has {} inputs and {} outputs",
                        rule_inputs.len(),
                        rule_outputs.len(),
                        inputs.len(),
                        outputs.len()
                    ),
                );
            }
            rules.push(Rule {
                inputs: rule_inputs,
                outputs: rule_outputs,
                annotations,
            });
        }
        DecisionTable {
            hit_policy,
            inputs,
            outputs,
            rules,
        }
    }
}

fn is_boxed(name: &str) -> bool {
    matches!(
        name,
        "literalExpression"
            | "context"
            | "list"
            | "relation"
            | "invocation"
            | "functionDefinition"
            | "decisionTable"
            | "conditional"
            | "for"
            | "some"
            | "every"
            | "filter"
    )
}

pub(crate) fn null_expr() -> Expr {
    Expr {
        kind: ExprKind::Literal(flowdesk_feel::Value::Null),
        span: flowdesk_feel::Span::default(),
    }
}

/// Splits `"a","b,c",d` at top-level commas (outside strings and brackets).
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_string = false;
    let mut start = 0;
    let mut prev = '\0';
    for (i, c) in s.char_indices() {
        match c {
            '"' if prev != '\\' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' | ']' | '}' if !in_string => depth -= 1,
            ',' if !in_string && depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        prev = c;
    }
    out.push(&s[start..]);
    out.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Parses and compiles a DMN document.
pub(crate) fn load(xml: &str) -> Result<ModelData, Problems> {
    let doc = Document::parse(xml).map_err(|e| {
        let p = e.pos();
        Problems(vec![Problem {
            element: String::new(),
            line: p.row,
            column: p.col,
            severity: Severity::Error,
            expression_position: None,
            message: format!("malformed XML: {e}"),
        }])
    })?;
    let root = doc.root_element();
    let ns = root.tag_name().namespace().unwrap_or("");
    if root.tag_name().name() != "definitions" || !DMN_NAMESPACES.contains(&ns) {
        let p = doc.text_pos_at(root.range().start);
        return Err(Problems(vec![Problem {
            element: root.attribute("id").unwrap_or("").to_string(),
            line: p.row,
            column: p.col,
            severity: Severity::Error,
            expression_position: None,
            message: format!(
                "not a DMN model: the root element is `{}` in namespace `{ns}`, expected \
                 `definitions` in a DMN 1.1 to 1.5 namespace",
                root.tag_name().name()
            ),
        }]));
    }
    let mut loader = Loader {
        doc: &doc,
        ns,
        problems: Vec::new(),
        callable: HashSet::new(),
        instance_types: Vec::new(),
        current_bkm: None,
    };
    let elements: Vec<Node> = loader.children(root).collect();

    // Names known to every expression of the model.
    let mut scope = Scope::new();
    let mut imports = Vec::new();
    for e in &elements {
        let name = e.attribute("name").unwrap_or("");
        match e.tag_name().name() {
            "decision" | "inputData" | "businessKnowledgeModel" | "decisionService" => {
                scope.add(name);
                loader.callable.insert(name.to_string());
            }
            "import" => {
                scope.add(name);
                imports.push(Import {
                    name: name.to_string(),
                    namespace: e.attribute("namespace").unwrap_or("").to_string(),
                });
            }
            _ => {}
        }
    }
    for d in doc.descendants() {
        match d.tag_name().name() {
            "itemComponent" => {
                if let Some(n) = d.attribute("name") {
                    scope.add(n);
                }
            }
            // Names bound inside boxed expressions may hold functions.
            "variable" | "formalParameter" | "column" | "parameter" => {
                if let Some(n) = d.attribute("name") {
                    loader.callable.insert(n.to_string());
                }
            }
            "for" | "some" | "every" => {
                if let Some(n) = d.attribute("iteratorVariable") {
                    loader.callable.insert(n.to_string());
                }
            }
            _ => {}
        }
    }

    let mut model = ModelData {
        name: root.attribute("name").unwrap_or("").to_string(),
        namespace: root.attribute("namespace").unwrap_or("").to_string(),
        item_defs: HashMap::new(),
        decisions: Vec::new(),
        inputs: Vec::new(),
        bkms: Vec::new(),
        services: Vec::new(),
        imports,
        warnings: Vec::new(),
        instance_types: Vec::new(),
    };
    let mut ids: HashMap<String, (u32, u32)> = HashMap::new();
    for e in elements {
        if let Some(id) = e.attribute("id") {
            if ids.insert(id.to_string(), loader.pos(e)).is_some() {
                loader.problem(e, format!("duplicate id `{id}`"));
            }
        }
        let name = e.attribute("name").unwrap_or("").to_string();
        // Without an id (allowed by DMN), an element is known by its name;
        // an empty id would make every such element the same one.
        let id = e.attribute("id").unwrap_or(&name).to_string();
        match e.tag_name().name() {
            "itemDefinition" => {
                let def = loader.item_def(e, &scope);
                model.item_defs.insert(def.name.clone(), def);
            }
            "inputData" => {
                let type_ref = loader.child(e, "variable").and_then(|v| loader.type_ref(v));
                let (provider, position) = loader.provider(e);
                model.inputs.push(InputData {
                    id,
                    name,
                    type_ref,
                    provider,
                    position,
                });
            }
            "decision" => {
                let (line, column) = loader.pos(e);
                let type_ref = loader.child(e, "variable").and_then(|v| loader.type_ref(v));
                let logic = loader.boxed_child(e, &scope);
                model.decisions.push(Decision {
                    id,
                    name,
                    line,
                    column,
                    type_ref,
                    required_decisions: loader.hrefs(
                        e,
                        "informationRequirement",
                        "requiredDecision",
                    ),
                    required_inputs: loader.hrefs(e, "informationRequirement", "requiredInput"),
                    required_knowledge: loader.hrefs(
                        e,
                        "knowledgeRequirement",
                        "requiredKnowledge",
                    ),
                    logic,
                });
            }
            "businessKnowledgeModel" => {
                loader.current_bkm = Some(name.clone());
                let function = match loader.child(e, "encapsulatedLogic") {
                    Some(l) => loader.function(l, &scope),
                    None => FunctionDef {
                        params: Vec::new(),
                        body: Boxed::Null,
                    },
                };
                loader.current_bkm = None;
                model.bkms.push(Bkm {
                    id,
                    name,
                    function: Arc::new(function),
                    required_knowledge: loader.hrefs(
                        e,
                        "knowledgeRequirement",
                        "requiredKnowledge",
                    ),
                });
            }
            "decisionService" => model.services.push(DecisionService {
                id,
                name,
                type_ref: loader.child(e, "variable").and_then(|v| loader.type_ref(v)),
                outputs: loader.direct_hrefs(e, "outputDecision"),
                input_decisions: loader.direct_hrefs(e, "inputDecision"),
                input_data: loader.direct_hrefs(e, "inputData"),
            }),
            _ => {}
        }
    }
    check_references(&mut loader, &model, &ids);
    check_decision_providers(&mut loader, &model);
    check_cycles(&mut loader, &model);
    if loader
        .problems
        .iter()
        .any(|p| p.severity == Severity::Error)
    {
        Err(Problems(loader.problems))
    } else {
        model.warnings = loader.problems;
        model.instance_types = loader.instance_types;
        Ok(model)
    }
}

/// A decision provider must name a decision of the model.
fn check_decision_providers(loader: &mut Loader, model: &ModelData) {
    for input in &model.inputs {
        let Some(ProviderSpec {
            source: ProviderSource::Decision { decision },
            ..
        }) = &input.provider
        else {
            continue;
        };
        if by_id_or_name(&model.decisions, decision).is_none() {
            loader.problems.push(Problem {
                element: input.id.clone(),
                line: input.position.0,
                column: input.position.1,
                severity: Severity::Error,
                expression_position: None,
                message: format!(
                    "the provider of input data `{}` names decision `{decision}`, which is not \
                     a decision of the model",
                    input.name
                ),
            });
        }
    }
}

fn check_references(loader: &mut Loader, model: &ModelData, ids: &HashMap<String, (u32, u32)>) {
    for d in &model.decisions {
        for h in d
            .required_decisions
            .iter()
            .chain(&d.required_inputs)
            .chain(&d.required_knowledge)
        {
            if h.namespace.is_none() && !ids.contains_key(&h.id) {
                loader.problems.push(Problem {
                    element: d.id.clone(),
                    line: d.line,
                    column: d.column,
                    severity: Severity::Error,
                    expression_position: None,
                    message: format!(
                        "decision `{}` requires `#{}`, which is not an element of the model",
                        d.name, h.id
                    ),
                });
            }
        }
    }
}

fn check_cycles(loader: &mut Loader, model: &ModelData) {
    let index: HashMap<&str, usize> = model
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; model.decisions.len()];
    let mut reported = HashSet::new();
    for start in 0..model.decisions.len() {
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let reqs = &model.decisions[node].required_decisions;
            if *next < reqs.len() {
                let h = &reqs[*next];
                *next += 1;
                if h.namespace.is_some() {
                    continue;
                }
                let Some(&target) = index.get(h.id.as_str()) else {
                    continue;
                };
                match state[target] {
                    0 => {
                        state[target] = 1;
                        stack.push((target, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let names: Vec<&str> = stack[from..]
                            .iter()
                            .map(|(n, _)| model.decisions[*n].name.as_str())
                            .chain(std::iter::once(model.decisions[target].name.as_str()))
                            .collect();
                        let d = &model.decisions[target];
                        if reported.insert(target) {
                            loader.problems.push(Problem {
                                element: d.id.clone(),
                                line: d.line,
                                column: d.column,
                                severity: Severity::Error,
                                expression_position: None,
                                message: format!(
                                    "cycle in the decision requirements graph: {}",
                                    names.join(" -> ")
                                ),
                            });
                        }
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
}

/// The name of the host function that tests `instance of` the `index`th
/// type naming item definitions (FEEL alone cannot know item definitions).
pub(crate) fn instance_of_name(index: usize) -> String {
    format!("\u{0}instance of {index}")
}

fn names_item(t: &Type) -> bool {
    match t {
        Type::Named(_) => true,
        Type::List(i) | Type::Range(i) => names_item(i),
        Type::Context(entries) => entries.iter().any(|(_, t)| names_item(t)),
        _ => false,
    }
}

/// Replaces what FEEL alone cannot evaluate by calls of host functions:
/// `x instance of T` where `T` names item definitions (bound by the
/// evaluation), and `external {java: ...}` functions of `java.lang`.
fn rewrite_host_calls(e: &mut Expr, types: &mut Vec<Type>) {
    if let ExprKind::InstanceOf(inner, ty) = &mut e.kind {
        rewrite_host_calls(inner, types);
        if names_item(ty) {
            types.push(ty.clone());
            let callee = Expr {
                kind: ExprKind::Name(instance_of_name(types.len() - 1).into()),
                span: e.span,
            };
            let arg = std::mem::replace(&mut **inner, null_expr());
            e.kind = ExprKind::Call(Box::new(callee), Arguments::Positional(vec![arg]));
        }
        return;
    }
    if let ExprKind::Function {
        params,
        body,
        external: true,
    } = &e.kind
    {
        if let Some(f) = java_external(body) {
            let names: Vec<&str> = params.iter().map(|(p, _)| &**p).collect();
            let call = call_of(f, &names);
            e.kind = ExprKind::Function {
                params: params.clone(),
                body: Arc::new(call),
                external: false,
            };
        }
        return;
    }
    let mut each = |x: &mut Expr| rewrite_host_calls(x, types);
    match &mut e.kind {
        ExprKind::Literal(_) | ExprKind::Name(_) | ExprKind::InputValue => {}
        ExprKind::Path(a, _)
        | ExprKind::Negate(a)
        | ExprKind::InstanceOf(a, _)
        | ExprKind::UnaryComparison(_, a) => each(a),
        ExprKind::Filter(a, b)
        | ExprKind::Binary(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b) => {
            each(a);
            each(b);
        }
        ExprKind::Range { start, end, .. } => {
            each(start);
            each(end);
        }
        ExprKind::Call(c, args) => {
            each(c);
            match args {
                Arguments::Positional(a) => a.iter_mut().for_each(each),
                Arguments::Named(a) => a.iter_mut().for_each(|(_, x)| each(x)),
            }
        }
        ExprKind::Between(a, b, c) | ExprKind::If(a, b, c) => {
            each(a);
            each(b);
            each(c);
        }
        ExprKind::In(a, tests) => {
            each(a);
            tests.iter_mut().for_each(|t| each(&mut t.expr));
        }
        ExprKind::For {
            iterations, body, ..
        } => {
            for (_, it) in iterations {
                match it {
                    Iteration::List(x) => each(x),
                    Iteration::Range(a, b) => {
                        each(a);
                        each(b);
                    }
                }
            }
            each(body);
        }
        ExprKind::Quantified {
            iterations,
            condition,
            ..
        } => {
            iterations.iter_mut().for_each(|(_, x)| each(x));
            each(condition);
        }
        ExprKind::Function { body, .. } => each(Arc::make_mut(body)),
        ExprKind::List(items) => items.iter_mut().for_each(each),
        ExprKind::Context(entries) => entries.iter_mut().for_each(|(_, x)| each(x)),
    }
}

/// The Java method of `external {java: {class: "...", method signature: "..."}}`.
fn java_external(body: &Expr) -> Option<Value> {
    let entry = |e: &Expr, key: &str| -> Option<Expr> {
        match &e.kind {
            ExprKind::Context(entries) => entries
                .iter()
                .find(|(k, _)| &**k == key)
                .map(|(_, v)| v.clone()),
            _ => None,
        }
    };
    let text = |e: Option<Expr>| -> Option<String> {
        match e?.kind {
            ExprKind::Literal(Value::String(s)) => Some(s.to_string()),
            _ => None,
        }
    };
    let spec = entry(body, "java")?;
    java::function(
        &text(entry(&spec, "class"))?,
        &text(entry(&spec, "method signature"))?,
    )
}

/// `f(a, b, ...)` with `f` a function value and the arguments names.
fn call_of(f: Value, args: &[&str]) -> Expr {
    let span = flowdesk_feel::Span::default();
    let callee = Expr {
        kind: ExprKind::Literal(f),
        span,
    };
    let args = args
        .iter()
        .map(|a| Expr {
            kind: ExprKind::Name((*a).into()),
            span,
        })
        .collect();
    Expr {
        kind: ExprKind::Call(Box::new(callee), Arguments::Positional(args)),
        span,
    }
}

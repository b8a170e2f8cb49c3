//! Evaluation of compiled models: the decision requirements graph, boxed
//! expressions, decision tables and type conformance.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::Arc;

use flowdesk_feel::{
    ast::Arguments, evaluate, evaluate_unary_tests, Context, Env, Expr, ExprKind, Function,
    NativeFunction, Span, Type, Value,
};

use crate::model::{
    instance_of_name, Aggregation, Boxed, DecisionTable, FunctionDef, HitPolicy, Href, ItemDef,
    ModelData,
};
use crate::provider::{
    shape_rows, DataProvider, ProviderError, ProviderFetch, ProviderRequest, ProviderSource,
    ProviderSpec,
};
use crate::trace::{DecisionTrace, Trace};

/// Everything an evaluation may reach: the models of the catalog and the
/// environment (clock). Cheap to clone; functions made from business
/// knowledge models and decision services hold one.
#[derive(Clone)]
pub(crate) struct Runtime {
    pub models: Arc<Vec<Arc<ModelData>>>,
    pub env: Env,
    /// Nesting of host function calls (business knowledge models, boxed
    /// functions), bounded so runaway recursion yields `null` instead of
    /// exhausting the stack.
    pub depth: Arc<AtomicUsize>,
    /// Whether every entry of the evaluation context is visible to every
    /// decision (see [`crate::Catalog::with_open_inputs`]).
    pub open_inputs: bool,
    /// Fetches the data of SQL and HTTP providers.
    pub provider: Option<Arc<dyn DataProvider>>,
}

/// Deepest nesting of business knowledge model and function calls.
const MAX_CALL_DEPTH: usize = 512;

/// The state of one top-level evaluation: each decision is evaluated once.
pub(crate) struct Session {
    memo: HashMap<(usize, String), Value>,
    pub trace: Trace,
    /// Decision values given instead of evaluated (decision service inputs).
    overrides: HashMap<(usize, String), Value>,
    /// Values of inputs fetched by their providers, by model and input id:
    /// each input is fetched once per evaluation.
    fetched: HashMap<(usize, String), Value>,
}

impl Session {
    pub fn new() -> Session {
        Session {
            memo: HashMap::new(),
            trace: Trace::default(),
            overrides: HashMap::new(),
            fetched: HashMap::new(),
        }
    }
}

/// A parameter of a decision service.
struct ServiceParam {
    model: usize,
    name: String,
    type_ref: Option<String>,
}

const MAX_TYPE_DEPTH: usize = 32;

impl Runtime {
    pub fn model_by_namespace(&self, ns: &str) -> Option<usize> {
        self.models.iter().position(|m| m.namespace == ns)
    }

    /// The model an href points into, from model `m`.
    fn target(&self, m: usize, h: &Href) -> Option<usize> {
        match &h.namespace {
            None => Some(m),
            Some(ns) if *ns == self.models[m].namespace => Some(m),
            Some(ns) => self.model_by_namespace(ns),
        }
    }

    /// The import name under which model `m` sees model `t` (None when the same).
    fn import_name(&self, m: usize, t: usize) -> Option<String> {
        if m == t {
            return None;
        }
        let ns = &self.models[t].namespace;
        self.models[m]
            .imports
            .iter()
            .find(|i| &i.namespace == ns)
            .map(|i| i.name.clone())
    }

    /// Inputs as model `t` sees them when imported into `m`.
    fn inputs_for(&self, m: usize, t: usize, inputs: &Context) -> Context {
        match self.import_name(m, t) {
            None => inputs.clone(),
            Some(name) => match inputs.get(&name) {
                Some(Value::Context(c)) => {
                    let mut merged = inputs.clone();
                    for (k, v) in c.iter() {
                        merged.insert(k.clone(), v.clone());
                    }
                    merged
                }
                _ => inputs.clone(),
            },
        }
    }

    /// Evaluates decision `id` of model `m` and everything it requires.
    pub fn decision(&self, m: usize, id: &str, inputs: &Context, s: &mut Session) -> Value {
        let key = (m, id.to_string());
        if let Some(v) = s.overrides.get(&key) {
            return v.clone();
        }
        if let Some(v) = s.memo.get(&key) {
            return v.clone();
        }
        let model = self.models[m].clone();
        let Some(d) = model.decisions.iter().find(|d| d.id == id) else {
            return Value::Null;
        };
        let mut ctx = Context::new();
        if self.open_inputs {
            // Declared requirements, bound below, take precedence.
            for (name, value) in inputs.iter() {
                ctx.insert(name.clone(), value.clone());
            }
        }
        let mut imported: HashMap<String, Context> = HashMap::new();
        let mut bind = |rt: &Runtime, t: usize, name: &str, v: Value, ctx: &mut Context| match rt
            .import_name(m, t)
        {
            None => ctx.insert(name, v),
            Some(imp) => imported.entry(imp).or_default().insert(name, v),
        };
        for h in &d.required_inputs {
            let Some(t) = self.target(m, h) else { continue };
            let Some(i) = self.models[t].inputs.iter().find(|i| i.id == h.id) else {
                continue;
            };
            let tin = self.inputs_for(m, t, inputs);
            let raw = match (tin.get(&i.name), &i.provider) {
                (Some(given), _) => given.clone(),
                (None, Some(spec)) => self.fetch(t, &i.id, &i.name, spec, &tin, s),
                (None, None) => Value::Null,
            };
            let v = match &i.type_ref {
                Some(tr) => self.conform(t, tr, raw, 0).unwrap_or(Value::Null),
                None => raw,
            };
            bind(self, t, &i.name, v, &mut ctx);
        }
        for h in &d.required_decisions {
            let Some(t) = self.target(m, h) else { continue };
            let Some(name) = self.models[t]
                .decisions
                .iter()
                .find(|x| x.id == h.id)
                .map(|x| x.name.clone())
            else {
                continue;
            };
            let tin = self.inputs_for(m, t, inputs);
            let v = self.decision(t, &h.id, &tin, s);
            bind(self, t, &name, v, &mut ctx);
        }
        for h in &d.required_knowledge {
            let Some(t) = self.target(m, h) else { continue };
            if let Some((name, v)) = self.invocable(t, &h.id) {
                bind(self, t, &name, v, &mut ctx);
            }
        }
        // Functions of the model that a model forgot to declare as knowledge
        // requirements are still callable.
        for b in &model.bkms {
            if !ctx.contains_key(&b.name) {
                if let Some((name, v)) = self.invocable(m, &b.id) {
                    ctx.insert(name, v);
                }
            }
        }
        for (imp, c) in imported {
            let merged = match ctx.get(&imp) {
                Some(Value::Context(old)) => {
                    let mut o = (**old).clone();
                    for (k, v) in c.iter() {
                        o.insert(k.clone(), v.clone());
                    }
                    o
                }
                _ => c,
            };
            ctx.insert(imp, Value::context(merged));
        }
        self.bind_instance_tests(m, &mut ctx);
        let mut matched = Vec::new();
        let raw = self.boxed(m, &d.logic, &ctx, Some(&mut matched));
        let value = match &d.type_ref {
            Some(tr) => self.conform(m, tr, raw, 0).unwrap_or(Value::Null),
            None => raw,
        };
        s.trace.decisions.push(DecisionTrace {
            id: d.id.clone(),
            name: d.name.clone(),
            inputs: ctx,
            annotations: annotations_of(&d.logic, &matched),
            matched_rules: matched,
            output: value.clone(),
        });
        s.memo.insert(key, value.clone());
        value
    }

    /// The value of input `id` (named `name`) of model `m` from its
    /// provider, fetched once per evaluation and recorded in the trace.
    fn fetch(
        &self,
        m: usize,
        id: &str,
        name: &str,
        spec: &ProviderSpec,
        inputs: &Context,
        s: &mut Session,
    ) -> Value {
        let key = (m, id.to_string());
        if let Some(v) = s.fetched.get(&key) {
            return v.clone();
        }
        let parameters: Vec<(String, Value)> = spec
            .parameters
            .iter()
            .map(|p| (p.clone(), inputs.get(p).cloned().unwrap_or(Value::Null)))
            .collect();
        let mut entry = ProviderFetch {
            input_id: id.to_string(),
            input: name.to_string(),
            provider: spec.label(),
            target: String::new(),
            parameters: parameters.iter().cloned().collect(),
            value: Value::Null,
            rows: None,
            duration: None,
            error: None,
        };
        let value = match &spec.source {
            ProviderSource::Decision { decision } => {
                entry.target = decision.clone();
                let model = self.models[m].clone();
                match crate::model::by_id_or_name(&model.decisions, decision) {
                    Some(d) => self.decision(m, &d.id, inputs, s),
                    None => Value::Null,
                }
            }
            ProviderSource::Sql { query, result, .. } => {
                entry.target = query.clone();
                let fetched = self.ask_provider(name, spec, &parameters, &mut entry);
                fetched.map_or(Value::Null, |rows| shape_rows(rows, *result))
            }
            ProviderSource::Http { url, .. } => {
                entry.target = url.clone();
                self.ask_provider(name, spec, &parameters, &mut entry)
                    .unwrap_or(Value::Null)
            }
        };
        entry.value = value.clone();
        s.trace.fetches.push(entry);
        s.fetched.insert(key, value.clone());
        value
    }

    fn ask_provider(
        &self,
        name: &str,
        spec: &ProviderSpec,
        parameters: &[(String, Value)],
        entry: &mut ProviderFetch,
    ) -> Option<Value> {
        let request = ProviderRequest {
            input: name,
            spec,
            parameters,
        };
        let result = match &self.provider {
            Some(p) => p.fetch(&request),
            None => Err(ProviderError::NotConfigured),
        };
        match result {
            Ok(fetched) => {
                entry.rows = fetched.rows;
                entry.duration = Some(fetched.duration);
                Some(fetched.value)
            }
            Err(e) => {
                entry.error = Some(e.to_string());
                None
            }
        }
    }

    /// A business knowledge model or decision service as a function value.
    pub fn invocable(&self, m: usize, id: &str) -> Option<(String, Value)> {
        let model = &self.models[m];
        if let Some(b) = model.bkms.iter().find(|b| b.id == id) {
            let rt = self.clone();
            let def = b.function.clone();
            let id = b.id.clone();
            let f = NativeFunction {
                name: b.name.clone(),
                params: def.params.iter().map(|(p, _)| p.clone()).collect(),
                required: 0,
                call: Box::new(move |args: &[Value]| rt.call_bkm(m, &id, args)),
            };
            return Some((
                b.name.clone(),
                Value::Function(Function::Native(Arc::new(f))),
            ));
        }
        if let Some(ds) = model.services.iter().find(|x| x.id == id) {
            let rt = self.clone();
            let id = ds.id.clone();
            let params = self.service_params(m, &id);
            let f = NativeFunction {
                name: ds.name.clone(),
                params: params.iter().map(|p| p.name.clone()).collect(),
                // A decision service invoked without one of its parameters
                // is an error, unlike one invoked with an explicit null.
                required: params.len(),
                call: Box::new(move |args: &[Value]| {
                    let params = rt.service_params(m, &id);
                    let mut inputs = Context::new();
                    for (p, v) in params.iter().zip(args) {
                        // An argument of the wrong type: the service is not invoked.
                        let v = match &p.type_ref {
                            Some(t) => match rt.conform(p.model, t, v.clone(), 0) {
                                Some(v) => v,
                                None => return Value::Null,
                            },
                            None => v.clone(),
                        };
                        inputs.insert(p.name.as_str(), v);
                    }
                    rt.service(m, &id, &inputs, &mut Session::new())
                }),
            };
            return Some((
                ds.name.clone(),
                Value::Function(Function::Native(Arc::new(f))),
            ));
        }
        None
    }

    fn call_bkm(&self, m: usize, id: &str, args: &[Value]) -> Value {
        let model = self.models[m].clone();
        let Some(b) = model.bkms.iter().find(|b| b.id == id) else {
            return Value::Null;
        };
        let mut ctx = Context::new();
        for h in &b.required_knowledge {
            if let Some(t) = self.target(m, h) {
                if let Some((name, v)) = self.invocable(t, &h.id) {
                    match self.import_name(m, t) {
                        None => ctx.insert(name, v),
                        Some(imp) => {
                            let mut c = match ctx.get(&imp) {
                                Some(Value::Context(c)) => (**c).clone(),
                                _ => Context::new(),
                            };
                            c.insert(name, v);
                            ctx.insert(imp, Value::context(c));
                        }
                    }
                }
            }
        }
        for other in &model.bkms {
            if !ctx.contains_key(&other.name) {
                if let Some((name, v)) = self.invocable(m, &other.id) {
                    ctx.insert(name, v);
                }
            }
        }
        self.bind_instance_tests(m, &mut ctx);
        self.apply(m, &b.function, &ctx, args)
    }

    /// Binds the host functions that `instance of` tests naming item
    /// definitions were compiled into.
    fn bind_instance_tests(&self, m: usize, ctx: &mut Context) {
        for (i, ty) in self.models[m].instance_types.iter().enumerate() {
            let rt = self.clone();
            let ty = ty.clone();
            let f = NativeFunction {
                name: "instance of".to_string(),
                params: vec!["value".to_string()],
                required: 0,
                call: Box::new(move |args: &[Value]| {
                    let v = args.first().cloned().unwrap_or(Value::Null);
                    Value::Boolean(rt.instance_of(m, &v, &ty, 0))
                }),
            };
            ctx.insert(
                instance_of_name(i),
                Value::Function(Function::Native(Arc::new(f))),
            );
        }
    }

    /// `v instance of ty`, where `ty` may name item definitions of model `m`.
    fn instance_of(&self, m: usize, v: &Value, ty: &Type, depth: usize) -> bool {
        if depth > MAX_TYPE_DEPTH {
            return false;
        }
        match ty {
            Type::Named(n) => {
                if let Some(b) = builtin_type(n) {
                    return flowdesk_feel::conforms(v, &b);
                }
                match self.item_def(m, n) {
                    Some((t, def)) => !v.is_null() && self.item_instance(t, def, v, depth + 1),
                    None => false,
                }
            }
            Type::List(inner) => match v {
                Value::List(l) => l
                    .iter()
                    .all(|x| x.is_null() || self.instance_of(m, x, inner, depth + 1)),
                _ => false,
            },
            Type::Context(entries) => match v {
                Value::Context(c) => entries.iter().all(|(k, t)| {
                    c.get(k)
                        .is_some_and(|x| x.is_null() || self.instance_of(m, x, t, depth + 1))
                }),
                _ => false,
            },
            _ => flowdesk_feel::conforms(v, ty),
        }
    }

    /// An item definition by (possibly import-qualified) name, with the
    /// model that declares it.
    fn item_def(&self, m: usize, name: &str) -> Option<(usize, &ItemDef)> {
        let model = &self.models[m];
        if let Some(def) = model.item_defs.get(name) {
            return Some((m, def));
        }
        let (imp, rest) = name.split_once('.')?;
        let i = model.imports.iter().find(|i| i.name == imp)?;
        let t = self.model_by_namespace(&i.namespace)?;
        self.models[t].item_defs.get(rest).map(|d| (t, d))
    }

    fn item_instance(&self, m: usize, def: &ItemDef, v: &Value, depth: usize) -> bool {
        if def.is_collection {
            return match v {
                Value::List(l) => l
                    .iter()
                    .all(|x| x.is_null() || self.item_element(m, def, x, depth)),
                _ => false,
            };
        }
        self.item_element(m, def, v, depth)
    }

    fn item_element(&self, m: usize, def: &ItemDef, v: &Value, depth: usize) -> bool {
        // `instance of` checks the shape of a value, not the allowed values
        // of its type (DMN 1.5, 10.3.2.9.1).
        if def.is_function {
            matches!(v, Value::Function(_))
        } else if !def.components.is_empty() {
            match v {
                Value::Context(c) => def.components.iter().all(|comp| {
                    c.get(&comp.name)
                        .is_some_and(|x| x.is_null() || self.item_instance(m, comp, x, depth + 1))
                }),
                _ => false,
            }
        } else if let Some(tr) = &def.type_ref {
            self.instance_of(m, v, &Type::Named(tr.clone()), depth + 1)
        } else {
            true
        }
    }

    /// Applies a function definition to arguments in parameter order.
    fn apply(&self, m: usize, def: &FunctionDef, closure: &Context, args: &[Value]) -> Value {
        if self.depth.fetch_add(1, AtomicOrdering::Relaxed) >= MAX_CALL_DEPTH {
            self.depth.fetch_sub(1, AtomicOrdering::Relaxed);
            return Value::Null;
        }
        let result = self.apply_unbounded(m, def, closure, args);
        self.depth.fetch_sub(1, AtomicOrdering::Relaxed);
        result
    }

    fn apply_unbounded(
        &self,
        m: usize,
        def: &FunctionDef,
        closure: &Context,
        args: &[Value],
    ) -> Value {
        let mut ctx = closure.clone();
        for (i, (p, ty)) in def.params.iter().enumerate() {
            let v = args.get(i).cloned().unwrap_or(Value::Null);
            let v = match ty {
                Some(t) => match self.conform(m, t, v, 0) {
                    Some(v) => v,
                    None => return Value::Null,
                },
                None => v,
            };
            ctx.insert(p.as_str(), v);
        }
        self.boxed(m, &def.body, &ctx, None)
    }

    /// The parameters of a decision service: input data, then input
    /// decisions.
    fn service_params(&self, m: usize, id: &str) -> Vec<ServiceParam> {
        let Some(ds) = self.models[m].services.iter().find(|x| x.id == id) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for h in ds.input_data.iter() {
            if let Some(t) = self.target(m, h) {
                if let Some(i) = self.models[t].inputs.iter().find(|i| i.id == h.id) {
                    out.push(ServiceParam {
                        model: t,
                        name: i.name.clone(),
                        type_ref: i.type_ref.clone(),
                    });
                }
            }
        }
        for h in ds.input_decisions.iter() {
            if let Some(t) = self.target(m, h) {
                if let Some(d) = self.models[t].decisions.iter().find(|d| d.id == h.id) {
                    out.push(ServiceParam {
                        model: t,
                        name: d.name.clone(),
                        type_ref: d.type_ref.clone(),
                    });
                }
            }
        }
        out
    }

    /// Evaluates a decision service with inputs by parameter name.
    pub fn service(&self, m: usize, id: &str, inputs: &Context, s: &mut Session) -> Value {
        let model = self.models[m].clone();
        let Some(ds) = model.services.iter().find(|x| x.id == id) else {
            return Value::Null;
        };
        for h in &ds.input_decisions {
            if let Some(t) = self.target(m, h) {
                if let Some(d) = self.models[t].decisions.iter().find(|d| d.id == h.id) {
                    let v = inputs.get(&d.name).cloned().unwrap_or(Value::Null);
                    let v = match &d.type_ref {
                        Some(tr) => self.conform(t, tr, v, 0).unwrap_or(Value::Null),
                        None => v,
                    };
                    s.overrides.insert((t, h.id.clone()), v);
                }
            }
        }
        let mut out = Context::new();
        let mut single = None;
        for h in &ds.outputs {
            let Some(t) = self.target(m, h) else { continue };
            let Some(name) = self.models[t]
                .decisions
                .iter()
                .find(|d| d.id == h.id)
                .map(|d| d.name.clone())
            else {
                continue;
            };
            let v = self.decision(t, &h.id, inputs, s);
            single = Some(v.clone());
            out.insert(name, v);
        }
        let result = if ds.outputs.len() == 1 {
            single.unwrap_or(Value::Null)
        } else {
            Value::context(out)
        };
        match &ds.type_ref {
            Some(t) => self.conform(m, t, result, 0).unwrap_or(Value::Null),
            None => result,
        }
    }

    fn eval(&self, e: &Expr, ctx: &Context) -> Value {
        evaluate(e, ctx, &self.env)
    }

    /// Evaluates a boxed expression.
    pub fn boxed(
        &self,
        m: usize,
        b: &Boxed,
        ctx: &Context,
        matched: Option<&mut Vec<usize>>,
    ) -> Value {
        match b {
            Boxed::Null => Value::Null,
            Boxed::Literal(e) => self.eval(e, ctx),
            Boxed::Context(entries) => {
                let mut scope = ctx.clone();
                let mut result = Context::new();
                for e in entries {
                    let v = self.boxed(m, &e.value, &scope, None);
                    let v = match &e.type_ref {
                        Some(t) => self.conform(m, t, v, 0).unwrap_or(Value::Null),
                        None => v,
                    };
                    match &e.name {
                        Some(n) => {
                            scope.insert(n.as_str(), v.clone());
                            result.insert(n.as_str(), v);
                        }
                        None => return v,
                    }
                }
                Value::context(result)
            }
            Boxed::List(items) => {
                Value::list(items.iter().map(|i| self.boxed(m, i, ctx, None)).collect())
            }
            Boxed::Relation(columns, rows) => Value::list(
                rows.iter()
                    .map(|r| {
                        let mut c = Context::new();
                        for (col, cell) in columns.iter().zip(r) {
                            c.insert(col.as_str(), self.boxed(m, cell, ctx, None));
                        }
                        Value::context(c)
                    })
                    .collect(),
            ),
            Boxed::Invocation(callee, bindings) => {
                let f = self.eval(callee, ctx);
                if !matches!(f, Value::Function(_)) {
                    return Value::Null;
                }
                let mut call_ctx = ctx.clone();
                call_ctx.insert("\u{0}callee", f);
                let mut args = Vec::new();
                for (i, (name, value)) in bindings.iter().enumerate() {
                    let v = self.boxed(m, value, ctx, None);
                    let arg = format!("\u{0}arg{i}");
                    call_ctx.insert(arg.as_str(), v);
                    args.push((name.as_str().into(), name_expr(&arg)));
                }
                let call = Expr {
                    kind: ExprKind::Call(
                        Box::new(name_expr("\u{0}callee")),
                        Arguments::Named(args),
                    ),
                    span: Span::default(),
                };
                self.eval(&call, &call_ctx)
            }
            Boxed::Function(def) => {
                let rt = self.clone();
                let def = def.clone();
                let closure = ctx.clone();
                let f = NativeFunction {
                    name: "function".to_string(),
                    params: def.params.iter().map(|(p, _)| p.clone()).collect(),
                    required: 0,
                    call: Box::new(move |args: &[Value]| rt.apply(m, &def, &closure, args)),
                };
                Value::Function(Function::Native(Arc::new(f)))
            }
            Boxed::Table(t) => self.table(t, ctx, matched),
            Boxed::Typed(inner, type_ref) => {
                let v = self.boxed(m, inner, ctx, matched);
                self.conform(m, type_ref, v, 0).unwrap_or(Value::Null)
            }
            Boxed::Conditional(parts) => match self.boxed(m, &parts[0], ctx, None) {
                Value::Boolean(true) => self.boxed(m, &parts[1], ctx, None),
                Value::Boolean(false) | Value::Null => self.boxed(m, &parts[2], ctx, None),
                // A condition that is not a boolean is an error.
                _ => Value::Null,
            },
            Boxed::For(var, source, body) => {
                let Value::List(items) = as_list(self.boxed(m, source, ctx, None)) else {
                    return Value::Null;
                };
                let mut c = ctx.clone();
                let mut out = Vec::new();
                for it in items.iter() {
                    c.insert(var.as_str(), it.clone());
                    out.push(self.boxed(m, body, &c, None));
                }
                Value::list(out)
            }
            Boxed::Quantified(every, var, source, cond) => {
                let Value::List(items) = as_list(self.boxed(m, source, ctx, None)) else {
                    return Value::Null;
                };
                let mut c = ctx.clone();
                let mut results = Vec::with_capacity(items.len());
                for it in items.iter() {
                    c.insert(var.as_str(), it.clone());
                    match self.boxed(m, cond, &c, None) {
                        Value::Boolean(b) => results.push(b),
                        Value::Null => results.push(false),
                        _ => return Value::Null,
                    }
                }
                if *every {
                    Value::Boolean(results.iter().all(|b| *b))
                } else {
                    Value::Boolean(results.iter().any(|b| *b))
                }
            }
            Boxed::Filter(source, cond) => {
                let Value::List(items) = as_list(self.boxed(m, source, ctx, None)) else {
                    return Value::Null;
                };
                let mut out = Vec::new();
                for it in items.iter() {
                    let mut c = ctx.clone();
                    if let Value::Context(ic) = it {
                        for (k, v) in ic.iter() {
                            c.insert(k.clone(), v.clone());
                        }
                    }
                    c.insert("item", it.clone());
                    match self.boxed(m, cond, &c, None) {
                        Value::Boolean(true) => out.push(it.clone()),
                        Value::Boolean(false) | Value::Null => {}
                        _ => return Value::Null,
                    }
                }
                Value::list(out)
            }
        }
    }

    fn table(&self, t: &DecisionTable, ctx: &Context, matched: Option<&mut Vec<usize>>) -> Value {
        let env = &self.env;
        let mut input_values = Vec::with_capacity(t.inputs.len());
        for i in &t.inputs {
            let v = self.eval(&i.expr, ctx);
            if let Some(allowed) = &i.allowed {
                if !v.is_null()
                    && !matches!(
                        evaluate_unary_tests(allowed, &v, ctx, env),
                        Value::Boolean(true)
                    )
                {
                    return Value::Null;
                }
            }
            input_values.push(v);
        }
        let mut hits = Vec::new();
        for (ri, r) in t.rules.iter().enumerate() {
            let all = r.inputs.iter().zip(&input_values).all(|(test, v)| {
                matches!(
                    evaluate_unary_tests(test, v, ctx, env),
                    Value::Boolean(true)
                )
            });
            if all {
                hits.push(ri);
            }
        }
        let single = t.outputs.len() == 1;
        let row_values = |ri: usize| -> Vec<Value> {
            t.rules[ri]
                .outputs
                .iter()
                .map(|e| self.eval(e, ctx))
                .collect()
        };
        let mut rows: Vec<Vec<Value>> = hits.iter().map(|&ri| row_values(ri)).collect();
        for row in &rows {
            for (o, v) in t.outputs.iter().zip(row) {
                if let Some(allowed) = &o.allowed {
                    if !v.is_null()
                        && !matches!(
                            evaluate_unary_tests(allowed, v, ctx, env),
                            Value::Boolean(true)
                        )
                    {
                        return Value::Null;
                    }
                }
            }
        }
        let shape = |row: Vec<Value>| -> Value {
            if single {
                row.into_iter().next().unwrap_or(Value::Null)
            } else {
                let mut c = Context::new();
                for (o, v) in t.outputs.iter().zip(row) {
                    c.insert(o.name.as_str(), v);
                }
                Value::context(c)
            }
        };
        if let Some(m) = matched {
            m.extend(hits.iter().map(|h| h + 1));
        }
        if rows.is_empty() {
            let defaults: Vec<Value> = t
                .outputs
                .iter()
                .map(|o| {
                    o.default
                        .as_ref()
                        .map_or(Value::Null, |d| self.eval(d, ctx))
                })
                .collect();
            let has_default = t.outputs.iter().any(|o| o.default.is_some());
            return match t.hit_policy {
                HitPolicy::Collect(Some(_)) if has_default => shape(defaults),
                HitPolicy::Collect(Some(Aggregation::Count)) => Value::int(0),
                HitPolicy::Collect(Some(_)) => Value::Null,
                HitPolicy::Collect(None) | HitPolicy::RuleOrder | HitPolicy::OutputOrder => {
                    if has_default {
                        Value::list(vec![shape(defaults)])
                    } else {
                        Value::list(Vec::new())
                    }
                }
                _ if has_default => shape(defaults),
                _ => Value::Null,
            };
        }
        match t.hit_policy {
            HitPolicy::Unique => {
                if rows.len() > 1 {
                    Value::Null
                } else {
                    shape(rows.remove(0))
                }
            }
            HitPolicy::Any => {
                let first = rows[0].clone();
                let agree = rows.iter().all(|r| {
                    r.len() == first.len()
                        && r.iter().zip(&first).all(|(a, b)| {
                            a.feel_eq(b) == Some(true) || (a.is_null() && b.is_null())
                        })
                });
                if agree {
                    shape(first)
                } else {
                    Value::Null
                }
            }
            HitPolicy::First => shape(rows.remove(0)),
            HitPolicy::Priority => {
                let mut best = 0;
                for i in 1..rows.len() {
                    if self.priority_cmp(t, &rows[i], &rows[best], ctx) == Ordering::Less {
                        best = i;
                    }
                }
                shape(rows.swap_remove(best))
            }
            HitPolicy::OutputOrder => {
                rows.sort_by(|a, b| self.priority_cmp(t, a, b, ctx));
                Value::list(rows.into_iter().map(shape).collect())
            }
            HitPolicy::RuleOrder | HitPolicy::Collect(None) => {
                Value::list(rows.into_iter().map(shape).collect())
            }
            HitPolicy::Collect(Some(agg)) => {
                let values: Vec<Value> = rows.into_iter().map(shape).collect();
                aggregate(agg, values)
            }
        }
    }

    /// Orders two output rows by the position of their values in the
    /// output values lists (earlier is higher priority).
    fn priority_cmp(&self, t: &DecisionTable, a: &[Value], b: &[Value], ctx: &Context) -> Ordering {
        for (i, o) in t.outputs.iter().enumerate() {
            if o.priorities.is_empty() {
                continue;
            }
            let rank = |v: Option<&Value>| -> usize {
                let Some(v) = v else { return usize::MAX };
                o.priorities
                    .iter()
                    .position(|p| self.eval(p, ctx).feel_eq(v) == Some(true))
                    .unwrap_or(usize::MAX)
            };
            let c = rank(a.get(i)).cmp(&rank(b.get(i)));
            if c != Ordering::Equal {
                return c;
            }
        }
        Ordering::Equal
    }

    /// Checks a value against a type reference of model `m`, converting
    /// singleton lists as DMN allows; `None` when it does not conform.
    pub fn conform(&self, m: usize, type_ref: &str, v: Value, depth: usize) -> Option<Value> {
        if v.is_null() || depth > MAX_TYPE_DEPTH {
            return Some(v);
        }
        let name = type_ref.trim();
        if let Some(ty) = builtin_type(name) {
            return conform_builtin(&ty, v);
        }
        let model = &self.models[m];
        if let Some(def) = model.item_defs.get(name) {
            return self.conform_item(m, def, v, depth + 1);
        }
        if let Some((imp, rest)) = name.split_once('.') {
            if let Some(i) = model.imports.iter().find(|i| i.name == imp) {
                if let Some(t) = self.model_by_namespace(&i.namespace) {
                    return self.conform(t, rest, v, depth + 1);
                }
            }
        }
        // An unknown type (e.g. a FEEL type expression we do not read):
        // accept the value.
        Some(v)
    }

    fn conform_item(&self, m: usize, def: &ItemDef, v: Value, depth: usize) -> Option<Value> {
        if v.is_null() {
            return Some(v);
        }
        if def.is_collection {
            let items = match v {
                Value::List(l) => (*l).clone(),
                other => vec![other],
            };
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                out.push(self.conform_element(m, def, it, depth)?);
            }
            return Some(Value::list(out));
        }
        self.conform_element(m, def, v, depth)
    }

    fn conform_element(&self, m: usize, def: &ItemDef, v: Value, depth: usize) -> Option<Value> {
        if v.is_null() {
            return Some(v);
        }
        let v = if def.is_function {
            if matches!(v, Value::Function(_)) {
                v
            } else {
                return None;
            }
        } else if !def.components.is_empty() {
            let Value::Context(c) = &v else {
                return None;
            };
            let mut out = (**c).clone();
            for comp in &def.components {
                if let Some(x) = c.get(&comp.name) {
                    let x = self.conform_item(m, comp, x.clone(), depth + 1)?;
                    out.insert(comp.name.as_str(), x);
                } else {
                    return None;
                }
            }
            Value::context(out)
        } else if let Some(tr) = &def.type_ref {
            self.conform(m, tr, v, depth + 1)?
        } else {
            v
        };
        if let Some(allowed) = &def.allowed {
            if !v.is_null() {
                let ok = matches!(
                    evaluate_unary_tests(allowed, &v, &Context::new(), &self.env),
                    Value::Boolean(true)
                );
                if !ok {
                    return None;
                }
            }
        }
        Some(v)
    }
}

/// The annotations of the matched rules (1-based indexes) when the logic
/// is a decision table.
fn annotations_of(logic: &Boxed, matched: &[usize]) -> Vec<Vec<String>> {
    let table = match logic {
        Boxed::Table(t) => t,
        Boxed::Typed(inner, _) => match &**inner {
            Boxed::Table(t) => t,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    matched
        .iter()
        .filter_map(|i| table.rules.get(i.wrapping_sub(1)))
        .map(|r| r.annotations.clone())
        .collect()
}

fn name_expr(name: &str) -> Expr {
    Expr {
        kind: ExprKind::Name(name.into()),
        span: Span::default(),
    }
}

fn as_list(v: Value) -> Value {
    match v {
        Value::List(_) | Value::Null => v,
        other => Value::list(vec![other]),
    }
}

fn aggregate(agg: Aggregation, values: Vec<Value>) -> Value {
    match agg {
        Aggregation::Count => Value::int(values.len() as i64),
        Aggregation::Sum => {
            let mut total = flowdesk_feel::Number::zero();
            for v in &values {
                let Value::Number(n) = v else {
                    return Value::Null;
                };
                match total.add(n) {
                    Some(t) => total = t,
                    None => return Value::Null,
                }
            }
            Value::Number(total)
        }
        Aggregation::Min | Aggregation::Max => {
            let want = if agg == Aggregation::Min {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            let mut best: Option<Value> = None;
            for v in values {
                best = match best {
                    None => Some(v),
                    Some(b) => match v.compare(&b) {
                        Some(o) if o == want => Some(v),
                        Some(_) => Some(b),
                        None => return Value::Null,
                    },
                };
            }
            best.unwrap_or(Value::Null)
        }
    }
}

/// The FEEL type of a built-in type name as DMN models write it.
fn builtin_type(name: &str) -> Option<Type> {
    Some(match name {
        "Any" | "any" => Type::Any,
        "number" | "integer" | "decimal" | "double" | "long" | "int" => Type::Number,
        "string" => Type::String,
        "boolean" => Type::Boolean,
        "date" => Type::Date,
        "time" => Type::Time,
        "dateTime" | "date and time" => Type::DateTime,
        "dayTimeDuration" | "days and time duration" | "duration" => Type::DayTimeDuration,
        "yearMonthDuration" | "years and months duration" => Type::YearMonthDuration,
        "list" => Type::List(Box::new(Type::Any)),
        "context" => Type::Context(Vec::new()),
        "function" => Type::Function(None),
        _ => return None,
    })
}

fn conform_builtin(ty: &Type, v: Value) -> Option<Value> {
    if matches!(ty, Type::Any) {
        return Some(v);
    }
    // `duration` accepts both kinds of duration.
    if matches!(ty, Type::DayTimeDuration) && matches!(v, Value::YearMonthDuration(_)) {
        return Some(v);
    }
    if flowdesk_feel::conforms(&v, ty) {
        return Some(v);
    }
    match (&v, ty) {
        (Value::List(l), t) if l.len() == 1 && !matches!(t, Type::List(_)) => {
            let x = l[0].clone();
            flowdesk_feel::conforms(&x, t).then_some(x)
        }
        (_, Type::List(inner)) if flowdesk_feel::conforms(&v, inner) => Some(Value::list(vec![v])),
        _ => None,
    }
}

//! `flowdesk-rules`: DMN 1.1–1.5 decision models — parsing, validation,
//! compilation and evaluation of the decision requirements graph (DRG).
//!
//! This crate owns the DMN model layer on top of FEEL ([`flowdesk_feel`]):
//! decision tables with every hit policy, the boxed expressions (literal
//! expressions, contexts, lists, relations, invocations, function
//! definitions, conditionals, iterators, filters), business knowledge
//! models, decision services, imports and item definitions. It depends on
//! `flowdesk-feel` only and is pure: no I/O, no clock (time comes in through
//! the FEEL [`Env`]), no global state.
//!
//! A model is parsed and compiled once ([`DmnModel::parse`]): every FEEL
//! expression is parsed at load time, and every problem is reported at once
//! with the element id and its line:column (and, for FEEL, the position
//! inside the expression). Evaluation then runs against the compiled plan
//! as often as needed.
//!
//! ```
//! use flowdesk_rules::{DmnModel, Context, Value};
//!
//! let xml = r##"<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/"
//!     namespace="urn:example" name="example" id="example">
//!   <inputData id="age" name="Age"><variable name="Age" typeRef="number"/></inputData>
//!   <decision id="adult" name="Adult">
//!     <variable name="Adult" typeRef="boolean"/>
//!     <informationRequirement><requiredInput href="#age"/></informationRequirement>
//!     <literalExpression><text>Age >= 18</text></literalExpression>
//!   </decision>
//! </definitions>"##;
//! let model = DmnModel::parse(xml).unwrap();
//! let mut inputs = Context::new();
//! inputs.insert("Age", Value::int(20));
//! let (result, trace) = model.evaluate_decision("Adult", inputs).unwrap();
//! assert_eq!(result, Value::Boolean(true));
//! assert_eq!(trace.decisions.len(), 1);
//! ```

#![warn(missing_docs)]

mod error;
mod eval;
mod java;
mod model;
pub mod provider;
pub mod tck;
mod trace;

use std::sync::Arc;

pub use error::{EvalError, Problem, Problems, Severity};
pub use flowdesk_feel::{Context, Env, Value};
pub use model::{Aggregation, HitPolicy, DMN_NAMESPACES};
pub use provider::{
    DataProvider, Fetched, ProviderError, ProviderFetch, ProviderRequest, ProviderSource,
    ProviderSpec, SqlResult, PROVIDER_NAMESPACE,
};
pub use trace::{DecisionTrace, Trace};

use eval::{Runtime, Session};
use model::ModelData;

/// A parsed, validated and compiled DMN model. Cheap to clone.
#[derive(Clone)]
pub struct DmnModel {
    data: Arc<ModelData>,
}

impl std::fmt::Debug for DmnModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DmnModel")
            .field("name", &self.data.name)
            .field("namespace", &self.data.namespace)
            .finish()
    }
}

impl DmnModel {
    /// Parses, validates and compiles a DMN 1.1–1.5 document. All problems
    /// found (malformed XML, FEEL syntax errors, unknown functions, dangling
    /// references, cycles in the DRG...) are returned together.
    pub fn parse(xml: &str) -> Result<DmnModel, Problems> {
        Ok(DmnModel {
            data: Arc::new(model::load(xml)?),
        })
    }

    /// The model's `name`.
    pub fn name(&self) -> &str {
        &self.data.name
    }

    /// The model's `namespace`, by which other models import it.
    pub fn namespace(&self) -> &str {
        &self.data.namespace
    }

    /// Problems that did not reject the model (e.g. calls of unknown
    /// functions, which evaluate to `null`).
    pub fn warnings(&self) -> &[Problem] {
        &self.data.warnings
    }

    /// The names of the model's decisions, in document order.
    pub fn decision_names(&self) -> Vec<&str> {
        self.data
            .decisions
            .iter()
            .map(|d| d.name.as_str())
            .collect()
    }

    /// The `(id, name)` of every decision of the model, in document order.
    pub fn decisions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.data
            .decisions
            .iter()
            .map(|d| (d.id.as_str(), d.name.as_str()))
    }

    /// Whether the model has a decision with this id or name.
    pub fn has_decision(&self, name_or_id: &str) -> bool {
        model::by_id_or_name(&self.data.decisions, name_or_id).is_some()
    }

    fn catalog(&self) -> Catalog {
        let mut c = Catalog::new();
        c.add(self.clone());
        c
    }

    /// Evaluates a decision (by name or id) and everything it requires,
    /// with input data by name. Returns the decision's value and the trace.
    pub fn evaluate_decision(
        &self,
        name_or_id: &str,
        inputs: Context,
    ) -> Result<(Value, Trace), EvalError> {
        self.catalog()
            .evaluate_decision(&self.data.namespace, name_or_id, inputs)
    }

    /// Like [`DmnModel::evaluate_decision`], but every entry of `inputs` is
    /// visible to every decision, in addition to its declared requirements
    /// (see [`Catalog::with_open_inputs`]): for decisions made in Camunda
    /// Modeler, which read process variables without declaring input data.
    pub fn evaluate_decision_open(
        &self,
        name_or_id: &str,
        inputs: Context,
    ) -> Result<(Value, Trace), EvalError> {
        self.catalog().with_open_inputs(true).evaluate_decision(
            &self.data.namespace,
            name_or_id,
            inputs,
        )
    }

    /// Evaluates a decision service (by name or id) with its parameters
    /// (input data and input decisions) by name.
    pub fn evaluate_decision_service(
        &self,
        name_or_id: &str,
        inputs: Context,
    ) -> Result<(Value, Trace), EvalError> {
        self.catalog()
            .evaluate_decision_service(&self.data.namespace, name_or_id, inputs)
    }

    /// Invokes a business knowledge model (by name or id) with arguments by
    /// parameter name.
    pub fn invoke_bkm(&self, name_or_id: &str, args: Context) -> Result<Value, EvalError> {
        self.catalog()
            .invoke_bkm(&self.data.namespace, name_or_id, args)
    }
}

/// Several models that may import one another (by namespace), and the FEEL
/// environment their evaluations use.
#[derive(Clone, Default)]
pub struct Catalog {
    models: Vec<Arc<ModelData>>,
    env: Env,
    open_inputs: bool,
    provider: Option<Arc<dyn DataProvider>>,
}

impl Catalog {
    /// An empty catalog with an environment without clock.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// An empty catalog whose evaluations use `env` (e.g. for `now()`).
    pub fn with_env(env: Env) -> Catalog {
        Catalog {
            models: Vec::new(),
            env,
            open_inputs: false,
            provider: None,
        }
    }

    /// Fetches the data of input data with SQL or HTTP providers through
    /// `provider` (see [`provider`]); without one such fetches fail and the
    /// input is `null`.
    pub fn with_data_provider(mut self, provider: Arc<dyn DataProvider>) -> Catalog {
        self.provider = Some(provider);
        self
    }

    /// Makes every entry of the evaluation context visible to every decision,
    /// in addition to (and overridden by) its declared requirements.
    ///
    /// The DMN specification binds only the input data, decisions and
    /// business knowledge models a decision requires (strict, the default).
    /// Decisions drawn in Camunda Modeler usually declare no `inputData` or
    /// `informationRequirement` and read process variables directly; open
    /// inputs evaluate them as Camunda and Zeebe do.
    ///
    /// ```
    /// use flowdesk_rules::{Catalog, Context, DmnModel, Value};
    ///
    /// let xml = r##"<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
    ///     namespace="urn:camunda" name="camunda" id="camunda">
    ///   <decision id="risk" name="Risk">
    ///     <literalExpression><text>if amount > 100 then "high" else "low"</text></literalExpression>
    ///   </decision>
    /// </definitions>"##;
    /// let mut catalog = Catalog::new().with_open_inputs(true);
    /// catalog.add(DmnModel::parse(xml).unwrap());
    /// let mut variables = Context::new();
    /// variables.insert("amount", Value::int(150));
    /// let (result, _trace) = catalog.evaluate_decision("urn:camunda", "risk", variables).unwrap();
    /// assert_eq!(result, Value::string("high"));
    /// ```
    pub fn with_open_inputs(mut self, open: bool) -> Catalog {
        self.open_inputs = open;
        self
    }

    /// Whether the evaluation context is visible to every decision
    /// ([`Catalog::with_open_inputs`]).
    pub fn open_inputs(&self) -> bool {
        self.open_inputs
    }

    /// Adds a model; a model with the same namespace is replaced.
    pub fn add(&mut self, model: DmnModel) {
        self.models.retain(|m| m.namespace != model.data.namespace);
        self.models.push(model.data);
    }

    /// The models, in the order added.
    pub fn models(&self) -> Vec<DmnModel> {
        self.models
            .iter()
            .map(|m| DmnModel { data: m.clone() })
            .collect()
    }

    fn runtime(&self) -> Runtime {
        Runtime {
            models: Arc::new(self.models.clone()),
            env: self.env.clone(),
            depth: Arc::default(),
            open_inputs: self.open_inputs,
            provider: self.provider.clone(),
        }
    }

    fn model_index(&self, namespace_or_name: &str) -> Result<usize, EvalError> {
        self.models
            .iter()
            .position(|m| m.namespace == namespace_or_name)
            .or_else(|| self.models.iter().position(|m| m.name == namespace_or_name))
            .ok_or_else(|| EvalError::UnknownModel(namespace_or_name.to_string()))
    }

    /// Evaluates a decision of the model with the given namespace (or name).
    pub fn evaluate_decision(
        &self,
        model: &str,
        name_or_id: &str,
        inputs: Context,
    ) -> Result<(Value, Trace), EvalError> {
        let m = self.model_index(model)?;
        let d = model::by_id_or_name(&self.models[m].decisions, name_or_id)
            .ok_or_else(|| EvalError::UnknownDecision(name_or_id.to_string()))?;
        let mut session = Session::new();
        let value = self.runtime().decision(m, &d.id, &inputs, &mut session);
        Ok((value, session.trace))
    }

    /// Evaluates a decision service of the model with the given namespace
    /// (or name), with its parameters by name.
    pub fn evaluate_decision_service(
        &self,
        model: &str,
        name_or_id: &str,
        inputs: Context,
    ) -> Result<(Value, Trace), EvalError> {
        let m = self.model_index(model)?;
        let s = model::by_id_or_name(&self.models[m].services, name_or_id)
            .ok_or_else(|| EvalError::UnknownDecisionService(name_or_id.to_string()))?;
        let mut session = Session::new();
        let value = self.runtime().service(m, &s.id, &inputs, &mut session);
        Ok((value, session.trace))
    }

    /// Invokes a business knowledge model of the model with the given
    /// namespace (or name), with arguments by parameter name.
    pub fn invoke_bkm(
        &self,
        model: &str,
        name_or_id: &str,
        args: Context,
    ) -> Result<Value, EvalError> {
        let m = self.model_index(model)?;
        let b = model::by_id_or_name(&self.models[m].bkms, name_or_id)
            .ok_or_else(|| EvalError::UnknownBkm(name_or_id.to_string()))?;
        let values: Vec<Value> = b
            .function
            .params
            .iter()
            .map(|(p, _)| args.get(p).cloned().unwrap_or(Value::Null))
            .collect();
        let rt = self.runtime();
        let id = b.id.clone();
        match rt.invocable(m, &id) {
            Some((_, Value::Function(flowdesk_feel::Function::Native(f)))) => Ok((f.call)(&values)),
            _ => Err(EvalError::UnknownBkm(name_or_id.to_string())),
        }
    }
}

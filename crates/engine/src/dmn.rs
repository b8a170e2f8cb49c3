//! [`DmnDecisions`]: business rule tasks evaluate DMN decisions with
//! `flowdesk-rules`.

use flowdesk_rules::{Catalog, Context, DmnModel, EvalError, Value};

use crate::execute::{DecisionError, DecisionEvaluator, DecisionSite};
use crate::expression::VariableScope;

/// A [`DecisionEvaluator`] over a [`flowdesk_rules::Catalog`] of DMN models.
///
/// As in Zeebe, the decision is found by its id (in any model of the
/// catalog) and its output value (a decision table's single output, a
/// context for several outputs, a list for collect policies...) is the
/// result the engine stores in the task's `resultVariable`. Every variable
/// visible from the business rule task is visible to every decision (the
/// catalog evaluates with [`Catalog::with_open_inputs`]), as in Camunda and
/// Zeebe, whose modeler draws decisions that read process variables without
/// declaring `inputData`; a declared required input of the same name still
/// takes precedence (and converts the value to its `typeRef`).
///
/// ```
/// use flowdesk_engine::{DecisionEvaluator, DecisionSite, DmnDecisions};
/// let xml = r##"<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
///     namespace="urn:risk" name="risk" id="risk-model">
///   <inputData id="amount" name="amount"/>
///   <decision id="risk" name="Risk">
///     <informationRequirement><requiredInput href="#amount"/></informationRequirement>
///     <literalExpression><text>if amount > 100 then "high" else "low"</text></literalExpression>
///   </decision>
/// </definitions>"##;
/// let decisions = DmnDecisions::from_xml([xml]).unwrap();
/// let mut variables = serde_json::Map::new();
/// variables.insert("amount".into(), serde_json::json!(150));
/// let site = DecisionSite { instance_key: 1, instance_id: None, process_id: "p", element_id: "assess" };
/// assert_eq!(
///     decisions.evaluate_decision("risk", &variables, &site),
///     Ok(serde_json::json!("high"))
/// );
/// ```
#[derive(Clone)]
pub struct DmnDecisions {
    catalog: Catalog,
}

impl std::fmt::Debug for DmnDecisions {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("DmnDecisions")
            .field("models", &self.catalog.models())
            .finish()
    }
}

impl DmnDecisions {
    /// Evaluates the decisions of `catalog`, with open inputs (process
    /// variables are visible to every decision).
    pub fn new(catalog: Catalog) -> Self {
        DmnDecisions {
            catalog: catalog.with_open_inputs(true),
        }
    }

    /// Parses DMN documents into a catalog (the first problem of a
    /// rejected document is the error).
    pub fn from_xml<'a>(
        documents: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, flowdesk_rules::Problems> {
        let mut catalog = Catalog::new();
        for xml in documents {
            catalog.add(DmnModel::parse(xml)?);
        }
        Ok(DmnDecisions::new(catalog))
    }

    /// The catalog the decisions come from.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }
}

impl Default for DmnDecisions {
    fn default() -> Self {
        DmnDecisions::new(Catalog::new())
    }
}

impl From<Catalog> for DmnDecisions {
    fn from(catalog: Catalog) -> Self {
        DmnDecisions::new(catalog)
    }
}

impl DecisionEvaluator for DmnDecisions {
    fn evaluate_decision(
        &self,
        decision_id: &str,
        scope: &dyn VariableScope,
        _site: &DecisionSite<'_>,
    ) -> Result<serde_json::Value, DecisionError> {
        let fail = |message: String| DecisionError {
            decision_id: decision_id.to_owned(),
            message,
        };
        let inputs: Context = scope
            .variables()
            .iter()
            .map(|(name, value)| (name.as_str(), Value::from_json(value)))
            .collect();
        for model in self.catalog.models() {
            match self
                .catalog
                .evaluate_decision(model.namespace(), decision_id, inputs.clone())
            {
                Ok((value, _trace)) => return Ok(value.to_json()),
                Err(EvalError::UnknownDecision(_)) => continue,
                Err(error) => return Err(fail(error.to_string())),
            }
        }
        Err(fail(
            "no deployed DMN model has a decision with this id".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: DecisionSite<'static> = DecisionSite {
        instance_key: 1,
        instance_id: None,
        process_id: "p",
        element_id: "ship",
    };

    /// A decision as Camunda Modeler draws it: no `inputData`, no
    /// `informationRequirement`; the table reads process variables.
    const CAMUNDA_STYLE: &str = r##"<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
        namespace="http://camunda.org/schema/1.0/dmn" name="Shipping" id="shipping-definitions">
      <decision id="shipping" name="Shipping">
        <decisionTable id="shipping-table" hitPolicy="FIRST">
          <input id="weight-input"><inputExpression typeRef="number"><text>weight</text></inputExpression></input>
          <output id="method" name="method" typeRef="string"/>
          <rule id="heavy"><inputEntry><text>&gt; 20</text></inputEntry><outputEntry><text>"freight"</text></outputEntry></rule>
          <rule id="light"><inputEntry><text>-</text></inputEntry><outputEntry><text>"parcel"</text></outputEntry></rule>
        </decisionTable>
      </decision>
    </definitions>"##;

    #[test]
    fn business_rule_tasks_see_process_variables_without_declared_inputs() {
        let decisions = DmnDecisions::from_xml([CAMUNDA_STYLE]).expect("loads");
        assert!(decisions.catalog().open_inputs());
        let mut variables = serde_json::Map::new();
        variables.insert("weight".into(), serde_json::json!(35));
        assert_eq!(
            decisions.evaluate_decision("shipping", &variables, &SITE),
            Ok(serde_json::json!("freight"))
        );
        variables.insert("weight".into(), serde_json::json!(2));
        assert_eq!(
            decisions.evaluate_decision("shipping", &variables, &SITE),
            Ok(serde_json::json!("parcel"))
        );
    }

    #[test]
    fn catalogs_given_to_new_and_default_are_open_too() {
        assert!(DmnDecisions::new(Catalog::new()).catalog().open_inputs());
        assert!(DmnDecisions::default().catalog().open_inputs());
    }
}

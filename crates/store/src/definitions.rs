//! Deployed definitions (BPMN processes, DMN decisions, forms), versioned per `(kind, process_id)`.

use std::fmt;
use std::str::FromStr;

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// What a definition contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A BPMN 2.0 process.
    Bpmn,
    /// A DMN decision.
    Dmn,
    /// A form-js form.
    Form,
}

impl Kind {
    /// The stored name: `bpmn`, `dmn` or `form`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bpmn => "bpmn",
            Kind::Dmn => "dmn",
            Kind::Form => "form",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "bpmn" => Ok(Kind::Bpmn),
            "dmn" => Ok(Kind::Dmn),
            "form" => Ok(Kind::Form),
            other => Err(StoreError::InvalidData(format!(
                "unknown definition kind {other:?}"
            ))),
        }
    }
}

/// A stored definition version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// UUID v7.
    pub id: String,
    /// What it contains.
    pub kind: Kind,
    /// The BPMN process id (or decision / form id).
    pub process_id: String,
    /// Display name.
    pub name: String,
    /// 1, 2, … per `(kind, process_id)`.
    pub version: i64,
    /// File name it was deployed from.
    pub resource_name: String,
    /// The XML or JSON source.
    pub content: String,
    /// SHA-256 hex of `content`.
    pub checksum: String,
    /// Deployment time.
    pub deployed_at: Millis,
    /// Username (or system actor) who deployed it.
    pub deployed_by: String,
    /// The process's `zeebe:versionTag` (BPMN only), when it has one.
    pub version_tag: Option<String>,
}

/// A definition to deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDefinition<'a> {
    /// What it contains.
    pub kind: Kind,
    /// The process / decision / form id.
    pub process_id: &'a str,
    /// Display name.
    pub name: &'a str,
    /// File name.
    pub resource_name: &'a str,
    /// Source text.
    pub content: &'a str,
    /// Deployment time.
    pub deployed_at: Millis,
    /// Who deploys.
    pub deployed_by: &'a str,
}

const COLUMNS: &str = "id, kind, process_id, name, version, resource_name, content, checksum, deployed_at, deployed_by, version_tag";

fn from_row(row: &AnyRow) -> Result<Definition, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(Definition {
        id: row.try_get("id")?,
        kind: kind.parse()?,
        process_id: row.try_get("process_id")?,
        name: row.try_get("name")?,
        version: row.try_get("version")?,
        resource_name: row.try_get("resource_name")?,
        content: row.try_get("content")?,
        checksum: row.try_get("checksum")?,
        deployed_at: row.try_get("deployed_at")?,
        deployed_by: row.try_get("deployed_by")?,
        version_tag: row.try_get("version_tag")?,
    })
}

/// Finds a definition version by id.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    id: &str,
) -> Result<Option<Definition>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM definitions WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The latest version of `process_id` of the given kind.
pub async fn latest<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    kind: Kind,
    process_id: &str,
) -> Result<Option<Definition>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM definitions WHERE kind = $1 AND process_id = $2 \
         ORDER BY version DESC LIMIT 1"
    ))
    .bind(kind.as_str())
    .bind(process_id)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The version of `process_id` of the given kind tagged `version_tag`
/// (the newest, should several carry the tag).
pub async fn by_version_tag<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    kind: Kind,
    process_id: &str,
    version_tag: &str,
) -> Result<Option<Definition>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM definitions WHERE kind = $1 AND process_id = $2 \
         AND version_tag = $3 ORDER BY version DESC LIMIT 1"
    ))
    .bind(kind.as_str())
    .bind(process_id)
    .bind(version_tag)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The latest version of `process_id` of the given kind deployed at or
/// before `deployed_at` (the store keeps no deployment grouping: this is
/// the version a definition deployed at `deployed_at` was deployed with).
pub async fn latest_at<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    kind: Kind,
    process_id: &str,
    deployed_at: Millis,
) -> Result<Option<Definition>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM definitions WHERE kind = $1 AND process_id = $2 \
         AND deployed_at <= $3 ORDER BY version DESC LIMIT 1"
    ))
    .bind(kind.as_str())
    .bind(process_id)
    .bind(deployed_at)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The `zeebe:versionTag` of process `process_id` in BPMN `content`
/// (`None` when the XML does not parse or the process has no tag).
pub fn version_tag_of(content: &str, process_id: &str) -> Option<String> {
    use flowdesk_model::bpmn::{Document, BPMN_NAMESPACE, ZEEBE_NAMESPACE};
    let document = Document::parse(content).ok()?;
    let process = document.root.child_elements().find(|element| {
        element.is(BPMN_NAMESPACE, "process") && element.attribute("id") == Some(process_id)
    })?;
    let tag = process
        .child_elements()
        .filter(|child| child.is(BPMN_NAMESPACE, "extensionElements"))
        .flat_map(|extensions| extensions.child_elements())
        .find(|extension| extension.is(ZEEBE_NAMESPACE, "versionTag"))
        .and_then(|tag| tag.attribute("value"))
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned);
    tag
}

/// All definition versions, newest deployment first.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    executor: E,
) -> Result<Vec<Definition>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM definitions ORDER BY deployed_at DESC, process_id, version DESC"
    ))
    .fetch_all(executor)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Number of stored definition versions.
pub async fn count<'e, E: Executor<'e, Database = Any>>(executor: E) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM definitions")
        .fetch_one(executor)
        .await?;
    Ok(row.try_get("n")?)
}

/// Stores a new version unless the latest version has the same checksum.
///
/// Returns the stored version and whether it was created (`false`: the
/// unchanged latest version is returned). A concurrent deployment of the
/// same process surfaces as [`StoreError::Conflict`].
pub async fn deploy(
    tx: &mut Tx<'_>,
    new: &NewDefinition<'_>,
) -> Result<(Definition, bool), StoreError> {
    let checksum = crate::sha256_hex(new.content.as_bytes());
    let latest = latest(&mut **tx, new.kind, new.process_id).await?;
    if let Some(latest) = &latest {
        if latest.checksum == checksum {
            return Ok((latest.clone(), false));
        }
    }
    let definition = Definition {
        id: crate::new_id(),
        kind: new.kind,
        process_id: new.process_id.to_string(),
        name: new.name.to_string(),
        version: latest.map(|d| d.version + 1).unwrap_or(1),
        resource_name: new.resource_name.to_string(),
        content: new.content.to_string(),
        checksum,
        deployed_at: new.deployed_at,
        deployed_by: new.deployed_by.to_string(),
        version_tag: match new.kind {
            Kind::Bpmn => version_tag_of(new.content, new.process_id),
            Kind::Dmn | Kind::Form => None,
        },
    };
    sqlx::query(&format!(
        "INSERT INTO definitions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(&definition.id)
    .bind(definition.kind.as_str())
    .bind(&definition.process_id)
    .bind(&definition.name)
    .bind(definition.version)
    .bind(&definition.resource_name)
    .bind(&definition.content)
    .bind(&definition.checksum)
    .bind(definition.deployed_at)
    .bind(&definition.deployed_by)
    .bind(&definition.version_tag)
    .execute(&mut **tx)
    .await?;
    Ok((definition, true))
}

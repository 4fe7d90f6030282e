//! Datasets: a tenant's dataset is data, not code. A [`DatasetInput`] (name, time field, typed
//! fields with roles, labels, units and a retention) is what `POST`/`PUT /api/v1/datasets`
//! take; a [`Dataset`] is what the server answers, with the fields a query may group/filter by
//! ([`DimensionDef`]) and aggregate ([`MeasureDef`]) derived from them.
//!
//! ```
//! use vantage_contract::dataset::{DatasetInput, FieldDef, FieldType, FieldRole};
//! let input = DatasetInput {
//!     id: Some("orders".into()),
//!     name: "Orders".into(),
//!     description: String::new(),
//!     time_field: "ts".into(),
//!     fields: vec![
//!         FieldDef::new("ts", FieldType::Time, FieldRole::Dimension, "Time"),
//!         FieldDef::new("region", FieldType::String, FieldRole::Dimension, "Region"),
//!         FieldDef::new("amount", FieldType::Number, FieldRole::Measure, "Amount").with_unit("USD"),
//!     ],
//!     retention_days: 90,
//! };
//! input.validate().unwrap();
//! let ds = input.into_dataset("orders".into(), 1);
//! assert_eq!(ds.measure("amount").unwrap().unit.as_deref(), Some("USD"));
//! assert_eq!(ds.dimensions.len(), 1);
//! ```

use crate::{ColumnType, FieldError, Rule, Validated};
use serde::{Deserialize, Serialize};

use crate::wire::unit_enum;

/// Most fields a dataset may have.
pub const MAX_FIELDS: usize = 200;
/// Longest retention, in days (100 years).
pub const MAX_RETENTION_DAYS: u32 = 36_500;
/// Longest dataset name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Retention when a dataset does not say.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;
/// Names no field may take: they are columns every result or row page already has.
pub const RESERVED_FIELD_NAMES: [&str; 5] = ["id", "time", "rowid", "oid", "_rowid_"];

unit_enum! {
    /// How a measure may be aggregated.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Aggregation {
        Count,
        Sum,
        Avg,
        Min,
        Max,
        P50,
        P95,
        P99,
        CountDistinct,
    }
}

impl Aggregation {
    /// The wire name (`count_distinct`, …).
    pub fn as_str(self) -> &'static str {
        crate::wire::name_of(&self)
    }

    /// The percentile in `0..=1` for `p50`/`p95`/`p99`.
    pub fn percentile(self) -> Option<f64> {
        match self {
            Aggregation::P50 => Some(0.50),
            Aggregation::P95 => Some(0.95),
            Aggregation::P99 => Some(0.99),
            _ => None,
        }
    }

    /// The type of the aggregated column for an input of type `input`.
    pub fn result_type(self, input: ColumnType) -> ColumnType {
        match self {
            Aggregation::Count | Aggregation::CountDistinct => ColumnType::Integer,
            Aggregation::Sum | Aggregation::Min | Aggregation::Max => input,
            _ => ColumnType::Float,
        }
    }
}

/// A field a query may group and filter by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DimensionDef {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Known values, when the set is small (filter pickers use it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// A numeric field a query may aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MeasureDef {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    pub aggregations: Vec<Aggregation>,
    /// Display unit, e.g. `ms` or `USD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A dataset's schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The timestamp field time ranges and granularity apply to (filterable too).
    pub time_field: String,
    /// Derived from `fields`: every field with role `dimension` except the time field.
    pub dimensions: Vec<DimensionDef>,
    /// Derived from `fields`: every field with role `measure`.
    pub measures: Vec<MeasureDef>,
    /// The definition as stored (time field included), in order.
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    /// Rows older than this many days are deleted by the server.
    #[serde(default = "default_retention")]
    pub retention_days: u32,
    /// Increases on every change of the definition.
    #[serde(default)]
    pub version: u64,
}

fn default_retention() -> u32 {
    DEFAULT_RETENTION_DAYS
}

unit_enum! {
    /// The type of a dataset field (what an ingested value must be).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum FieldType {
        /// Epoch milliseconds (a JSON number) or an RFC 3339 string.
        Time,
        String,
        /// A JSON number; with `format: "integer"` a whole number.
        Number,
        Boolean,
    }
}

unit_enum! {
    /// What a query may do with a field.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum FieldRole {
        /// Group and filter by it.
        #[default]
        Dimension,
        /// Aggregate it (numbers only).
        Measure,
    }
}

/// One field of a dataset definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldDef {
    /// Storage and query name: `[a-z][a-z0-9_]*`, at most 63 characters.
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub role: FieldRole,
    /// What people read ("Cost"); defaults to the name.
    #[serde(default)]
    pub label: String,
    /// Display unit, e.g. `ms` or `USD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Display/storage hint: `integer` (whole numbers, stored as integers), `percent`,
    /// `currency`, `duration`, `decimal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Known values of a small string dimension (filter pickers use them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// Formats a field may carry.
pub const FIELD_FORMATS: [&str; 5] = ["integer", "decimal", "percent", "currency", "duration"];

impl FieldDef {
    /// A field without unit, format or known values.
    pub fn new(name: &str, field_type: FieldType, role: FieldRole, label: &str) -> Self {
        Self {
            name: name.into(),
            field_type,
            role,
            label: label.into(),
            unit: None,
            format: None,
            values: Vec::new(),
        }
    }

    pub fn with_unit(mut self, unit: &str) -> Self {
        self.unit = Some(unit.into());
        self
    }

    pub fn with_format(mut self, format: &str) -> Self {
        self.format = Some(format.into());
        self
    }

    pub fn with_values(mut self, values: &[&str]) -> Self {
        self.values = values.iter().map(|v| (*v).to_owned()).collect();
        self
    }

    /// Whether numbers of this field are whole (`format: "integer"`).
    pub fn is_integer(&self) -> bool {
        self.field_type == FieldType::Number && self.format.as_deref() == Some("integer")
    }

    /// The type of this field's values in query results.
    pub fn column_type(&self) -> ColumnType {
        match self.field_type {
            FieldType::Time => ColumnType::Timestamp,
            FieldType::String => ColumnType::String,
            FieldType::Boolean => ColumnType::Boolean,
            FieldType::Number if self.is_integer() => ColumnType::Integer,
            FieldType::Number => ColumnType::Float,
        }
    }

    /// The label, or the name when the label is empty.
    pub fn display_label(&self) -> &str {
        if self.label.trim().is_empty() {
            &self.name
        } else {
            &self.label
        }
    }

    fn validate(&self) -> Validated {
        if !is_identifier(&self.name) {
            return Err(FieldError::new(
                "name",
                "1 to 63 characters: a lowercase letter, then lowercase letters, digits or _",
            ));
        }
        if RESERVED_FIELD_NAMES.contains(&self.name.as_str()) {
            return Err(FieldError::new(
                "name",
                format!("'{}' is reserved", self.name),
            ));
        }
        if self.label.chars().count() > 120 {
            return Err(FieldError::new("label", "at most 120 characters"));
        }
        if self.unit.as_ref().is_some_and(|u| u.chars().count() > 32) {
            return Err(FieldError::new("unit", "at most 32 characters"));
        }
        if let Some(f) = &self.format {
            if !FIELD_FORMATS.contains(&f.as_str()) {
                return Err(FieldError::new(
                    "format",
                    format!("one of {}", FIELD_FORMATS.join(", ")),
                ));
            }
            if self.field_type != FieldType::Number {
                return Err(FieldError::new(
                    "format",
                    "only number fields have a format",
                ));
            }
        }
        if self.role == FieldRole::Measure && self.field_type != FieldType::Number {
            return Err(FieldError::new("role", "a measure must be a number field"));
        }
        if self.values.len() > 1000 || self.values.iter().any(|v| v.chars().count() > 200) {
            return Err(FieldError::new(
                "values",
                "at most 1000 values of at most 200 characters",
            ));
        }
        Ok(())
    }
}

/// `[a-z][a-z0-9_]{0,62}`: safe as a SQL identifier and a URL segment.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && s.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `POST /api/v1/datasets` and `PUT /api/v1/datasets/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DatasetInput {
    /// `[a-z][a-z0-9_]*`, unique in the tenant; required on `POST`, must match the path (or be
    /// absent) on `PUT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The name of the field of type `time` that time ranges and granularity apply to.
    pub time_field: String,
    /// Every field, the time field included.
    pub fields: Vec<FieldDef>,
    /// Rows older than this are deleted (1..=36500; default 365).
    #[serde(default = "default_retention")]
    pub retention_days: u32,
}

impl DatasetInput {
    /// Checks names, types, roles and limits; the error names the field
    /// (`fields[2].role`).
    ///
    /// # Errors
    /// The first problem found.
    pub fn validate(&self) -> Validated {
        if let Some(id) = &self.id {
            if !is_identifier(id) {
                return Err(FieldError::new(
                    "id",
                    "1 to 63 characters: a lowercase letter, then lowercase letters, digits or _",
                ));
            }
        }
        let name_len = self.name.trim().chars().count();
        if name_len == 0 || self.name.chars().count() > MAX_NAME_CHARS {
            return Err(FieldError::new(
                "name",
                format!("must be 1 to {MAX_NAME_CHARS} characters"),
            )
            .with_rule(Rule::OneToChars(MAX_NAME_CHARS)));
        }
        if self.description.chars().count() > 2000 {
            return Err(FieldError::new("description", "at most 2000 characters"));
        }
        if !(1..=MAX_RETENTION_DAYS).contains(&self.retention_days) {
            return Err(FieldError::new(
                "retentionDays",
                format!("must be 1 to {MAX_RETENTION_DAYS}"),
            )
            .with_rule(Rule::OneTo(MAX_RETENTION_DAYS as usize)));
        }
        if self.fields.is_empty() || self.fields.len() > MAX_FIELDS {
            return Err(FieldError::new(
                "fields",
                format!("1 to {MAX_FIELDS} fields (the time field included)"),
            )
            .with_rule(Rule::OneToFields(MAX_FIELDS)));
        }
        for (i, f) in self.fields.iter().enumerate() {
            f.validate()
                .map_err(|e| e.within(&format!("fields[{i}]")))?;
            if self.fields[..i].iter().any(|g| g.name == f.name) {
                return Err(FieldError::new(
                    format!("fields[{i}].name"),
                    format!("duplicate field '{}'", f.name),
                ));
            }
        }
        match self.fields.iter().find(|f| f.name == self.time_field) {
            Some(f) if f.field_type == FieldType::Time => Ok(()),
            Some(_) => Err(FieldError::new(
                "timeField",
                format!("field '{}' must have type time", self.time_field),
            )),
            None => Err(FieldError::new(
                "timeField",
                format!("no field '{}' in fields", self.time_field),
            )
            .with_rule(Rule::TimeFieldNotAField)),
        }
    }

    /// The dataset this definition describes (dimensions and measures derived).
    pub fn into_dataset(self, id: String, version: u64) -> Dataset {
        use Aggregation::*;
        let dimensions = self
            .fields
            .iter()
            .filter(|f| f.role == FieldRole::Dimension && f.name != self.time_field)
            .map(|f| DimensionDef {
                name: f.name.clone(),
                label: f.display_label().to_owned(),
                column_type: f.column_type(),
                values: f.values.clone(),
            })
            .collect();
        let measures = self
            .fields
            .iter()
            .filter(|f| f.role == FieldRole::Measure)
            .map(|f| MeasureDef {
                name: f.name.clone(),
                label: f.display_label().to_owned(),
                column_type: f.column_type(),
                aggregations: vec![Count, Sum, Avg, Min, Max, P50, P95, P99],
                unit: f.unit.clone(),
            })
            .collect();
        Dataset {
            id,
            name: self.name,
            description: self.description,
            time_field: self.time_field,
            dimensions,
            measures,
            fields: self.fields,
            retention_days: self.retention_days,
            version,
        }
    }
}

/// `GET /api/v1/datasets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatasetList {
    pub items: Vec<Dataset>,
}

impl Dataset {
    pub fn dimension(&self, name: &str) -> Option<&DimensionDef> {
        self.dimensions.iter().find(|d| d.name == name)
    }

    pub fn measure(&self, name: &str) -> Option<&MeasureDef> {
        self.measures.iter().find(|m| m.name == name)
    }

    /// The definition a `PUT` would need to keep this dataset as it is.
    pub fn to_input(&self) -> DatasetInput {
        DatasetInput {
            id: Some(self.id.clone()),
            name: self.name.clone(),
            description: self.description.clone(),
            time_field: self.time_field.clone(),
            fields: self.fields.clone(),
            retention_days: self.retention_days,
        }
    }

    /// The stored field called `name` (the time field included).
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// `(label, unit)` of a result column named after a field or a measure's output
    /// (`sum_cost_usd` → `("Cost (sum)", Some("USD"))`, `count` → `("Count", None)`).
    pub fn column_label(&self, column: &str) -> Option<(String, Option<String>)> {
        if column == "count" {
            return Some(("Count".into(), None));
        }
        if let Some(f) = self.field(column) {
            return Some((f.display_label().to_owned(), f.unit.clone()));
        }
        let (agg, field) = column.split_once('_')?;
        let (agg_label, keeps_unit) = match agg {
            "count" => ("count", false),
            "sum" => ("total", true),
            "avg" => ("average", true),
            "min" => ("min", true),
            "max" => ("max", true),
            "p50" => ("median", true),
            "p95" => ("p95", true),
            "p99" => ("p99", true),
            _ => return None,
        };
        let field = field.strip_prefix("distinct_").unwrap_or(field);
        let f = self.field(field)?;
        Some((
            format!("{} ({agg_label})", f.display_label()),
            if keeps_unit { f.unit.clone() } else { None },
        ))
    }

    /// The type of any filterable field (time field, dimension or measure).
    pub fn field_type(&self, name: &str) -> Option<ColumnType> {
        if name == self.time_field {
            return Some(ColumnType::Timestamp);
        }
        self.dimension(name)
            .map(|d| d.column_type)
            .or_else(|| self.measure(name).map(|m| m.column_type))
    }
}

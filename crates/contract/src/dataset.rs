//! Dataset schemas: which dimensions a query may group/filter by and which measures it may
//! aggregate, with which aggregations (`GET /api/v1/datasets/{id}`).

use crate::ColumnType;
use serde::{Deserialize, Serialize};

/// How a measure may be aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl Aggregation {
    /// The wire name (`count_distinct`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Count => "count",
            Aggregation::Sum => "sum",
            Aggregation::Avg => "avg",
            Aggregation::Min => "min",
            Aggregation::Max => "max",
            Aggregation::P50 => "p50",
            Aggregation::P95 => "p95",
            Aggregation::P99 => "p99",
            Aggregation::CountDistinct => "count_distinct",
        }
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
    pub dimensions: Vec<DimensionDef>,
    pub measures: Vec<MeasureDef>,
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

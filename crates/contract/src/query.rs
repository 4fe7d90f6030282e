//! The structured query (`POST /api/v1/query`) and its validation against a [`Dataset`].
//!
//! Browsers never send SQL: they send this shape, and a backend validates it against the
//! dataset schema before translating it.
//!
//! ```
//! use vantage_contract::{Query, TimePreset, TimeRange};
//! let q: Query = serde_json::from_value(serde_json::json!({
//!     "dataset": "validations",
//!     "dimensions": ["status"],
//!     "measures": [{"field": "*", "agg": "count"}],
//!     "timeRange": {"preset": "last24h"}
//! })).unwrap();
//! assert_eq!(q.time_range, Some(TimeRange::preset(TimePreset::Last24h)));
//! assert_eq!(q.output_columns(), vec!["status".to_string(), "count".to_string()]);
//! ```

use crate::validation::{FieldError, Rule, Validated};
use crate::{Aggregation, ColumnType, Dataset};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::unit_enum;

/// Most rows a query may return.
pub const MAX_LIMIT: u32 = 10_000;
/// Most time buckets a query may produce.
pub const MAX_BUCKETS: i64 = 10_000;
/// Most filters one query (or one dashboard, or one `/dashboards/{id}/data` request) may carry.
pub const MAX_FILTERS: usize = 50;
/// Most dimensions a query may group by.
pub const MAX_DIMENSIONS: usize = 10;
/// Most measures a query may aggregate.
pub const MAX_MEASURES: usize = 20;
/// Most values a list filter (`in`, `not_in`) may take.
pub const MAX_FILTER_VALUES: usize = 1000;
/// Latest instant a custom time range may name: 9999-12-31T23:59:59.999Z in epoch ms. With
/// [`MIN_EPOCH_MS`] it keeps every span and shift of a range (`to - from`, the previous
/// period) far inside `i64`.
pub const MAX_EPOCH_MS: i64 = 253_402_300_799_999;
/// Earliest instant a custom time range may name: 0001-01-01T00:00:00Z in epoch ms.
pub const MIN_EPOCH_MS: i64 = -62_135_596_800_000;
/// Output column name of the time bucket when `granularity` is set.
pub const TIME_COLUMN: &str = "time";

unit_enum! {
    /// Filter operators.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum FilterOp {
        Eq,
        Neq,
        In,
        NotIn,
        Gt,
        Gte,
        Lt,
        Lte,
        Between,
        Contains,
    }
}

/// One filter. `eq/neq/gt/gte/lt/lte/contains` take `value`; `in/not_in` take `values`;
/// `between` takes `values: [low, high]` (inclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Filter {
    pub field: String,
    pub op: FilterOp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::scalar))]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::scalar_list))]
    pub values: Option<Vec<Value>>,
}

impl Filter {
    /// `field == value`.
    pub fn eq(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self {
            field: field.into(),
            op: FilterOp::Eq,
            value: Some(value.into()),
            values: None,
        }
    }

    /// The operands as a list (`value` wrapped, or `values`).
    pub fn operands(&self) -> Vec<&Value> {
        match (&self.value, &self.values) {
            (Some(v), _) => vec![v],
            (None, Some(vs)) => vs.iter().collect(),
            (None, None) => vec![],
        }
    }

    /// Checks what holds whatever the dataset: a field name, the operand count the operator
    /// takes, scalar operands (string, number or boolean). Dashboard-level filters are checked
    /// with this even before any widget names a dataset.
    ///
    /// # Errors
    /// Empty field, wrong operand count, or an operand that is not a scalar.
    pub fn validate_shape(&self) -> Validated {
        if self.field.trim().is_empty() {
            return Err(FieldError::new("field", "must name a field"));
        }
        use FilterOp::*;
        let (single, list) = (self.value.is_some(), self.values.is_some());
        match self.op {
            In | NotIn => {
                let n = self.values.as_ref().map_or(0, Vec::len);
                if single || !(1..=MAX_FILTER_VALUES).contains(&n) {
                    return Err(FieldError::new(
                        "values",
                        format!("needs 'values' with 1 to {MAX_FILTER_VALUES} items"),
                    )
                    .with_rule(Rule::OneToValues(MAX_FILTER_VALUES)));
                }
            }
            Between => {
                if single || self.values.as_ref().map_or(0, Vec::len) != 2 {
                    return Err(FieldError::new(
                        "values",
                        "between needs 'values': [low, high]",
                    ));
                }
            }
            _ => {
                if !single || list {
                    return Err(FieldError::new("value", "needs a single 'value'"));
                }
            }
        }
        if let Some(bad) = self
            .operands()
            .into_iter()
            .find(|v| !(v.is_string() || v.is_number() || v.is_boolean()))
        {
            let field = if self.value.is_some() {
                "value"
            } else {
                "values"
            };
            return Err(FieldError::new(
                field,
                format!("must be a string, number or boolean, not {bad}"),
            ));
        }
        Ok(())
    }

    /// Checks the filter against the dataset schema (after [`Filter::validate_shape`]).
    ///
    /// # Errors
    /// What `validate_shape` refuses, an unknown field, an operator not valid for the field's
    /// type, or an operand of the wrong type.
    pub fn validate(&self, dataset: &Dataset) -> Validated {
        self.validate_shape()?;
        let ty = dataset
            .field_type(&self.field)
            .ok_or_else(|| FieldError::new("field", format!("unknown field '{}'", self.field)))?;
        use FilterOp::*;
        let type_ok = match self.op {
            Contains => ty == ColumnType::String,
            Gt | Gte | Lt | Lte | Between => ty.is_numeric(),
            _ => true,
        };
        if !type_ok {
            return Err(FieldError::new(
                "op",
                format!("operator not valid for field '{}'", self.field),
            ));
        }
        for v in self.operands() {
            let ok = match ty {
                ColumnType::String => v.is_string(),
                ColumnType::Boolean => v.is_boolean(),
                ColumnType::Integer | ColumnType::Timestamp => v.is_i64() || v.is_u64(),
                ColumnType::Float => v.is_number(),
            };
            if !ok {
                let field = if self.value.is_some() {
                    "value"
                } else {
                    "values"
                };
                return Err(FieldError::new(
                    field,
                    format!("wrong type for field '{}'", self.field),
                ));
            }
        }
        Ok(())
    }
}

unit_enum! {
    /// Relative time ranges ending now. `today` starts at midnight in the request's `timeZone`
    /// (UTC when none is given); the others are rolling windows of a fixed length.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum TimePreset {
        #[serde(rename = "today")]
        Today,
        #[serde(rename = "last15m")]
        Last15m,
        #[serde(rename = "last1h")]
        Last1h,
        #[serde(rename = "last24h")]
        Last24h,
        #[serde(rename = "last7d")]
        Last7d,
        #[serde(rename = "last30d")]
        Last30d,
    }
}

impl TimePreset {
    /// Length in milliseconds of a rolling window; `None` for `today`, whose length depends
    /// on the time of day and the time zone.
    pub fn duration_ms(self) -> Option<i64> {
        const MIN: i64 = 60_000;
        match self {
            TimePreset::Today => None,
            TimePreset::Last15m => Some(15 * MIN),
            TimePreset::Last1h => Some(60 * MIN),
            TimePreset::Last24h => Some(24 * 60 * MIN),
            TimePreset::Last7d => Some(7 * 24 * 60 * MIN),
            TimePreset::Last30d => Some(30 * 24 * 60 * MIN),
        }
    }
}

/// Either `{preset}` or `{from, to}` (epoch ms, `from` inclusive, `to` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<TimePreset>,
    // The bounds are MIN_EPOCH_MS and MAX_EPOCH_MS (the attribute takes literals only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = -62_135_596_800_000_i64, maximum = 253_402_300_799_999_i64)
    )]
    pub from: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = -62_135_596_800_000_i64, maximum = 253_402_300_799_999_i64)
    )]
    pub to: Option<i64>,
}

impl TimeRange {
    pub fn preset(preset: TimePreset) -> Self {
        Self {
            preset: Some(preset),
            from: None,
            to: None,
        }
    }

    pub fn absolute(from: i64, to: i64) -> Self {
        Self {
            preset: None,
            from: Some(from),
            to: Some(to),
        }
    }

    /// # Errors
    /// Neither or both forms given, `from` or `to` outside years 1 to 9999
    /// ([`MIN_EPOCH_MS`]..=[`MAX_EPOCH_MS`]), or `from >= to`.
    pub fn validate(&self) -> Validated {
        for (name, v) in [("from", self.from), ("to", self.to)] {
            if v.is_some_and(|v| !(MIN_EPOCH_MS..=MAX_EPOCH_MS).contains(&v)) {
                return Err(FieldError::new(
                    name,
                    format!("must be epoch milliseconds from {MIN_EPOCH_MS} to {MAX_EPOCH_MS}"),
                ));
            }
        }
        match (self.preset, self.from, self.to) {
            (Some(_), None, None) => Ok(()),
            (None, Some(from), Some(to)) if from < to => Ok(()),
            (None, Some(_), Some(_)) => Err(FieldError::new("from", "must be before 'to'")),
            _ => Err(FieldError::new(
                "",
                "give either 'preset' or both 'from' and 'to'",
            )),
        }
    }

    /// `(from, to)` in epoch ms, presets ending at `now_ms`, `today` starting at midnight UTC.
    pub fn resolve(&self, now_ms: i64) -> (i64, i64) {
        self.resolve_with(now_ms, |ms| ms.div_euclid(DAY_MS) * DAY_MS)
    }

    /// `(from, to)` in epoch ms, presets ending at `now_ms`; `today` starts at
    /// `start_of_day(now_ms)`, which a backend computes in the request's time zone.
    pub fn resolve_with(&self, now_ms: i64, start_of_day: impl Fn(i64) -> i64) -> (i64, i64) {
        match (self.preset, self.from, self.to) {
            (Some(p), _, _) => match p.duration_ms() {
                Some(d) => (now_ms - d, now_ms),
                None => (start_of_day(now_ms), now_ms),
            },
            (None, from, to) => (from.unwrap_or(0), to.unwrap_or(now_ms)),
        }
    }
}

/// Milliseconds in a (UTC) day.
const DAY_MS: i64 = 86_400_000;

unit_enum! {
    /// Time bucket sizes. Buckets start on the wall clock of the request's `timeZone` (UTC when
    /// none is given): `1h` buckets start on the local hour, `1d` at local midnight (so a bucket
    /// is 23 or 25 hours long on a daylight-saving change), `1w` on Monday at local midnight and
    /// `1mo` on the first of the month at local midnight.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Granularity {
        #[serde(rename = "1m")]
        Minute,
        #[serde(rename = "5m")]
        FiveMinutes,
        #[serde(rename = "15m")]
        FifteenMinutes,
        #[serde(rename = "1h")]
        Hour,
        #[serde(rename = "1d")]
        Day,
        #[serde(rename = "1w")]
        Week,
        #[serde(rename = "1mo")]
        Month,
    }
}

impl Granularity {
    /// The nominal bucket length in ms: exact for `1m` to `1h`; a day is nominally 24 hours,
    /// a week 7 days and a month 30 days, though calendar buckets in a time zone vary (see
    /// [`Granularity::is_calendar`]).
    pub fn ms(self) -> i64 {
        match self {
            Granularity::Minute => 60_000,
            Granularity::FiveMinutes => 300_000,
            Granularity::FifteenMinutes => 900_000,
            Granularity::Hour => 3_600_000,
            Granularity::Day => DAY_MS,
            Granularity::Week => 7 * DAY_MS,
            Granularity::Month => 30 * DAY_MS,
        }
    }

    /// Whether buckets follow the calendar (days, weeks, months), so their length and start
    /// depend on the time zone rather than being fixed multiples of [`Granularity::ms`].
    pub fn is_calendar(self) -> bool {
        matches!(
            self,
            Granularity::Day | Granularity::Week | Granularity::Month
        )
    }
}

/// Longest `timeZone` name accepted (IANA names are far shorter).
pub const MAX_TIME_ZONE_LEN: usize = 64;

/// Checks the shape of an IANA time zone name (`Europe/Berlin`, `UTC`): 1 to
/// [`MAX_TIME_ZONE_LEN`] ASCII letters, digits and `/_+-`. Whether the zone exists is for the
/// backend's time zone database to say (a 422 on `timeZone` as well).
///
/// # Errors
/// An empty, overlong or oddly spelled name, on field `timeZone`.
pub fn validate_time_zone(name: &str) -> Validated {
    let ok = !name.is_empty()
        && name.len() <= MAX_TIME_ZONE_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-'));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "timeZone",
            "must be an IANA time zone name such as 'Europe/Berlin' or 'UTC'",
        ))
    }
}

/// One aggregated output column. `field: "*"` is allowed with `count`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Measure {
    pub field: String,
    pub agg: Aggregation,
    /// Output column name; defaults to `count` for `*`, else `<agg>_<field>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

impl Measure {
    pub fn new(field: impl Into<String>, agg: Aggregation) -> Self {
        Self {
            field: field.into(),
            agg,
            alias: None,
        }
    }

    /// The output column name.
    pub fn output_name(&self) -> String {
        match &self.alias {
            Some(a) => a.clone(),
            None if self.field == "*" => self.agg.as_str().to_owned(),
            None => format!("{}_{}", self.agg.as_str(), self.field),
        }
    }

    /// The output column type.
    pub fn output_type(&self, dataset: &Dataset) -> ColumnType {
        let input = dataset
            .field_type(&self.field)
            .unwrap_or(ColumnType::Integer);
        self.agg.result_type(input)
    }

    pub(crate) fn validate(&self, dataset: &Dataset) -> Validated {
        if let Some(alias) = &self.alias {
            if !is_identifier(alias) {
                return Err(FieldError::new(
                    "alias",
                    "letters, digits and _ only, 1 to 64",
                ));
            }
        }
        if self.field == "*" {
            return match self.agg {
                Aggregation::Count => Ok(()),
                _ => Err(FieldError::new("agg", "only 'count' may use field '*'")),
            };
        }
        if let Some(m) = dataset.measure(&self.field) {
            if m.aggregations.contains(&self.agg) {
                return Ok(());
            }
            return Err(FieldError::new(
                "agg",
                format!("'{}' is not allowed on '{}'", self.agg.as_str(), self.field),
            ));
        }
        if dataset.dimension(&self.field).is_some() {
            return match self.agg {
                Aggregation::Count | Aggregation::CountDistinct => Ok(()),
                _ => Err(FieldError::new(
                    "agg",
                    "dimensions allow only count and count_distinct",
                )),
            };
        }
        Err(FieldError::new(
            "field",
            format!("unknown field '{}'", self.field),
        ))
    }
}

unit_enum! {
    /// Sort direction.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum SortDir {
        #[default]
        Asc,
        Desc,
    }
}

/// Sort by an output column (`time`, a dimension, or a measure's output name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sort {
    pub field: String,
    #[serde(default)]
    pub dir: SortDir,
}

/// A structured, validated query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Query {
    pub dataset: String,
    #[serde(default)]
    pub dimensions: Vec<String>,
    pub measures: Vec<Measure>,
    /// At most 50 (`MAX_FILTERS`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub filters: Vec<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_range: Option<TimeRange>,
    /// Buckets rows by time; the result then starts with a `time` column (bucket start, ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<Granularity>,
    #[serde(default)]
    pub sort: Vec<Sort>,
    /// Most rows to return: 1 to 10000 (`MAX_LIMIT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
    pub limit: Option<u32>,
    /// Adds `<measure>_previous` columns computed over the equally long period just before the
    /// time range (KPI deltas). Needs a time range and no granularity.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub compare_previous: bool,
    /// IANA time zone (`Europe/Berlin`) in which time buckets and the `today` preset are
    /// computed; default UTC. An unknown zone is a 422 on `timeZone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

impl Query {
    /// A query with the given dataset and measures and nothing else.
    pub fn new(dataset: impl Into<String>, measures: Vec<Measure>) -> Self {
        Self {
            dataset: dataset.into(),
            dimensions: vec![],
            measures,
            filters: vec![],
            time_range: None,
            granularity: None,
            sort: vec![],
            limit: None,
            compare_previous: false,
            time_zone: None,
        }
    }

    /// Output column names in order: `time` (with granularity), dimensions, measures, then
    /// `<measure>_previous` columns (with `comparePrevious`).
    pub fn output_columns(&self) -> Vec<String> {
        let mut cols = Vec::new();
        if self.granularity.is_some() {
            cols.push(TIME_COLUMN.to_owned());
        }
        cols.extend(self.dimensions.iter().cloned());
        cols.extend(self.measures.iter().map(Measure::output_name));
        if self.compare_previous {
            cols.extend(
                self.measures
                    .iter()
                    .map(|m| format!("{}_previous", m.output_name())),
            );
        }
        cols
    }

    /// Checks the query against its dataset's schema.
    ///
    /// # Errors
    /// The first invalid part, with a field path like `measures[1].agg`.
    pub fn validate(&self, dataset: &Dataset) -> Validated {
        if self.dataset != dataset.id {
            return Err(FieldError::new("dataset", "does not match the schema"));
        }
        if self.dimensions.len() > MAX_DIMENSIONS {
            return Err(FieldError::new(
                "dimensions",
                format!("at most {MAX_DIMENSIONS} dimensions"),
            )
            .with_rule(Rule::AtMostDimensions(MAX_DIMENSIONS)));
        }
        for (i, d) in self.dimensions.iter().enumerate() {
            if dataset.dimension(d).is_none() {
                return Err(FieldError::new(
                    format!("dimensions[{i}]"),
                    format!("unknown dimension '{d}'"),
                ));
            }
        }
        if self.measures.is_empty() || self.measures.len() > MAX_MEASURES {
            return Err(
                FieldError::new("measures", format!("needs 1 to {MAX_MEASURES} measures"))
                    .with_rule(Rule::OneToMeasures(MAX_MEASURES)),
            );
        }
        for (i, m) in self.measures.iter().enumerate() {
            m.validate(dataset)
                .map_err(|e| e.within(&format!("measures[{i}]")))?;
        }
        let cols = self.output_columns();
        for (i, c) in cols.iter().enumerate() {
            if cols[..i].contains(c) {
                return Err(
                    FieldError::new("measures", format!("duplicate output column '{c}'"))
                        .with_rule(Rule::DuplicateColumn(i)),
                );
            }
        }
        if self.filters.len() > MAX_FILTERS {
            return Err(
                FieldError::new("filters", format!("at most {MAX_FILTERS} filters"))
                    .with_rule(Rule::AtMostFilters(MAX_FILTERS)),
            );
        }
        for (i, f) in self.filters.iter().enumerate() {
            f.validate(dataset)
                .map_err(|e| e.within(&format!("filters[{i}]")))?;
        }
        if let Some(zone) = &self.time_zone {
            validate_time_zone(zone)?;
        }
        if let Some(tr) = &self.time_range {
            tr.validate().map_err(|e| e.within("timeRange"))?;
            if let (Some(g), None) = (self.granularity, tr.preset) {
                let (from, to) = tr.resolve(0);
                if (to - from) / g.ms() > MAX_BUCKETS {
                    return Err(FieldError::new(
                        "granularity",
                        "too many time buckets for the range",
                    )
                    .with_rule(Rule::TooManyTimeBuckets));
                }
            }
        }
        for (i, s) in self.sort.iter().enumerate() {
            if !cols.contains(&s.field) {
                return Err(FieldError::new(
                    format!("sort[{i}].field"),
                    format!("'{}' is not an output column", s.field),
                ));
            }
        }
        if let Some(limit) = self.limit {
            if limit == 0 || limit > MAX_LIMIT {
                return Err(FieldError::new(
                    "limit",
                    format!("must be 1 to {MAX_LIMIT}"),
                ));
            }
        }
        if self.compare_previous && (self.time_range.is_none() || self.granularity.is_some()) {
            return Err(FieldError::new(
                "comparePrevious",
                "needs a timeRange and no granularity",
            ));
        }
        Ok(())
    }
}

/// `[A-Za-z_][A-Za-z0-9_]{0,63}`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DimensionDef, MeasureDef};
    use serde_json::json;

    fn ds() -> Dataset {
        Dataset {
            id: "validations".into(),
            name: "Validations".into(),
            description: String::new(),
            time_field: "ts".into(),
            dimensions: vec![
                DimensionDef {
                    name: "status".into(),
                    label: "Status".into(),
                    column_type: ColumnType::String,
                    values: vec![],
                },
                DimensionDef {
                    name: "session_id".into(),
                    label: "Session".into(),
                    column_type: ColumnType::String,
                    values: vec![],
                },
            ],
            measures: vec![MeasureDef {
                name: "latency_ms".into(),
                label: "Latency".into(),
                column_type: ColumnType::Float,
                aggregations: vec![Aggregation::Avg, Aggregation::P95, Aggregation::Max],
                unit: Some("ms".into()),
            }],
            fields: vec![],
            retention_days: 365,
            version: 0,
        }
    }

    fn q(v: Value) -> Query {
        serde_json::from_value(v).unwrap()
    }

    fn err_field(v: Value) -> String {
        q(v).validate(&ds()).unwrap_err().field
    }

    #[test]
    fn valid_query_passes_and_names_columns() {
        let query = q(json!({
            "dataset": "validations", "dimensions": ["status"],
            "measures": [{"field": "*", "agg": "count"}, {"field": "latency_ms", "agg": "p95"}],
            "filters": [{"field": "status", "op": "in", "values": ["VALID", "INVALID"]},
                        {"field": "latency_ms", "op": "between", "values": [1, 2.5]}],
            "timeRange": {"from": 0, "to": 1000}, "granularity": "1m",
            "sort": [{"field": "p95_latency_ms", "dir": "desc"}], "limit": 10
        }));
        query.validate(&ds()).unwrap();
        assert_eq!(
            query.output_columns(),
            vec!["time", "status", "count", "p95_latency_ms"]
        );
    }

    #[test]
    fn rejects_unknown_fields_and_aggregations() {
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "dimensions": ["nope"], "measures": [{"field": "*", "agg": "count"}]})
            ),
            "dimensions[0]"
        );
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": [{"field": "nope", "agg": "avg"}]})
            ),
            "measures[0].field"
        );
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": [{"field": "latency_ms", "agg": "sum"}]})
            ),
            "measures[0].agg"
        );
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": [{"field": "*", "agg": "avg"}]})
            ),
            "measures[0].agg"
        );
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": [{"field": "status", "agg": "max"}]})
            ),
            "measures[0].agg"
        );
        assert_eq!(
            err_field(json!({"dataset": "validations", "measures": []})),
            "measures"
        );
        assert!(serde_json::from_value::<Query>(
            json!({"dataset": "v", "measures": [], "sql": "drop"})
        )
        .is_err());
        assert!(serde_json::from_value::<Query>(
            json!({"dataset": "v", "measures": [{"field": "x", "agg": "median"}]})
        )
        .is_err());
    }

    #[test]
    fn validates_filters() {
        let base = |f: Value| json!({"dataset": "validations", "measures": [{"field": "*", "agg": "count"}], "filters": [f]});
        assert_eq!(
            err_field(base(json!({"field": "x", "op": "eq", "value": "a"}))),
            "filters[0].field"
        );
        assert_eq!(
            err_field(base(json!({"field": "status", "op": "gt", "value": "a"}))),
            "filters[0].op"
        );
        assert_eq!(
            err_field(base(
                json!({"field": "latency_ms", "op": "contains", "value": "a"})
            )),
            "filters[0].op"
        );
        assert_eq!(
            err_field(base(json!({"field": "status", "op": "eq", "value": 3}))),
            "filters[0].value"
        );
        assert_eq!(
            err_field(base(json!({"field": "status", "op": "in", "values": []}))),
            "filters[0].values"
        );
        assert_eq!(
            err_field(base(json!({"field": "status", "op": "eq"}))),
            "filters[0].value"
        );
        assert_eq!(
            err_field(base(
                json!({"field": "latency_ms", "op": "between", "values": [1]})
            )),
            "filters[0].values"
        );
        assert_eq!(
            err_field(base(json!({"field": "ts", "op": "gte", "value": 1.5}))),
            "filters[0].value"
        );
        q(base(json!({"field": "ts", "op": "gte", "value": 15})))
            .validate(&ds())
            .unwrap();
        q(base(
            json!({"field": "status", "op": "contains", "value": "VAL"}),
        ))
        .validate(&ds())
        .unwrap();
    }

    #[test]
    fn extreme_time_ranges_are_field_errors() {
        let m = json!([{"field": "*", "agg": "count"}]);
        // i64::MIN..i64::MAX would overflow `to - from` in the bucket count.
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": m, "timeRange": {"from": i64::MIN, "to": i64::MAX}, "granularity": "1m"})
            ),
            "timeRange.from"
        );
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": m, "timeRange": {"from": 0, "to": i64::MAX}, "comparePrevious": true})
            ),
            "timeRange.to"
        );
        let tr = TimeRange::absolute(MIN_EPOCH_MS, MAX_EPOCH_MS);
        tr.validate().unwrap();
        let (from, to) = tr.resolve(0);
        assert!(to
            .checked_sub(from)
            .and_then(|s| from.checked_sub(s))
            .is_some());
        assert_eq!(
            TimeRange::absolute(0, MAX_EPOCH_MS + 1)
                .validate()
                .unwrap_err()
                .field,
            "to"
        );
        let filters =
            vec![json!({"field": "status", "op": "eq", "value": "VALID"}); MAX_FILTERS + 1];
        assert_eq!(
            err_field(json!({"dataset": "validations", "measures": m, "filters": filters})),
            "filters"
        );
    }

    #[test]
    fn validates_time_sort_limit_and_compare() {
        let m = json!([{"field": "*", "agg": "count"}]);
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": m, "timeRange": {"from": 5, "to": 1}})
            ),
            "timeRange.from"
        );
        assert_eq!(
            err_field(json!({"dataset": "validations", "measures": m, "timeRange": {}})),
            "timeRange"
        );
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": m, "timeRange": {"preset": "last1h", "from": 1, "to": 2}})
            ),
            "timeRange"
        );
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": m, "timeRange": {"from": 0, "to": 86_400_000_000i64}, "granularity": "1m"})
            ),
            "granularity"
        );
        assert_eq!(
            err_field(
                json!({"dataset": "validations", "measures": m, "sort": [{"field": "status"}]})
            ),
            "sort[0].field"
        );
        assert_eq!(
            err_field(json!({"dataset": "validations", "measures": m, "limit": 0})),
            "limit"
        );
        assert_eq!(
            err_field(json!({"dataset": "validations", "measures": m, "limit": 10_001})),
            "limit"
        );
        assert_eq!(
            err_field(json!({"dataset": "validations", "measures": m, "comparePrevious": true})),
            "comparePrevious"
        );
        let kpi = q(
            json!({"dataset": "validations", "measures": m, "comparePrevious": true, "timeRange": {"preset": "last24h"}}),
        );
        kpi.validate(&ds()).unwrap();
        assert_eq!(kpi.output_columns(), vec!["count", "count_previous"]);
    }

    #[test]
    fn time_zone_names_are_shape_checked_and_today_starts_at_the_given_midnight() {
        let m = json!([{"field": "*", "agg": "count"}]);
        q(json!({"dataset": "validations", "measures": m, "timeZone": "America/Argentina/Buenos_Aires", "granularity": "1w"}))
            .validate(&ds())
            .unwrap();
        for bad in ["", "Europe/Berlin; DROP", "a'b", &"x".repeat(65)] {
            assert_eq!(
                err_field(json!({"dataset": "validations", "measures": m, "timeZone": bad})),
                "timeZone",
                "{bad:?}"
            );
        }
        let today = TimeRange::preset(TimePreset::Today);
        let now = 3 * DAY_MS + 5_000;
        assert_eq!(today.resolve(now), (3 * DAY_MS, now));
        assert_eq!(today.resolve_with(now, |n| n - 7), (now - 7, now));
        assert_eq!(TimePreset::Today.duration_ms(), None);
        assert_eq!(serde_json::to_value(Granularity::Month).unwrap(), "1mo");
        assert!(Granularity::Week.is_calendar() && !Granularity::Hour.is_calendar());
    }

    #[test]
    fn a_duplicate_output_column_rule_names_its_position() {
        let mut dataset = ds();
        dataset.dimensions[1].name = "count".into();
        let query = q(
            json!({"dataset": "validations", "dimensions": ["count"], "measures": [{"field": "*", "agg": "count"}]}),
        );
        let e = query.validate(&dataset).unwrap_err();
        assert_eq!(e.to_string(), "measures: duplicate output column 'count'");
        let Some(Rule::DuplicateColumn(i)) = e.rule else {
            panic!("{:?}", e.rule);
        };
        assert_eq!(query.output_columns()[i], "count");
    }

    #[test]
    fn presets_resolve_relative_to_now() {
        let tr = TimeRange::preset(TimePreset::Last15m);
        assert_eq!(tr.resolve(1_000_000), (100_000, 1_000_000));
        assert_eq!(TimeRange::absolute(1, 2).resolve(9), (1, 2));
        assert_eq!(
            serde_json::to_value(Granularity::FiveMinutes).unwrap(),
            "5m"
        );
    }
}

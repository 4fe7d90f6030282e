//! Field-level validation errors shared by every validated contract type.
//!
//! A server turns a [`FieldError`] into a 422 [`crate::ApiError`] whose `details.field` names the
//! offending field, so a form can highlight it.

use crate::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};

/// A validation failure that names the field (JSON path, e.g. `branding.primaryColor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// The rule broken, when it is one a form says in the user's language (the app's catalogs
    /// word each of these); `message` is the English every backend sends. Not on the wire.
    #[serde(skip)]
    pub rule: Option<Rule>,
}

/// A rule of the account forms (setup, invitations, password links, your account), the
/// branding form, the dashboard builder's widget editor and the CSV import that a client words
/// itself, in the user's language, instead of showing the English `message`. A rule whose
/// message names something (a column, a field) leaves the name to the client, which has the
/// query or definition it checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Empty (after trimming).
    Required,
    /// Longer than this many characters.
    AtMostChars(usize),
    /// Empty (after trimming) or longer than this many characters.
    OneToChars(usize),
    /// Not a colour written `#rgb` or `#rrggbb`.
    HexColour,
    /// More colours than this.
    AtMostColours(usize),
    /// Holds control characters.
    NoControlCharacters,
    /// Not an email address.
    Email,
    /// A password shorter than this many characters.
    PasswordTooShort(usize),
    /// A password longer than this many bytes.
    PasswordTooLong(usize),
    /// A password of too few different characters.
    PasswordRepetitive,
    /// A password that is the account's email (or its part before `@`).
    PasswordIsEmail,
    /// A password made mostly of words and sequences everyone tries.
    PasswordCommonWords,
    /// A password that is one keyboard or number run.
    PasswordSequence,
    /// A query without measures or with more than this many.
    OneToMeasures(usize),
    /// A query grouped by more than this many dimensions.
    AtMostDimensions(usize),
    /// A query's output column named like an earlier one: this is its position in
    /// [`crate::Query::output_columns`].
    DuplicateColumn(usize),
    /// More filters than this.
    AtMostFilters(usize),
    /// A list filter (`in`, `not_in`) without 1 to this many values.
    OneToValues(usize),
    /// A time bucket too small for the query's time range (more buckets than a query may
    /// produce).
    TooManyTimeBuckets,
    /// A whole number below 1 or above this.
    OneTo(usize),
    /// A dataset definition without fields or with more than this many.
    OneToFields(usize),
    /// A dataset definition whose time field is not one of its fields.
    TimeFieldNotAField,
    /// A webhook address that is not an absolute `https://` URL with a host (or holds a
    /// user name, a password or spaces).
    WebhookUrl,
    /// A webhook without events.
    AtLeastOneEvent,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            rule: None,
        }
    }

    /// Names the [`Rule`] this error reports.
    #[must_use]
    pub fn with_rule(mut self, rule: Rule) -> Self {
        self.rule = Some(rule);
        self
    }

    /// Prefixes the field path, e.g. `widgets[2]` + `query.dataset`.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() {
            prefix.to_owned()
        } else if self.field.starts_with('[') {
            format!("{prefix}{}", self.field)
        } else {
            format!("{prefix}.{}", self.field)
        };
        self
    }

    /// The 422 error a server answers with.
    pub fn into_api_error(self, request_id: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::ValidationFailed,
            message: self.to_string(),
            details: Some(serde_json::json!({ "field": self.field })),
            request_id: request_id.into(),
        }
    }
}

/// Shorthand for validation results.
pub type Validated = Result<(), FieldError>;

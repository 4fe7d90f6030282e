//! Enums of unit variants on the wire: written by serde's derived `Serialize` (their names
//! follow `rename_all` and `rename`, which the OpenAPI schema reads too) and read back by one
//! shared routine ([`read_variant`]) instead of a derived `Deserialize` each.
//!
//! A derived `Deserialize` of a unit enum compiles a field visitor, an enum visitor and serde's
//! enum access for every deserialiser the type is read with: 1.2–1.8 KB of wasm code per enum,
//! and 13 such enums reach the SDK's first module (issue 18 item 3, "derived impls nothing
//! needs"; BENCHMARKS.md, "Package size"). Here an enum is read as a string — `String`'s
//! deserialiser, one copy for every enum — and matched against what each variant serialises
//! to. An unknown name gets serde's own message (`unknown variant `x`, expected one of …`),
//! which the reference server classifies as a validation error, as before; a value that is
//! not a string says so (`invalid type: integer `5`, expected a string`).
//!
//! The crate's `unit_enum!` declares such an enum and its `Deserialize`; the variant list it
//! keeps (`ALL`) is what [`read_variant`] searches, so it always has every variant.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Impossible, Serialize, Serializer};

/// Declares an enum of unit variants (attributes, derives and docs as written, without
/// `Deserialize`) and implements `Deserialize` for it with [`read_variant`] over all of its
/// variants.
macro_rules! unit_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant
            ),+
        }

        impl $name {
            /// Every variant, in declaration order (what `Deserialize` matches a name against;
            /// tables, type unions and docs list them from here).
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::wire::read_variant(deserializer, &Self::ALL)
            }
        }
    };
}
pub(crate) use unit_enum;

/// The variant of `all` whose serialised name the deserialiser holds.
///
/// # Errors
/// The deserialiser's error when it holds no string; serde's `unknown variant` message
/// naming the expected names when the string is none of them.
pub fn read_variant<'de, D, T>(deserializer: D, all: &[T]) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Serialize + Copy,
{
    let name = String::deserialize(deserializer)?;
    let mut names = Vec::with_capacity(all.len());
    for variant in all {
        let wire = name_of(variant);
        if wire == name {
            return Ok(*variant);
        }
        names.push(wire);
    }
    Err(D::Error::custom(unknown_variant(&name, &names)))
}

/// What serde's `Error::unknown_variant` says, for names known only at run time.
fn unknown_variant(name: &str, expected: &[&str]) -> String {
    let quoted = |n: &&str| format!("`{n}`");
    match expected {
        [] => format!("unknown variant `{name}`, there are no variants"),
        [one] => format!("unknown variant `{name}`, expected `{one}`"),
        [a, b] => format!("unknown variant `{name}`, expected `{a}` or `{b}`"),
        many => format!(
            "unknown variant `{name}`, expected one of {}",
            many.iter().map(quoted).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The name a unit variant serialises to; empty for a value that is not a unit variant.
pub fn name_of<T: Serialize>(value: &T) -> &'static str {
    value.serialize(NameOf).unwrap_or_default()
}

/// A serializer that only answers a unit variant's name.
struct NameOf;

/// Anything but a unit variant.
#[derive(Debug)]
struct NotUnitVariant;

impl fmt::Display for NotUnitVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotUnitVariant {}

impl serde::ser::Error for NotUnitVariant {
    fn custom<M: fmt::Display>(_: M) -> Self {
        NotUnitVariant
    }
}

type Never = Impossible<&'static str, NotUnitVariant>;

impl Serializer for NameOf {
    type Ok = &'static str;
    type Error = NotUnitVariant;
    type SerializeSeq = Never;
    type SerializeTuple = Never;
    type SerializeTupleStruct = Never;
    type SerializeTupleVariant = Never;
    type SerializeMap = Never;
    type SerializeStruct = Never;
    type SerializeStructVariant = Never;

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<&'static str, NotUnitVariant> {
        Ok(variant)
    }

    fn serialize_bool(self, _: bool) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_i8(self, _: i8) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_i16(self, _: i16) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_i32(self, _: i32) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_i64(self, _: i64) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_u8(self, _: u8) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_u16(self, _: u16) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_u32(self, _: u32) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_u64(self, _: u64) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_f32(self, _: f32) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_f64(self, _: f64) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_char(self, _: char) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_str(self, _: &str) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_none(self) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_some<V: ?Sized + Serialize>(self, _: &V) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_unit(self) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_newtype_struct<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &V,
    ) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_newtype_variant<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<&'static str, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Never, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_tuple(self, _: usize) -> Result<Never, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Never, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Never, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Never, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Never, NotUnitVariant> {
        Err(NotUnitVariant)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Never, NotUnitVariant> {
        Err(NotUnitVariant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Aggregation, AlertStatus, AuditAction, ColumnType, ErrorCode, FieldRole, FieldType,
        FilterOp, Granularity, LiveKind, Permission, Role, Severity, SortDir, ThemeMode,
        TimePreset, WidgetKind,
    };
    use serde::de::DeserializeOwned;

    /// Every variant reads back from what it writes, in JSON and from a `serde_json::Value`.
    fn round_trips<T: Serialize + DeserializeOwned + Copy + PartialEq + fmt::Debug>(all: &[T]) {
        assert!(!all.is_empty());
        for variant in all {
            let text = serde_json::to_string(variant).unwrap();
            assert_eq!(text, format!("\"{}\"", name_of(variant)));
            assert_eq!(
                serde_json::from_slice::<T>(text.as_bytes()).unwrap(),
                *variant,
                "{text}"
            );
            let value = serde_json::to_value(variant).unwrap();
            assert_eq!(serde_json::from_value::<T>(value).unwrap(), *variant);
        }
    }

    #[test]
    fn every_unit_enum_reads_what_it_writes() {
        round_trips(&Severity::ALL);
        round_trips(&AlertStatus::ALL);
        round_trips(&AuditAction::ALL);
        round_trips(&WidgetKind::ALL);
        round_trips(&Aggregation::ALL);
        round_trips(&FieldType::ALL);
        round_trips(&FieldRole::ALL);
        round_trips(&ErrorCode::ALL);
        round_trips(&LiveKind::ALL);
        round_trips(&FilterOp::ALL);
        round_trips(&TimePreset::ALL);
        round_trips(&Granularity::ALL);
        round_trips(&SortDir::ALL);
        round_trips(&ColumnType::ALL);
        round_trips(&Role::ALL);
        round_trips(&Permission::ALL);
        round_trips(&ThemeMode::ALL);
        assert_eq!(name_of(&Granularity::ALL[3]), "1h");
        assert_eq!(name_of(&LiveKind::ALL[0]), "metric");
        // The `as_str` of the enums that have one is the wire name (the server's SQL and audit
        // log use it).
        assert_eq!(Role::TenantAdmin.as_str(), "tenant_admin");
        assert_eq!(AuditAction::SignInFailed.as_str(), "sign_in_failed");
        assert_eq!(Aggregation::CountDistinct.as_str(), "count_distinct");
    }

    /// The messages are serde's own: a derived enum's and ours read the same bad input alike.
    #[test]
    fn bad_names_get_serdes_messages() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(rename_all = "snake_case")]
        #[allow(dead_code)]
        enum Derived {
            Asc,
            Desc,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        enum DerivedMany {
            #[serde(rename = "sum")]
            A,
            #[serde(rename = "avg")]
            B,
            #[serde(rename = "min")]
            C,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        enum DerivedOne {
            #[serde(rename = "only")]
            A,
        }
        // serde_json adds the position to errors its own methods raise; ours is raised after
        // the string was read, so it has none (the server's messages name the field's path).
        let ours = serde_json::from_slice::<SortDir>(b"\"up\"")
            .unwrap_err()
            .to_string();
        let serdes = serde_json::from_slice::<Derived>(b"\"up\"")
            .unwrap_err()
            .to_string();
        assert_eq!(ours, serdes.split(" at line").next().unwrap());
        assert_eq!(
            unknown_variant("x", &["sum", "avg", "min"]),
            serde_json::from_slice::<DerivedMany>(b"\"x\"")
                .unwrap_err()
                .to_string()
                .split(" at line")
                .next()
                .unwrap()
        );
        assert_eq!(
            unknown_variant("x", &["only"]),
            serde_json::from_slice::<DerivedOne>(b"\"x\"")
                .unwrap_err()
                .to_string()
                .split(" at line")
                .next()
                .unwrap()
        );
        let wrong = serde_json::from_slice::<SortDir>(b"5")
            .unwrap_err()
            .to_string();
        assert!(
            wrong.starts_with("invalid type: integer `5`, expected a string"),
            "{wrong}"
        );
        assert_eq!(name_of(&5), "");
    }
}

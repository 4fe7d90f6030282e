//! The portable cell and parameter type ([`Value`], SQLite's five storage classes, which
//! PostgreSQL's columns map onto), conversions to and from Rust types, and [`Row`].

use super::{Error, Result};

/// One parameter or cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Integer(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Real(f)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

/// A Rust value usable as a statement parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

macro_rules! integer_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            #[allow(clippy::cast_possible_wrap, clippy::cast_lossless)]
            fn to_value(&self) -> Value {
                Value::Integer(*self as i64)
            }
        }
    )*};
}
integer_to_value!(i32, i64, u32, u64, usize, u16, i16, u8);

/// Everything a statement accepts as its parameters.
pub trait Params {
    fn into_values(self) -> Vec<Value>;
}

impl Params for Vec<Value> {
    fn into_values(self) -> Vec<Value> {
        self
    }
}

impl Params for &[Value] {
    fn into_values(self) -> Vec<Value> {
        self.to_vec()
    }
}

impl Params for &Vec<Value> {
    fn into_values(self) -> Vec<Value> {
        self.clone()
    }
}

impl Params for () {
    fn into_values(self) -> Vec<Value> {
        Vec::new()
    }
}

impl<T: ToValue, const N: usize> Params for [T; N] {
    fn into_values(self) -> Vec<Value> {
        self.iter().map(ToValue::to_value).collect()
    }
}

/// One row read from a query; cells by position.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub(crate) cells: Vec<Value>,
}

impl Row {
    /// Cell `i` as `T`.
    ///
    /// # Errors
    /// No such column, or the cell does not convert to `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T> {
        T::from_value(self.get_ref(i)?).map_err(|message| Error::Decode { index: i, message })
    }

    /// Cell `i` as stored.
    ///
    /// # Errors
    /// No such column.
    pub fn get_ref(&self, i: usize) -> Result<&Value> {
        self.cells.get(i).ok_or_else(|| Error::Decode {
            index: i,
            message: "no such column".into(),
        })
    }
}

/// A Rust type a cell converts to.
pub trait FromValue: Sized {
    /// # Errors
    /// A message saying what was found instead.
    fn from_value(v: &Value) -> std::result::Result<Self, String>;
}

fn wrong(expected: &str, v: &Value) -> String {
    format!("expected {expected}, found {v:?}")
}

impl FromValue for Value {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        Ok(v.clone())
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            other => Err(wrong("text", other)),
        }
    }
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Integer(i) => Ok(*i),
            other => Err(wrong("an integer", other)),
        }
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Real(f) => Ok(*f),
            #[allow(clippy::cast_precision_loss)]
            Value::Integer(i) => Ok(*i as f64),
            other => Err(wrong("a number", other)),
        }
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Integer(i) => Ok(*i != 0),
            other => Err(wrong("a boolean", other)),
        }
    }
}

macro_rules! integer_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value) -> std::result::Result<Self, String> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| format!("{i} is out of range"))
            }
        }
    )*};
}
integer_from_value!(i32, u32, u64, usize, u16);

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

//! Hand-written OpenAPI schemas for the few fields whose Rust type (`serde_json::Value`) says
//! less than the contract does. Only built with the `openapi` feature (the server's).

use utoipa::openapi::schema::{Array, ArrayBuilder, Object, ObjectBuilder, SchemaType, Type};

/// One scalar value: a cell of a result column or a filter operand.
pub(crate) fn scalar() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![
            Type::String,
            Type::Number,
            Type::Boolean,
            Type::Null,
        ]))
        .build()
}

/// `QueryResult::data`: one array per column, each holding that column's scalar cells.
pub(crate) fn columnar_data() -> Array {
    ArrayBuilder::new()
        .items(ArrayBuilder::new().items(scalar()))
        .description(Some(
            "`data[c]` holds every value of `columns[c]`, one per row (columnar, not rows).",
        ))
        .build()
}

/// `Filter::values`: the operands of `in`, `not_in` and `between`.
pub(crate) fn scalar_list() -> Array {
    ArrayBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Array, Type::Null]))
        .items(scalar())
        .build()
}

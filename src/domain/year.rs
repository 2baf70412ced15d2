//! A calendar year, as the emulation cycle counts them: covenants, memberships and reviews are
//! all per year. The bounds live here and nowhere else: the schema, the validation of bodies
//! and queries, and (in the migrations) the CHECK constraints all say 1945–2100.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};
use validator::ValidationError;

use super::Maybe;

/// A year between [`Year::MIN`] and [`Year::MAX`].
///
/// It deserialises from any integer so that a year out of range is a rule broken (422 in a
/// body, 400 in a query) rather than malformed JSON; [`Year::validate`] is the check, and the
/// field declarations of every request type apply it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[serde(transparent)]
#[diesel(sql_type = diesel::sql_types::Integer)]
pub struct Year(pub i32);

impl Year {
    /// The first year the records know: the first emulation movements of 1945–1948.
    pub const MIN: i32 = 1945;
    pub const MAX: i32 = 2100;

    pub fn get(self) -> i32 {
        self.0
    }

    pub fn in_range(self) -> bool {
        (Self::MIN..=Self::MAX).contains(&self.0)
    }

    /// The range check, as a `validator` custom function, for a year or an optional one.
    pub fn validate(year: &impl Maybe<Year>) -> Result<(), ValidationError> {
        if year.value().is_none_or(|y| y.in_range()) {
            Ok(())
        } else {
            // The message is made from the bounds, in both languages, by `ApiError`.
            let mut e = ValidationError::new(crate::error::FieldCode::Range.as_str());
            e.add_param("min".into(), &Self::MIN);
            e.add_param("max".into(), &Self::MAX);
            Err(e)
        }
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<i32> for Year {
    fn from(y: i32) -> Self {
        Year(y)
    }
}

impl PartialSchema for Year {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Integer))
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int32,
            )))
            .minimum(Some(f64::from(Self::MIN)))
            .maximum(Some(f64::from(Self::MAX)))
            .description(Some("A calendar year (năm)."))
            .examples([serde_json::json!(2019)])
            .into()
    }
}

impl ToSchema for Year {}

#[cfg(test)]
mod tests {
    use super::Year;

    #[test]
    fn the_bounds_are_inclusive() {
        assert!(Year::validate(&Year(1945)).is_ok());
        assert!(Year::validate(&Some(Year(2100))).is_ok());
        assert!(Year::validate(&None::<Year>).is_ok());
        assert!(Year::validate(&Year(1944)).is_err());
        assert!(Year::validate(&Some(Year(2101))).is_err());
    }
}

//! A calendar date written `YYYY-MM-DD` (RFC 3339 `full-date`) and nothing else: chrono alone
//! would also read `+002024-01-01` or `0000-01-01`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{KnownFormat, RefOr, Schema, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

/// A date between 1900-01-01 and 2100-12-31.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Date)]
pub struct Date(pub NaiveDate);

impl Date {
    pub const MIN_YEAR: i32 = 1900;
    pub const MAX_YEAR: i32 = 2100;
    /// What a client is told when a date cannot be read.
    pub const EXPECTED: &'static str = "a date written YYYY-MM-DD, from 1900-01-01 to 2100-12-31";

    pub fn get(self) -> NaiveDate {
        self.0
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// A date for literals in code and tests; `None` for an impossible one.
    pub fn ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(y, m, d).map(Date)
    }
}

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError;

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}", Date::EXPECTED)
    }
}

impl std::error::Error for DateError {}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape {
            return Err(DateError);
        }
        let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| DateError)?;
        if (Self::MIN_YEAR..=Self::MAX_YEAR).contains(&date.year()) {
            Ok(Date(date))
        } else {
            Err(DateError)
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.format("%Y-%m-%d").fmt(f)
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

impl From<Date> for NaiveDate {
    fn from(d: Date) -> Self {
        d.0
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for Date {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(r"^\d{4}-\d{2}-\d{2}$"))
            .min_length(Some(10))
            .max_length(Some(10))
            .description(Some(
                "A date written YYYY-MM-DD, from 1900-01-01 to 2100-12-31.",
            ))
            .examples([serde_json::json!("2019-07-29")])
            .into()
    }
}

impl ToSchema for Date {}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn only_full_dates_in_range_are_read() {
        assert_eq!("2019-07-29".parse::<Date>().ok(), Date::ymd(2019, 7, 29),);
        for bad in [
            "+002024-01-01",
            "0000-01-01",
            "2019-7-29",
            "2019-02-30",
            "1899-12-31",
            "2101-01-01",
            "2019-07-29T00:00:00",
            " 2019-07-29",
            "",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad:?}");
        }
        assert_eq!(Date::ymd(2008, 4, 1).unwrap().to_string(), "2008-04-01");
    }
}

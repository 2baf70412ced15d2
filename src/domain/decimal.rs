//! An exact decimal number, as goals count them (a target of 95.5 %, 1 200 hồ sơ, 0 vụ): a
//! scaled integer of ten-thousandths, written in JSON as a string so that no client or
//! database rounds it through a binary float. Stored as a `BIGINT` of ten-thousandths.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A decimal with at most 14 digits before the point and 4 after, exact.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::BigInt)]
pub struct Decimal(i64);

impl Decimal {
    /// Ten-thousandths: four digits after the point.
    pub const SCALE: i64 = 10_000;
    pub const FRACTION_DIGITS: usize = 4;
    pub const INTEGER_DIGITS: usize = 14;
    pub const PATTERN: &'static str = r"^-?[0-9]{1,14}(\.[0-9]{1,4})?$";
    /// What a client is told when a decimal cannot be read.
    pub const EXPECTED: &'static str =
        "a decimal written as a string, such as \"95.5\": up to 14 digits, a point and 4 more";
    pub const ZERO: Decimal = Decimal(0);

    /// The value in ten-thousandths.
    pub fn scaled(self) -> i64 {
        self.0
    }

    /// The stored value, by reference (for the column mapping).
    pub fn scaled_ref(&self) -> &i64 {
        &self.0
    }

    pub fn from_scaled(v: i64) -> Decimal {
        Decimal(v)
    }

    pub fn from_int(v: i64) -> Option<Decimal> {
        v.checked_mul(Self::SCALE).map(Decimal)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

/// Why a decimal was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalError;

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}", Decimal::EXPECTED)
    }
}

impl std::error::Error for DecimalError {}

impl FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(s: &str) -> Result<Self, DecimalError> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        let shape = (1..=Self::INTEGER_DIGITS).contains(&int.len())
            && all_digits(int)
            && all_digits(frac)
            && frac.len() <= Self::FRACTION_DIGITS
            && (frac.is_empty() != digits.contains('.'));
        if !shape {
            return Err(DecimalError);
        }
        let int: i64 = int.parse().map_err(|_| DecimalError)?;
        let mut scaled_frac: i64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            let place = 10_i64.pow(u32::try_from(Self::FRACTION_DIGITS - 1 - i).unwrap_or(0));
            scaled_frac += i64::from(b - b'0') * place;
        }
        let magnitude = int
            .checked_mul(Self::SCALE)
            .and_then(|v| v.checked_add(scaled_frac))
            .ok_or(DecimalError)?;
        Ok(Decimal(if negative { -magnitude } else { magnitude }))
    }
}

/// The shortest exact form: no trailing zeros after the point, no point for a whole number.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let scale = Self::SCALE.unsigned_abs();
        let (int, frac) = (abs / scale, abs % scale);
        if frac == 0 {
            write!(f, "{sign}{int}")
        } else {
            let frac = format!("{frac:04}");
            write!(f, "{sign}{int}.{}", frac.trim_end_matches('0'))
        }
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for Decimal {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .pattern(Some(Self::PATTERN))
            .min_length(Some(1))
            .max_length(Some(20))
            .description(Some(
                "An exact decimal written as a string (up to 14 digits, a point and 4 more), \
                 so that no float rounds it: `\"95.5\"`, `\"1200\"`, `\"0\"`.",
            ))
            .examples([serde_json::json!("95.5")])
            .into()
    }
}

impl ToSchema for Decimal {}

#[cfg(test)]
mod tests {
    use super::Decimal;

    #[test]
    fn decimals_are_read_and_written_exactly() {
        for (text, scaled, shown) in [
            ("95.5", 955_000, "95.5"),
            ("0", 0, "0"),
            ("0.1", 1_000, "0.1"),
            ("-2.25", -22_500, "-2.25"),
            ("1200.0000", 12_000_000, "1200"),
            ("0.0001", 1, "0.0001"),
            (
                "99999999999999.9999",
                999_999_999_999_999_999,
                "99999999999999.9999",
            ),
        ] {
            let d: Decimal = text.parse().unwrap();
            assert_eq!(d.scaled(), scaled, "{text}");
            assert_eq!(d.to_string(), shown, "{text}");
        }
        for bad in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "1.23456",
            "+1",
            " 1",
            "1,5",
            "123456789012345",
            "--1",
        ] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad:?}");
        }
    }
}

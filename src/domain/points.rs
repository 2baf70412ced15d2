//! Points (điểm) as the covenants write them: decimals with at most two places (0.25, 0.5,
//! 12.75), held exactly as whole hundredths so that sums never drift.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A non-negative number of points with at most two decimal places, stored as hundredths.
///
/// In JSON it is a number (`12.5`); a third decimal place, a negative value or more than
/// [`Points::MAX`] is refused when the body is read.
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
pub struct Points(pub i64);

impl Points {
    /// The largest value accepted: 100,000 points.
    pub const MAX: i64 = 10_000_000;

    pub fn hundredths(self) -> i64 {
        self.0
    }

    /// Whether `self` is a whole multiple of `step` (a zero step divides nothing).
    pub fn is_multiple_of(self, step: Points) -> bool {
        step.0 > 0 && self.0 % step.0 == 0
    }

    /// Reads a decimal such as `12.25` (no sign, at most two places).
    pub fn parse(text: &str) -> Option<Points> {
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) || (text.contains('.') && frac.is_empty()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let mut cents: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        let value = whole.checked_mul(100)?.checked_add(cents)?;
        (value <= Self::MAX).then_some(Points(value))
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, cents) = (self.0 / 100, self.0 % 100);
        match cents {
            0 => write!(f, "{whole}"),
            c if c % 10 == 0 => write!(f, "{whole}.{}", c / 10),
            c => write!(f, "{whole}.{c:02}"),
        }
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0 + other.0)
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The shortest decimal that reads back as the same double is exactly `Display`'s.
        let value: f64 = self
            .to_string()
            .parse()
            .map_err(serde::ser::Error::custom)?;
        s.serialize_f64(value)
    }
}

struct PointsVisitor;

const EXPECTED: &str = "a number of points ≥ 0 with at most two decimal places";

impl Visitor<'_> for PointsVisitor {
    type Value = Points;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Points, E> {
        Points::parse(&v.to_string()).ok_or_else(|| E::custom(EXPECTED))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Points, E> {
        Points::parse(&v.to_string()).ok_or_else(|| E::custom(EXPECTED))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Points, E> {
        // A decimal of two places rarely is a double exactly (0.35 may arrive as
        // 0.35000000000000003, a client's 35 × 0.01): the nearest hundredth counts when the
        // value is that hundredth to within rounding, and anything further off (0.125) is not
        // a value of two places.
        let cents = (v * 100.0).round();
        let exact = (v * 100.0 - cents).abs() < 1e-6;
        if !v.is_finite() || v < 0.0 || !exact || cents > Points::MAX as f64 {
            return Err(E::custom(EXPECTED));
        }
        Ok(Points(cents as i64))
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Points, D::Error> {
        d.deserialize_any(PointsVisitor)
    }
}

impl PartialSchema for Points {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Number))
            .minimum(Some(0.0))
            .maximum(Some(100_000.0))
            .multiple_of(Some(0.01))
            .description(Some("Points (điểm): a decimal with at most two places."))
            .examples([serde_json::json!(2.5)])
            .into()
    }
}

impl ToSchema for Points {}

#[cfg(test)]
mod tests {
    use super::Points;

    #[test]
    fn decimals_are_read_exactly() {
        for (text, want) in [
            ("0", 0),
            ("0.25", 25),
            ("0.5", 50),
            ("12.35", 1235),
            ("100", 10_000),
        ] {
            assert_eq!(Points::parse(text), Some(Points(want)), "{text}");
        }
        for text in ["", "-1", "0.125", "1.", ".5", "1e3", "100001"] {
            assert_eq!(Points::parse(text), None, "{text}");
        }
        let p: Points = serde_json::from_str("12.35").unwrap();
        assert_eq!(p, Points(1235));
        assert_eq!(serde_json::to_string(&p).unwrap(), "12.35");
        assert!(serde_json::from_str::<Points>("0.001").is_err());
        assert!(serde_json::from_str::<Points>("0.125").is_err());
        assert!(serde_json::from_str::<Points>("-0.5").is_err());
        let drifted: Points = serde_json::from_str("0.35000000000000003").unwrap();
        assert_eq!(drifted, Points(35));
        assert!(Points(150).is_multiple_of(Points(50)));
        assert!(!Points(125).is_multiple_of(Points(50)));
    }

    #[test]
    fn a_hundred_quarters_sum_exactly() {
        let total = (0..100).fold(Points(0), |acc, _| acc + Points::parse("0.01").unwrap());
        assert_eq!(total.to_string(), "1");
    }
}

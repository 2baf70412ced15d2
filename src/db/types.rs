//! How the domain's value types are stored, on both databases: vocabularies as their
//! snake_case name in a `TEXT` column, [`Year`] as an `INTEGER`, [`Date`] as a `DATE`, [`Points`] as a `BIGINT` of
//! hundredths.

use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{BigInt, Date as SqlDate, Integer};

use super::MultiBackend;
use crate::domain::{Date, Points, Year};

/// Maps a `text_enum!` vocabulary to a `TEXT` column. A stored value that is no longer in the
/// vocabulary is a deserialisation error (the CHECK constraints make it impossible).
#[macro_export]
#[doc(hidden)]
macro_rules! __text_column {
    ($name:ty) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::MultiBackend>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        // MultiConnection writes statements through each backend's own bind collector, so
        // the backends need the mapping too.
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn from_sql(
                bytes: <$crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let s = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    $crate::db::MultiBackend,
                >>::from_sql(bytes)?;
                s.parse().map_err(|_| {
                    format!("unknown {} {s:?} in the database", stringify!($name)).into()
                })
            }
        }
    };
}
pub use crate::__text_column as text_column;

impl ToSql<Integer, MultiBackend> for Year {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        <i32 as ToSql<Integer, MultiBackend>>::to_sql(&self.0, out)
    }
}

impl FromSql<Integer, MultiBackend> for Year {
    fn from_sql(
        bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <i32 as FromSql<Integer, MultiBackend>>::from_sql(bytes).map(Year)
    }
}

impl ToSql<SqlDate, MultiBackend> for Date {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        <chrono::NaiveDate as ToSql<SqlDate, MultiBackend>>::to_sql(&self.0, out)
    }
}

impl FromSql<SqlDate, MultiBackend> for Date {
    fn from_sql(
        bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <chrono::NaiveDate as FromSql<SqlDate, MultiBackend>>::from_sql(bytes).map(Date)
    }
}

impl ToSql<BigInt, MultiBackend> for Points {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        <i64 as ToSql<BigInt, MultiBackend>>::to_sql(&self.0, out)
    }
}

impl FromSql<BigInt, MultiBackend> for Points {
    fn from_sql(
        bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <i64 as FromSql<BigInt, MultiBackend>>::from_sql(bytes).map(Points)
    }
}

/// The same mappings for each backend: MultiConnection serialises statements through them.
macro_rules! per_backend {
    ($ty:ty, $sql:ty, $inner:ty, |$v:ident| $get:expr) => {
        impl ToSql<$sql, diesel::pg::Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::pg::Pg>) -> serialize::Result {
                let $v = self;
                <$inner as ToSql<$sql, diesel::pg::Pg>>::to_sql($get, out)
            }
        }
        impl ToSql<$sql, diesel::sqlite::Sqlite> for $ty {
            fn to_sql<'b>(
                &'b self,
                out: &mut Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> serialize::Result {
                let $v = self;
                <$inner as ToSql<$sql, diesel::sqlite::Sqlite>>::to_sql($get, out)
            }
        }
    };
}

per_backend!(Year, Integer, i32, |y| &y.0);
per_backend!(Date, SqlDate, chrono::NaiveDate, |d| &d.0);

impl ToSql<diesel::sql_types::BigInt, MultiBackend> for crate::domain::Decimal {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        <i64 as ToSql<diesel::sql_types::BigInt, MultiBackend>>::to_sql(self.scaled_ref(), out)
    }
}

impl FromSql<diesel::sql_types::BigInt, MultiBackend> for crate::domain::Decimal {
    fn from_sql(
        bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <i64 as FromSql<diesel::sql_types::BigInt, MultiBackend>>::from_sql(bytes)
            .map(crate::domain::Decimal::from_scaled)
    }
}

per_backend!(
    crate::domain::Decimal,
    diesel::sql_types::BigInt,
    i64,
    |d| d.scaled_ref()
);
per_backend!(Points, BigInt, i64, |p| &p.0);

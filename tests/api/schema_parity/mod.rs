//! Schema parity: the tables that the SQLite and the PostgreSQL migrations build, read back
//! from each database's catalogue, against each other, against the hand-written
//! `src/db/schema.rs`, and (for the columns whose CHECK lists their allowed values) against
//! the Rust enums that hold those values. Tables, columns, types, nullability, primary keys and
//! value lists are compared; nothing about the current schema is written down here except
//! `compare::enum_columns`, so tables and columns added later are compared as they come.
//!
//! `catalogue` reads the schemas, `compare` finds the drift; this file runs them.

mod catalogue;
mod compare;

use catalogue::{checks_in, postgres_catalogue, schema_rs, sqlite_catalogue, value_list};
use compare::{against_enums, against_schema_rs, between};

use crate::helpers::{migrated_postgres, migrated_sqlite};

#[test]
fn the_migrations_match_schema_rs_the_rust_enums_and_each_other() {
    // Arrange
    let schema = schema_rs();
    assert!(
        schema.len() > 5,
        "schema.rs was not read: {:?}",
        schema.keys()
    );
    let mut sqlite_db = migrated_sqlite();
    let postgres_db = migrated_postgres();

    // Act
    let sqlite = sqlite_catalogue(&mut sqlite_db.conn);
    let mut drift = Vec::new();
    against_schema_rs("SQLite", &sqlite, &schema, &mut drift);
    against_enums("SQLite", &sqlite, &mut drift);
    match postgres_db {
        Some(mut pg_db) => {
            let pg = postgres_catalogue(&mut pg_db.conn);
            against_schema_rs("PostgreSQL", &pg, &schema, &mut drift);
            against_enums("PostgreSQL", &pg, &mut drift);
            between(&sqlite, &pg, &mut drift);
        }
        None => eprintln!(
            "THIDUA_TEST_POSTGRES_URL is not set: compared the SQLite migrations with schema.rs \
             and the Rust enums only, not with PostgreSQL"
        ),
    }

    // Assert
    assert!(drift.is_empty(), "schema drift:\n  {}", drift.join("\n  "));
}

#[test]
fn value_lists_are_read_from_both_renderings() {
    let expected = (
        "kind".to_owned(),
        ["bloc", "cluster"].map(String::from).into(),
    );
    assert_eq!(
        value_list("(kind IN ('bloc', 'cluster'))"),
        Some(expected.clone())
    );
    assert_eq!(
        value_list("((kind = ANY (ARRAY['bloc'::text, 'cluster'::text])))"),
        Some(expected)
    );
    assert_eq!(
        value_list("(role NOT IN ('admin') OR unit_id IS NULL)"),
        None
    );
    assert_eq!(value_list("(year BETWEEN 1945 AND 2100)"), None);
    let sql = "CREATE TABLE t (a TEXT CHECK (a IN ('x', 'y)')), b INT CHECK(b > 0))";
    assert_eq!(checks_in(sql), ["(a IN ('x', 'y)'))", "(b > 0)"]);
}

//! Schema parity: the tables that the SQLite and the PostgreSQL migrations build, read back
//! from each database's catalogue, against each other, against the hand-written
//! `src/db/schema.rs`, and (for the columns whose CHECK lists their allowed values) against
//! the Rust enums that hold those values. Tables, columns, types, nullability, primary keys and
//! value lists are compared; nothing about the current schema is written down here except
//! [`enum_columns`], so tables and columns added later are compared as they come.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use strum::VariantArray;
use thidua::auth::Role;
use thidua::db::AnyConnection;
use thidua::domain::*;

use crate::helpers::{migrated_postgres, migrated_sqlite};

/// Every column whose CHECK constraint lists its allowed values, and the Rust type whose
/// variants those values are. A new value list without a row here fails the test.
fn enum_columns() -> Vec<(&'static str, &'static str, BTreeSet<String>)> {
    vec![
        ("users", "role", variants::<Role>()),
        (
            "audit_events",
            "outcome",
            schema_values::<thidua::api::audit::Outcome>(),
        ),
        // `db::throttle::Scope` keeps its names private; these are the ones it writes.
        (
            "login_throttle",
            "scope",
            ["account", "ip"].map(String::from).into(),
        ),
        ("units", "kind", variants::<UnitKind>()),
        ("units", "admin_level", variants::<AdminLevel>()),
        ("persons", "gender", variants::<Gender>()),
        ("blocs", "kind", variants::<BlocKind>()),
        ("blocs", "level", variants::<AdminLevel>()),
        ("bloc_members", "role", variants::<MemberRole>()),
        ("movements", "scope", variants::<MovementScope>()),
        ("movements", "form", variants::<MovementForm>()),
        ("movements", "status", variants::<MovementStatus>()),
        (
            "movement_registrations",
            "status",
            variants::<RegistrationStatus>(),
        ),
        ("score_sheets", "period", variants::<Period>()),
        ("score_sheets", "kind", variants::<SheetKind>()),
        ("score_sheets", "state", variants::<SheetState>()),
        ("score_totals", "period", variants::<Period>()),
        ("score_totals", "kind", variants::<SheetKind>()),
        ("score_totals", "state", variants::<SheetState>()),
        (
            "score_sheet_transitions",
            "action",
            variants::<score_sheet::SheetAction>(),
        ),
        (
            "score_sheet_transitions",
            "from_state",
            variants::<SheetState>(),
        ),
        (
            "score_sheet_transitions",
            "to_state",
            variants::<SheetState>(),
        ),
    ]
}

fn variants<E: VariantArray + Copy + Into<&'static str>>() -> BTreeSet<String> {
    E::VARIANTS
        .iter()
        .map(|v| (*v).into())
        .map(String::from)
        .collect()
}

/// The values of an enum that has no variant list, as its OpenAPI schema names them.
fn schema_values<E: utoipa::PartialSchema>() -> BTreeSet<String> {
    let schema = serde_json::to_value(E::schema()).unwrap();
    let values = schema["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no enum in {schema}"));
    values
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// One table as a catalogue (or `schema.rs`) describes it.
#[derive(Debug, Default)]
struct Table {
    /// Column name → (declared type, nullable).
    columns: BTreeMap<String, (String, bool)>,
    primary_key: Vec<String>,
    /// Column name → the values its CHECK lists (several lists for one column are all kept).
    value_lists: BTreeMap<String, Vec<BTreeSet<String>>>,
}

type Catalogue = BTreeMap<String, Table>;

/// diesel's `__diesel_schema_migrations` and SQLite's own tables are not the application's.
fn is_internal(table: &str) -> bool {
    table.starts_with("__diesel") || table.starts_with("sqlite_")
}

/// The diesel types a column declared with this type may have in `schema.rs`.
fn diesel_types(backend: &str, declared: &str) -> &'static [&'static str] {
    match (backend, declared.to_ascii_lowercase().as_str()) {
        // SQLite integers are 64-bit whatever the declaration says.
        ("SQLite", "integer") => &["BigInt", "Integer", "SmallInt"],
        ("SQLite", "bigint") | ("PostgreSQL", "bigint") => &["BigInt"],
        ("PostgreSQL", "integer") => &["Integer"],
        (_, "smallint") => &["SmallInt"],
        (_, "text") => &["Text"],
        (_, "boolean") => &["Bool"],
        ("SQLite", "timestamp") | ("PostgreSQL", "timestamp without time zone") => &["Timestamp"],
        (_, "date") => &["Date"],
        ("SQLite", "time") | ("PostgreSQL", "time without time zone") => &["Time"],
        // SQLite REAL/FLOAT read back as f32 in diesel; DOUBLE is what keeps f64.
        ("SQLite", "double") | (_, "double precision") => &["Double"],
        ("SQLite", "real" | "float") | ("PostgreSQL", "real") => &["Float"],
        ("SQLite", "blob") | ("PostgreSQL", "bytea") => &["Binary"],
        _ => &[],
    }
}

/// diesel's aliases, so that `Int8` in `schema.rs` compares as `BigInt`.
fn canonical(diesel_type: &str) -> &str {
    match diesel_type {
        "Int2" => "SmallInt",
        "Int4" => "Integer",
        "Int8" => "BigInt",
        "Float4" => "Float",
        "Float8" => "Double",
        "VarChar" | "Varchar" => "Text",
        other => other,
    }
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

fn sqlite_catalogue(conn: &mut AnyConnection) -> Catalogue {
    let AnyConnection::Sqlite(c) = conn else {
        panic!("not SQLite")
    };
    let tables: Vec<Named> = diesel::sql_query(
        "SELECT name, sql AS detail FROM sqlite_master WHERE type = 'table' ORDER BY name",
    )
    .load(c)
    .unwrap();
    let mut catalogue = Catalogue::new();
    for t in tables.into_iter().filter(|t| !is_internal(&t.name)) {
        let columns: Vec<SqliteColumn> = diesel::sql_query(
            "SELECT name, type AS declared, \"notnull\" AS not_null, pk FROM pragma_table_info(?)",
        )
        .bind::<Text, _>(&t.name)
        .load(c)
        .unwrap();
        let mut table = Table::default();
        let mut key: Vec<&SqliteColumn> = columns.iter().filter(|c| c.pk > 0).collect();
        key.sort_by_key(|c| c.pk);
        table.primary_key = key.iter().map(|c| c.name.clone()).collect();
        // Only an INTEGER PRIMARY KEY (the rowid) is NOT NULL by itself: SQLite lets other
        // primary-key columns hold NULL unless they say NOT NULL.
        let rowid = key.len() == 1 && key[0].declared.eq_ignore_ascii_case("integer");
        for col in &columns {
            let nullable = col.not_null == 0 && !(rowid && col.pk == 1);
            table
                .columns
                .insert(col.name.clone(), (col.declared.clone(), nullable));
        }
        for check in checks_in(&t.detail) {
            if let Some((column, values)) = value_list(&check) {
                table.value_lists.entry(column).or_default().push(values);
            }
        }
        catalogue.insert(t.name, table);
    }
    catalogue
}

fn postgres_catalogue(conn: &mut AnyConnection) -> Catalogue {
    let AnyConnection::Postgresql(c) = conn else {
        panic!("not PostgreSQL")
    };
    let mut catalogue = Catalogue::new();
    let tables: Vec<Named> = diesel::sql_query(
        "SELECT table_name::text AS name, table_type::text AS detail FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .load(c)
    .unwrap();
    for t in tables.into_iter().filter(|t| !is_internal(&t.name)) {
        catalogue.insert(t.name, Table::default());
    }
    let columns: Vec<PgColumn> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .load(c)
    .unwrap();
    for col in columns {
        if let Some(table) = catalogue.get_mut(&col.table_name) {
            let nullable = col.is_nullable == "YES";
            table
                .columns
                .insert(col.column_name, (col.data_type, nullable));
        }
    }
    let keys: Vec<Named> = diesel::sql_query(
        "SELECT cl.relname::text AS name, a.attname::text AS detail \
         FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid \
         JOIN pg_namespace n ON n.oid = cl.relnamespace \
         CROSS JOIN LATERAL unnest(co.conkey) WITH ORDINALITY AS k(attnum, position) \
         JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = k.attnum \
         WHERE co.contype = 'p' AND n.nspname = current_schema() \
         ORDER BY cl.relname, k.position",
    )
    .load(c)
    .unwrap();
    for key in keys {
        if let Some(table) = catalogue.get_mut(&key.name) {
            table.primary_key.push(key.detail);
        }
    }
    let checks: Vec<Named> = diesel::sql_query(
        "SELECT cl.relname::text AS name, pg_get_constraintdef(co.oid) AS detail \
         FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid \
         JOIN pg_namespace n ON n.oid = cl.relnamespace \
         WHERE co.contype = 'c' AND n.nspname = current_schema()",
    )
    .load(c)
    .unwrap();
    for check in checks {
        let definition = check.detail.strip_prefix("CHECK ").unwrap_or(&check.detail);
        if let (Some(table), Some((column, values))) =
            (catalogue.get_mut(&check.name), value_list(definition))
        {
            table.value_lists.entry(column).or_default().push(values);
        }
    }
    catalogue
}

/// The tables `src/db/schema.rs` declares with `diesel::table!`, read from its source.
fn schema_rs() -> Catalogue {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();
    let mut catalogue = Catalogue::new();
    for block in source.split("table! {").skip(1) {
        let lines: Vec<&str> = block
            .lines()
            .map(|l| l.split("//").next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .collect();
        let Some(head) = lines.iter().find(|l| !l.starts_with('#')) else {
            continue;
        };
        let head = head.trim_end_matches('{').trim();
        let (name, key) = match head.split_once('(') {
            Some((name, key)) => (name.trim(), key.trim_end_matches(')')),
            None => (head, "id"),
        };
        let mut table = Table {
            primary_key: key.split(',').map(|k| k.trim().to_owned()).collect(),
            ..Table::default()
        };
        let mut sql_name = None;
        for line in lines.iter().skip_while(|l| !l.ends_with('{')).skip(1) {
            if *line == "}" {
                break;
            }
            if let Some(rest) = line.strip_prefix("#[sql_name") {
                sql_name = rest.split('"').nth(1).map(str::to_owned);
            } else if let Some((column, ty)) = line.split_once("->") {
                let ty = ty.trim().trim_end_matches(',').replace(' ', "");
                let (nullable, ty) = match ty.strip_prefix("Nullable<") {
                    Some(inner) => (true, inner.trim_end_matches('>').to_owned()),
                    None => (false, ty),
                };
                let ty = ty.rsplit("::").next().unwrap_or(&ty).to_owned();
                let column = sql_name.take().unwrap_or_else(|| column.trim().to_owned());
                table
                    .columns
                    .insert(column, (canonical(&ty).to_owned(), nullable));
            }
        }
        catalogue.insert(name.to_owned(), table);
    }
    catalogue
}

/// The bodies of the `CHECK (...)` clauses in a `CREATE TABLE` statement.
fn checks_in(sql: &str) -> Vec<String> {
    let upper = sql.to_ascii_uppercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = upper[from..].find("CHECK") {
        let start = from + at + "CHECK".len();
        from = start;
        let rest = sql[start..].trim_start();
        if !rest.starts_with('(') {
            continue;
        }
        let (mut depth, mut quoted) = (0, false);
        for (i, ch) in rest.char_indices() {
            match ch {
                '\'' => quoted = !quoted,
                '(' if !quoted => depth += 1,
                ')' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        found.push(rest[..=i].to_owned());
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// `(col IN ('a', 'b'))` (SQLite's text) or `((col = ANY (ARRAY['a'::text, 'b'::text])))`
/// (PostgreSQL's rendering): the column and its values. Any other check is not a value list.
fn value_list(check: &str) -> Option<(String, BTreeSet<String>)> {
    let mut s = check.trim();
    while let Some(inner) = s.strip_prefix('(').and_then(|i| i.strip_suffix(')')) {
        s = inner.trim();
    }
    let column_end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let (column, rest) = s.split_at(column_end);
    let rest = rest.trim_start();
    let list = if let Some(list) = strip_word(rest, "IN") {
        list.trim_start().strip_prefix('(')?.strip_suffix(')')?
    } else {
        let any = rest.strip_prefix('=').map(str::trim_start)?;
        let array = strip_word(any, "ANY")?
            .trim_start()
            .strip_prefix('(')?
            .trim_start();
        let array = strip_word(array, "ARRAY")?.trim_start().strip_prefix('[')?;
        array.strip_suffix(')')?.trim_end().strip_suffix(']')?
    };
    let mut values = BTreeSet::new();
    for item in list.split(',') {
        let item = item.trim();
        let item = item.split_once("::").map_or(item, |(v, _)| v);
        let value = item.strip_prefix('\'')?.strip_suffix('\'')?;
        values.insert(value.replace("''", "'"));
    }
    (!column.is_empty()).then(|| (column.to_owned(), values))
}

fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    let rest = &s[word.len()..];
    (head.eq_ignore_ascii_case(word) && rest.starts_with([' ', '(', '['])).then_some(rest)
}

/// Drift between a database's catalogue and `schema.rs`, one line per difference.
fn against_schema_rs(backend: &str, db: &Catalogue, schema: &Catalogue, drift: &mut Vec<String>) {
    for name in db.keys().filter(|n| !schema.contains_key(*n)) {
        drift.push(format!(
            "table {name}: in the {backend} database, not in schema.rs"
        ));
    }
    for (name, declared) in schema {
        let Some(table) = db.get(name) else {
            drift.push(format!(
                "table {name}: in schema.rs, not in the {backend} database"
            ));
            continue;
        };
        if table.primary_key != declared.primary_key {
            drift.push(format!(
                "table {name}: primary key {:?} in {backend}, {:?} in schema.rs",
                table.primary_key, declared.primary_key
            ));
        }
        for (column, (ty, nullable)) in &declared.columns {
            let Some((db_ty, db_nullable)) = table.columns.get(column) else {
                drift.push(format!("{name}.{column}: in schema.rs, not in {backend}"));
                continue;
            };
            if !diesel_types(backend, db_ty).contains(&ty.as_str()) {
                drift.push(format!(
                    "{name}.{column}: {backend} declares {db_ty}, schema.rs says {ty}"
                ));
            }
            if db_nullable != nullable {
                drift.push(format!(
                    "{name}.{column}: {} in {backend}, {} in schema.rs",
                    nullability(*db_nullable),
                    nullability(*nullable)
                ));
            }
        }
        for column in table
            .columns
            .keys()
            .filter(|c| !declared.columns.contains_key(*c))
        {
            drift.push(format!("{name}.{column}: in {backend}, not in schema.rs"));
        }
    }
}

fn nullability(nullable: bool) -> &'static str {
    if nullable { "nullable" } else { "NOT NULL" }
}

/// Drift between the CHECK value lists of a database and the Rust enums.
fn against_enums(backend: &str, db: &Catalogue, drift: &mut Vec<String>) {
    let enums = enum_columns();
    for (table, t) in db {
        for (column, lists) in &t.value_lists {
            let Some((_, _, rust)) = enums.iter().find(|(n, c, _)| n == table && c == column)
            else {
                drift.push(format!(
                    "{table}.{column}: {backend} CHECK lists {:?}, and no Rust enum is mapped to it \
                     in enum_columns()",
                    lists[0]
                ));
                continue;
            };
            for list in lists {
                let missing: Vec<_> = rust.difference(list).collect();
                let extra: Vec<_> = list.difference(rust).collect();
                if !missing.is_empty() || !extra.is_empty() {
                    drift.push(format!(
                        "{table}.{column}: {backend} CHECK lacks {missing:?} and allows {extra:?} \
                         compared with the Rust enum"
                    ));
                }
            }
        }
    }
    for (table, column, _) in &enums {
        let listed = db
            .get(*table)
            .is_some_and(|t| t.value_lists.contains_key(*column));
        if !listed {
            drift.push(format!(
                "{table}.{column}: no CHECK value list in {backend}"
            ));
        }
    }
}

/// Drift between the two databases themselves: what `schema.rs` cannot tell apart.
fn between(sqlite: &Catalogue, pg: &Catalogue, drift: &mut Vec<String>) {
    let names: BTreeSet<&String> = sqlite.keys().chain(pg.keys()).collect();
    for name in names {
        let (Some(s), Some(p)) = (sqlite.get(name), pg.get(name)) else {
            drift.push(format!("table {name}: only in one database"));
            continue;
        };
        if s.primary_key != p.primary_key {
            drift.push(format!(
                "table {name}: primary key {:?} in SQLite, {:?} in PostgreSQL",
                s.primary_key, p.primary_key
            ));
        }
        let columns: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for column in columns {
            let (Some((s_ty, s_null)), Some((p_ty, p_null))) =
                (s.columns.get(column), p.columns.get(column))
            else {
                drift.push(format!("{name}.{column}: only in one database"));
                continue;
            };
            let (s_types, p_types) = (
                diesel_types("SQLite", s_ty),
                diesel_types("PostgreSQL", p_ty),
            );
            if !s_types.iter().any(|t| p_types.contains(t)) {
                drift.push(format!(
                    "{name}.{column}: {s_ty} in SQLite, {p_ty} in PostgreSQL"
                ));
            }
            if s_null != p_null {
                drift.push(format!(
                    "{name}.{column}: {} in SQLite, {} in PostgreSQL",
                    nullability(*s_null),
                    nullability(*p_null)
                ));
            }
            if s.value_lists.get(column) != p.value_lists.get(column) {
                drift.push(format!(
                    "{name}.{column}: CHECK lists {:?} in SQLite, {:?} in PostgreSQL",
                    s.value_lists.get(column),
                    p.value_lists.get(column)
                ));
            }
        }
    }
}

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

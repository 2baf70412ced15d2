//! Reading a schema: each database's catalogue (tables, columns, declared types, nullability,
//! primary keys, CHECK value lists) and the tables `src/db/schema.rs` declares.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use thidua::db::AnyConnection;

/// One table as a catalogue (or `schema.rs`) describes it.
#[derive(Debug, Default)]
pub struct Table {
    /// Column name → (declared type, nullable).
    pub columns: BTreeMap<String, (String, bool)>,
    pub primary_key: Vec<String>,
    /// Column name → the values its CHECK lists (several lists for one column are all kept).
    pub value_lists: BTreeMap<String, Vec<BTreeSet<String>>>,
}

pub type Catalogue = BTreeMap<String, Table>;

/// diesel's `__diesel_schema_migrations` and SQLite's own tables are not the application's.
pub fn is_internal(table: &str) -> bool {
    table.starts_with("__diesel") || table.starts_with("sqlite_")
}

/// The diesel types a column declared with this type may have in `schema.rs`.
pub fn diesel_types(backend: &str, declared: &str) -> &'static [&'static str] {
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
pub fn canonical(diesel_type: &str) -> &str {
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
pub struct Named {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
pub struct SqliteColumn {
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
pub struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

pub fn sqlite_catalogue(conn: &mut AnyConnection) -> Catalogue {
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

pub fn postgres_catalogue(conn: &mut AnyConnection) -> Catalogue {
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
pub fn schema_rs() -> Catalogue {
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
pub fn checks_in(sql: &str) -> Vec<String> {
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
pub fn value_list(check: &str) -> Option<(String, BTreeSet<String>)> {
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

pub fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    let rest = &s[word.len()..];
    (head.eq_ignore_ascii_case(word) && rest.starts_with([' ', '(', '['])).then_some(rest)
}

//! Comparing schemas: a catalogue against `schema.rs`, its value lists against the Rust enums
//! ([`enum_columns`] is the one list written down here), and the two databases with each other.

use std::collections::BTreeSet;

use strum::VariantArray;
use thidua::auth::Role;
use thidua::domain::*;

use super::catalogue::{Catalogue, diesel_types};

/// Every column whose CHECK constraint lists its allowed values, and the Rust type whose
/// variants those values are. A new value list without a row here fails the test.
pub fn enum_columns() -> Vec<(&'static str, &'static str, BTreeSet<String>)> {
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
        ("goals", "period", variants::<Period>()),
        ("goals", "direction", variants::<Direction>()),
        ("reviews", "kind", variants::<ReviewKind>()),
        ("reviews", "period", variants::<Period>()),
        ("reviews", "status", variants::<ReviewStatus>()),
        ("review_resolutions", "kind", variants::<ResolutionKind>()),
        ("score_sheets", "period", variants::<Period>()),
        ("score_sheets", "kind", variants::<SheetKind>()),
        ("score_sheets", "state", variants::<SheetState>()),
        ("score_totals", "period", variants::<Period>()),
        ("score_totals", "kind", variants::<SheetKind>()),
        ("score_totals", "state", variants::<SheetState>()),
        (
            "score_sheet_transitions",
            "action",
            variants::<thidua::domain::score_sheet::SheetAction>(),
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

pub fn variants<E: VariantArray + Copy + Into<&'static str>>() -> BTreeSet<String> {
    E::VARIANTS
        .iter()
        .map(|v| (*v).into())
        .map(String::from)
        .collect()
}

/// The values of an enum that has no variant list, as its OpenAPI schema names them.
pub fn schema_values<E: utoipa::PartialSchema>() -> BTreeSet<String> {
    let schema = serde_json::to_value(E::schema()).unwrap();
    let values = schema["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no enum in {schema}"));
    values
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Drift between a database's catalogue and `schema.rs`, one line per difference.
pub fn against_schema_rs(
    backend: &str,
    db: &Catalogue,
    schema: &Catalogue,
    drift: &mut Vec<String>,
) {
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

pub fn nullability(nullable: bool) -> &'static str {
    if nullable { "nullable" } else { "NOT NULL" }
}

/// Drift between the CHECK value lists of a database and the Rust enums.
pub fn against_enums(backend: &str, db: &Catalogue, drift: &mut Vec<String>) {
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
pub fn between(sqlite: &Catalogue, pg: &Catalogue, drift: &mut Vec<String>) {
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

//! Which constraint a database refused a write by, read the same way on both databases, so
//! that one table in `error` turns each unique constraint into its domain code.

use diesel::result::DatabaseErrorInformation;

/// The table and columns of a violated unique constraint (or primary key).
///
/// SQLite says `UNIQUE constraint failed: units.code` (or `t.a, t.b`); PostgreSQL names the
/// table and says `Key (code)=(SCT) already exists.` in the detail.
pub fn unique_target(info: &dyn DatabaseErrorInformation) -> Option<(String, Vec<String>)> {
    if let Some(rest) = info.message().strip_prefix("UNIQUE constraint failed: ") {
        let mut table = None;
        let mut columns = Vec::new();
        for part in rest.split(", ") {
            let (t, c) = part.split_once('.')?;
            table.get_or_insert_with(|| t.to_owned());
            columns.push(c.to_owned());
        }
        return table.map(|t| (t, columns));
    }
    let table = info.table_name()?.to_owned();
    let details = info.details()?;
    let inner = details.strip_prefix("Key (")?.split_once(")=")?.0;
    Some((table, inner.split(", ").map(str::to_owned).collect()))
}

#[cfg(test)]
mod tests {
    use super::unique_target;
    use diesel::result::DatabaseErrorInformation;

    struct Info {
        message: &'static str,
        table: Option<&'static str>,
        details: Option<&'static str>,
    }

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.message
        }
        fn details(&self) -> Option<&str> {
            self.details
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            self.table
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    #[test]
    fn both_databases_are_read() {
        let sqlite = Info {
            message: "UNIQUE constraint failed: movement_registrations.movement_id, movement_registrations.unit_id",
            table: None,
            details: None,
        };
        assert_eq!(
            unique_target(&sqlite),
            Some((
                "movement_registrations".into(),
                vec!["movement_id".into(), "unit_id".into()]
            ))
        );
        let pg = Info {
            message: "duplicate key value violates unique constraint \"units_code_key\"",
            table: Some("units"),
            details: Some("Key (code)=(SCT) already exists."),
        };
        assert_eq!(
            unique_target(&pg),
            Some(("units".into(), vec!["code".into()]))
        );
    }
}

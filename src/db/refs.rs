//! What refers to a row, read from the database's own foreign keys: when a delete is refused
//! by a foreign key, the answer can say which records still point at the row without a list
//! kept by hand — a table added later with a foreign key is named too.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::AnyConnection;

/// Rows of `table.column` that point at the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    pub table: String,
    pub column: String,
    pub count: i64,
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    col: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Identifiers come from the catalogue, but they are spliced into SQL: refuse anything odd.
fn plain(ident: &str) -> bool {
    !ident.is_empty()
        && ident
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The single-column foreign keys that point at `table`, as (table, column).
pub fn foreign_keys_to(c: &mut AnyConnection, table: &str) -> QueryResult<Vec<(String, String)>> {
    if !plain(table) {
        return Ok(vec![]);
    }
    let sql = match c {
        AnyConnection::Sqlite(_) => format!(
            "SELECT m.name AS tbl, p.\"from\" AS col \
             FROM sqlite_master m, pragma_foreign_key_list(m.name) p \
             WHERE m.type = 'table' AND p.\"table\" = '{table}' \
             ORDER BY m.name, p.\"from\""
        ),
        AnyConnection::Postgresql(_) => format!(
            "SELECT cl.relname::text AS tbl, a.attname::text AS col \
             FROM pg_constraint co \
             JOIN pg_class cl ON cl.oid = co.conrelid \
             JOIN pg_class rf ON rf.oid = co.confrelid \
             JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1] \
             WHERE co.contype = 'f' AND cardinality(co.conkey) = 1 \
               AND rf.relname = '{table}' AND pg_table_is_visible(rf.oid) \
             ORDER BY 1, 2"
        ),
    };
    let keys: Vec<ForeignKey> = diesel::sql_query(sql).load(c)?;
    Ok(keys.into_iter().map(|k| (k.tbl, k.col)).collect())
}

/// Every table and column that still refers to row `id` of `table`, with how many rows.
pub fn referrers(c: &mut AnyConnection, table: &str, id: i64) -> QueryResult<Vec<Referrer>> {
    let mut out = Vec::new();
    for (tbl, col) in foreign_keys_to(c, table)? {
        if !plain(&tbl) || !plain(&col) {
            continue;
        }
        let n = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM {tbl} WHERE {col} = {id}"
        ))
        .get_result::<Count>(c)?
        .n;
        if n > 0 {
            out.push(Referrer {
                table: tbl,
                column: col,
                count: n,
            });
        }
    }
    Ok(out)
}

//! Search that ignores Vietnamese diacritics and case, on both databases, through an index
//! rather than a scan: every searchable name is split into accent-free lowercase words kept in
//! `search_terms`, and a query matches owners having, for each of its words, a term that starts
//! with it — `q=so cong thuong` finds "Sở Công thương", `q=dien bien` finds "Điện Biên".

use std::collections::BTreeSet;

use diesel::prelude::*;

use super::AnyConnection;
use super::schema::search_terms;
use crate::error::{ApiError, Code};

/// The most words a query may have; more is refused rather than silently ignored.
pub const MAX_QUERY_WORDS: usize = 8;

/// Lowercase ASCII words: "Sở Công Thương (Điện Biên)" → ["so", "cong", "thuong", "dien", "bien"].
/// `đ`/`Đ`, which have no Unicode decomposition, are handled by deunicode.
pub fn words(text: &str) -> Vec<String> {
    deunicode::deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(64).collect())
        .collect()
}

/// The words of a `q` parameter, each of which must start a word of a match.
#[derive(Debug, Clone, Default)]
pub struct SearchWords(pub Vec<String>);

impl SearchWords {
    pub fn parse(q: Option<&str>) -> Result<SearchWords, ApiError> {
        let Some(q) = q else {
            return Ok(SearchWords::default());
        };
        if q.chars().count() > 200 {
            return Err(ApiError::bad_request(
                Code::InvalidQuery,
                crate::error::Text::new("q: at most 200 characters", "q: tối đa 200 ký tự"),
            ));
        }
        let words = words(q);
        if words.len() > MAX_QUERY_WORDS {
            return Err(ApiError::bad_request(
                Code::InvalidQuery,
                crate::text!(
                    "q: at most {MAX_QUERY_WORDS} words",
                    "q: tối đa {MAX_QUERY_WORDS} từ"
                ),
            ));
        }
        Ok(SearchWords(words))
    }
}

/// Replaces the indexed words of one owner; for a new owner, see [`add`].
pub fn index(
    c: &mut AnyConnection,
    kind: &str,
    owner_id: i64,
    texts: &[Option<&str>],
) -> QueryResult<()> {
    diesel::delete(
        search_terms::table
            .filter(search_terms::kind.eq(kind))
            .filter(search_terms::owner_id.eq(owner_id)),
    )
    .execute(c)?;
    add(c, kind, owner_id, texts)
}

/// Indexes the words of a new owner. No delete first: on PostgreSQL a delete that finds nothing
/// still takes a predicate lock on the index range, and concurrent creates of distinct rows
/// then fail each other's serializable transactions.
pub fn add(
    c: &mut AnyConnection,
    kind: &str,
    owner_id: i64,
    texts: &[Option<&str>],
) -> QueryResult<()> {
    let terms: BTreeSet<String> = texts.iter().flatten().flat_map(|t| words(t)).collect();
    for term in terms {
        diesel::insert_into(search_terms::table)
            .values((
                search_terms::kind.eq(kind),
                search_terms::term.eq(term),
                search_terms::owner_id.eq(owner_id),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Removes an owner from the index.
pub fn unindex(c: &mut AnyConnection, kind: &str, owner_id: i64) -> QueryResult<usize> {
    diesel::delete(
        search_terms::table
            .filter(search_terms::kind.eq(kind))
            .filter(search_terms::owner_id.eq(owner_id)),
    )
    .execute(c)
}

/// The upper bound of the terms starting with `word`. It works because indexed words are
/// ASCII letters and digits, all below `~`, and `term` compares bytewise (BINARY in SQLite,
/// `COLLATE "C"` in PostgreSQL), so the prefix match is a range scan on the primary key.
pub fn prefix_end(word: &str) -> String {
    format!("{word}~")
}

/// A subquery of the owners of `$kind` having a word that starts with `$word`, for
/// `.filter(table::id.eq_any(search_prefix!(kind, word)))`. A macro, not a function, because
/// MultiBackend accepts only unboxed subqueries and their type cannot be named.
#[macro_export]
macro_rules! search_prefix {
    ($kind:expr, $word:expr) => {{
        use $crate::db::schema::search_terms;
        let word: &str = $word;
        search_terms::table
            .filter(search_terms::kind.eq($kind))
            .filter(search_terms::term.ge(word.to_owned()))
            .filter(search_terms::term.lt($crate::db::search::prefix_end(word)))
            .select(search_terms::owner_id)
    }};
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn words_lose_accents_case_and_punctuation() {
        assert_eq!(words("Sở Công Thương"), ["so", "cong", "thuong"]);
        assert_eq!(
            words("ĐIỆN BIÊN – Khối Hạ tầng"),
            ["dien", "bien", "khoi", "ha", "tang"]
        );
        assert!(words(" – ").is_empty());
    }
}

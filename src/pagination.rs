//! Cursor pagination shared by every list (AIP-158): `page_size` (1–100, default 50),
//! an opaque `page_token`, and `order_by` (`field` or `field desc`), always with the id as the
//! tiebreaker so that walking the pages never repeats or skips a row. A token is bound to the
//! filters and order it was issued for; reusing it with others is a 400.

mod macros;

pub use macros::query_error;

use std::fmt::Display;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::{ApiError, Code, FieldCode, FieldError, Text};

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 100;

/// A list's sortable fields; `DEFAULT` is used when `order_by` is absent. Declared with
/// `sort_fields!` (src/db/sort.rs), which derives the names, the columns and the cursors from
/// one list. The names are the enum's strum names: parsed by `FromStr`, listed by `VariantNames`, so the parser, the error
/// messages and the documented enum of `order_by` cannot drift apart.
pub trait SortField: Copy + FromStr + Display + strum::VariantNames + 'static {
    const DEFAULT: Self;
    /// The kind of value the field's cursor holds: a page token made for another field of
    /// another list is refused before any query runs.
    fn kind(self) -> SortKind;
    /// The accepted field names.
    const ALLOWED: &'static [&'static str] = Self::VARIANTS;

    /// The accepted field names, for an error message.
    fn allowed() -> String {
        Self::ALLOWED.join(", ")
    }
}

/// Every value `order_by` accepts for `S`: each field, alone or followed by `asc` or `desc`.
pub fn order_by_values<S: SortField>() -> Vec<String> {
    S::ALLOWED
        .iter()
        .flat_map(|f| [f.to_string(), format!("{f} asc"), format!("{f} desc")])
        .collect()
}

/// The schema of `order_by`: the enum of [`order_by_values`].
pub fn order_by_schema<S: SortField>() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .description(Some(
            "Sort order: a field, optionally followed by ` asc` (default) or ` desc`. The id \
             breaks ties.",
        ))
        .enum_values(Some(order_by_values::<S>()))
        .build()
}

/// A real page token of a list: the one for its second page at `page_size=1`, without
/// filters, in the default order (by id), for the documentation.
pub fn example_token<S: SortField>(filters: &impl Serialize) -> String {
    PageRequest::<S>::parse(Some(1), None, None, filters)
        .ok()
        .and_then(|req| {
            req.finish(vec![1_i64, 2], |n| Cursor {
                key: SortKey::Int(*n),
                id: *n,
            })
            .next_page_token
        })
        .unwrap_or_default()
}

/// The kinds of [`SortKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    Int,
    Text,
    Time,
    Date,
}

/// A sort column's Rust value, as a cursor holds it.
pub trait SortValue: Sized {
    const KIND: SortKind;
    fn into_key(self) -> SortKey;
    /// The value back out of a cursor whose kind was checked when the token was read.
    fn from_key(key: SortKey) -> Option<Self>;
}

macro_rules! sort_value {
    ($ty:ty, $variant:ident) => {
        impl SortValue for $ty {
            const KIND: SortKind = SortKind::$variant;
            fn into_key(self) -> SortKey {
                SortKey::$variant(self.into())
            }
            fn from_key(key: SortKey) -> Option<Self> {
                match key {
                    SortKey::$variant(v) => Some(v.into()),
                    _ => None,
                }
            }
        }
    };
}
sort_value!(i64, Int);
sort_value!(String, Text);
sort_value!(NaiveDateTime, Time);
sort_value!(chrono::NaiveDate, Date);
sort_value!(crate::domain::Date, Date);

/// The value of the sort column in the last row of a page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum SortKey {
    Int(i64),
    Text(String),
    Time(NaiveDateTime),
    Date(chrono::NaiveDate),
}

impl SortKey {
    pub fn kind(&self) -> SortKind {
        match self {
            SortKey::Int(_) => SortKind::Int,
            SortKey::Text(_) => SortKind::Text,
            SortKey::Time(_) => SortKind::Time,
            SortKey::Date(_) => SortKind::Date,
        }
    }

    fn mismatch() -> ApiError {
        invalid_token(Text::new(
            "the page token does not fit this list",
            "mã phân trang không dùng được cho danh sách này",
        ))
    }
    pub fn int(self) -> Result<i64, ApiError> {
        if let SortKey::Int(v) = self {
            Ok(v)
        } else {
            Err(Self::mismatch())
        }
    }
    pub fn text(self) -> Result<String, ApiError> {
        if let SortKey::Text(v) = self {
            Ok(v)
        } else {
            Err(Self::mismatch())
        }
    }
    pub fn time(self) -> Result<NaiveDateTime, ApiError> {
        if let SortKey::Time(v) = self {
            Ok(v)
        } else {
            Err(Self::mismatch())
        }
    }
    pub fn date(self) -> Result<chrono::NaiveDate, ApiError> {
        if let SortKey::Date(v) = self {
            Ok(v)
        } else {
            Err(Self::mismatch())
        }
    }
}

/// Where the previous page ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cursor {
    pub key: SortKey,
    pub id: i64,
}

#[derive(Serialize, Deserialize)]
struct Token {
    /// The order the token was issued for, e.g. `username desc`.
    o: String,
    /// A fingerprint of the filters.
    f: String,
    c: Cursor,
}

/// A validated request for one page.
#[derive(Debug, Clone)]
pub struct PageRequest<S> {
    pub size: i64,
    pub field: S,
    pub desc: bool,
    pub after: Option<Cursor>,
    order: String,
    filters: String,
}

/// A token of another list, order or filter set.
pub const OTHER_TOKEN: Text = Text::new(
    "the page token was issued for other filters or another order",
    "mã phân trang được cấp cho bộ lọc hoặc thứ tự sắp xếp khác",
);

fn invalid_token(message: Text) -> ApiError {
    ApiError::BadRequest {
        code: Code::InvalidPageToken,
        message: message.clone(),
        errors: vec![FieldError::new("page_token", FieldCode::Invalid, message)],
    }
}

fn invalid(field: &str, message: Text) -> ApiError {
    ApiError::BadRequest {
        code: Code::InvalidQuery,
        message: message.clone(),
        errors: vec![FieldError::new(field, FieldCode::Invalid, message)],
    }
}

impl<S: SortField> PageRequest<S> {
    /// Checks the page parameters; `filters` is the list's filter set, which the token must match.
    pub fn parse(
        page_size: Option<i64>,
        page_token: Option<&str>,
        order_by: Option<&str>,
        filters: &impl Serialize,
    ) -> Result<Self, ApiError> {
        let size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(invalid(
                "page_size",
                crate::text!(
                    "must be between 1 and {MAX_PAGE_SIZE}",
                    "phải nằm trong khoảng từ 1 đến {MAX_PAGE_SIZE}"
                ),
            ));
        }
        if order_by.is_some_and(|o| o.trim().is_empty()) {
            return Err(invalid(
                "order_by",
                crate::text!(
                    "must name a field: {}",
                    "phải nêu tên một trường: {}",
                    S::allowed()
                ),
            ));
        }
        let (field, desc) = parse_order::<S>(order_by.unwrap_or(""))?;
        let order = format!("{field}{}", if desc { " desc" } else { "" });
        let filters = fingerprint(filters);
        let after = match page_token.filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => {
                let token: Token = URL_SAFE_NO_PAD
                    .decode(t)
                    .ok()
                    .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                    .ok_or_else(|| {
                        invalid_token(Text::new(
                            "the page token is malformed",
                            "mã phân trang bị sai dạng",
                        ))
                    })?;
                if token.o != order || token.f != filters || token.c.key.kind() != field.kind() {
                    return Err(invalid_token(OTHER_TOKEN));
                }
                Some(token.c)
            }
        };
        Ok(PageRequest {
            size,
            field,
            desc,
            after,
            order,
            filters,
        })
    }

    /// How many rows to fetch: one more than the page, to learn whether another page follows.
    pub fn limit(&self) -> i64 {
        self.size + 1
    }

    /// Cuts the fetched rows to a page and makes the token for the next one.
    pub fn finish<T>(&self, mut rows: Vec<T>, cursor: impl Fn(&T) -> Cursor) -> Page<T> {
        let more = rows.len() as i64 > self.size;
        rows.truncate(self.size as usize);
        let next_page_token = match rows.last() {
            Some(last) if more => {
                let token = Token {
                    o: self.order.clone(),
                    f: self.filters.clone(),
                    c: cursor(last),
                };
                serde_json::to_vec(&token)
                    .ok()
                    .map(|b| URL_SAFE_NO_PAD.encode(b))
            }
            _ => None,
        };
        let next = if more { rows.last().map(&cursor) } else { None };
        Page {
            items: rows,
            next_page_token,
            next,
        }
    }

    /// The same order and filters in large batches from the start: for exports.
    pub fn for_export(&self) -> Self {
        PageRequest {
            size: EXPORT_BATCH,
            after: None,
            ..self.clone()
        }
    }
}

/// Rows fetched per batch when exporting.
const EXPORT_BATCH: i64 = 1000;
/// The most rows an export returns.
pub const EXPORT_LIMIT: usize = 100_000;

/// Every row of a list (up to [`EXPORT_LIMIT`]), fetched batch by batch with `fetch`.
pub fn export_all<S: Clone, T>(
    mut req: PageRequest<S>,
    mut fetch: impl FnMut(&PageRequest<S>) -> Result<Page<T>, ApiError>,
) -> Result<Vec<T>, ApiError> {
    let mut all = Vec::new();
    loop {
        let page = fetch(&req)?;
        all.extend(page.items);
        match page.next {
            Some(next) if all.len() < EXPORT_LIMIT => req.after = Some(next),
            _ => break,
        }
    }
    all.truncate(EXPORT_LIMIT);
    Ok(all)
}

fn parse_order<S: SortField>(order_by: &str) -> Result<(S, bool), ApiError> {
    let mut words = order_by.split_whitespace();
    let (field, direction) = (words.next(), words.next());
    if words.next().is_some() {
        return Err(invalid(
            "order_by",
            crate::text!(
                "expected one field, optionally followed by asc or desc: {}",
                "cần đúng một trường, có thể kèm theo asc hoặc desc: {}",
                S::allowed()
            ),
        ));
    }
    let field = match field {
        None => S::DEFAULT,
        Some(f) => f.parse().map_err(|_| {
            invalid(
                "order_by",
                crate::text!(
                    "unknown field {f:?}; use one of {}",
                    "không có trường {f:?}; hãy dùng một trong các trường {}",
                    S::allowed()
                ),
            )
        })?,
    };
    let desc = match direction {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(d) => {
            return Err(invalid(
                "order_by",
                crate::text!(
                    "unknown direction {d:?}; use asc or desc",
                    "không có chiều sắp xếp {d:?}; hãy dùng asc hoặc desc"
                ),
            ));
        }
    };
    Ok((field, desc))
}

/// The parameters that say how to page and render, not what to list: left out of the
/// fingerprint so that the next page may change them.
const PAGE_FIELDS: [&str; 4] = ["page_size", "page_token", "order_by", "format"];

fn fingerprint(filters: &impl Serialize) -> String {
    let mut value = serde_json::to_value(filters).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        for field in PAGE_FIELDS {
            map.remove(field);
        }
    }
    let json = serde_json::to_vec(&value).unwrap_or_default();
    let digest = Sha256::digest(&json);
    URL_SAFE_NO_PAD.encode(&digest[..12])
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page, in the requested order.
    #[schema(schema_with = page_items::<T>)]
    pub items: Vec<T>,
    /// Pass as `page_token` to get the next page; absent (never null) on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 1024)]
    pub next_page_token: Option<String>,
    /// Where the next page starts, for internal iteration.
    #[serde(skip)]
    pub next: Option<Cursor>,
}

/// The OpenAPI schema of `Page::items`: an array of `$ref`s to `T`'s component. (utoipa would
/// inline `T`'s whole schema into every `Page_T`, leaving `T`'s component unused.)
fn page_items<T: ToSchema>() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new()
        .items(utoipa::openapi::Ref::from_schema_name(T::name()))
        .description(Some("The items of this page, in the requested order."))
        .max_items(Some(MAX_PAGE_SIZE as usize))
        .build()
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_page_token: self.next_page_token,
            next: self.next,
        }
    }

    /// The same page with its items turned into others as one batch: rows joined with what
    /// they refer to in one query rather than one per row. The next-page cursor stays the one
    /// the rows gave, whatever `f` keeps of them.
    pub fn map_all<U, E>(self, f: impl FnOnce(Vec<T>) -> Result<Vec<U>, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: f(self.items)?,
            next_page_token: self.next_page_token,
            next: self.next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(
        Clone, Copy, Debug, PartialEq, strum::EnumString, strum::Display, strum::VariantNames,
    )]
    #[strum(serialize_all = "snake_case")]
    enum Sort {
        Id,
        Name,
    }
    impl SortField for Sort {
        const DEFAULT: Self = Sort::Id;
        fn kind(self) -> SortKind {
            SortKind::Int
        }
    }

    #[test]
    fn order_by_values_come_from_the_sort_enum() {
        assert_eq!(Sort::allowed(), "id, name");
        assert_eq!(
            order_by_values::<Sort>(),
            ["id", "id asc", "id desc", "name", "name asc", "name desc"]
        );
    }

    #[test]
    fn tokens_round_trip_and_are_bound_to_filters_and_order() {
        let req = PageRequest::<Sort>::parse(Some(2), None, Some("name desc"), &("a",)).unwrap();
        assert_eq!((req.field, req.desc, req.limit()), (Sort::Name, true, 3));
        let page = req.finish(vec![1, 2, 3], |n| Cursor {
            key: SortKey::Int(*n),
            id: *n,
        });
        assert_eq!(page.items, vec![1, 2]);
        let token = page.next_page_token.unwrap();
        let next =
            PageRequest::<Sort>::parse(Some(2), Some(&token), Some("name desc"), &("a",)).unwrap();
        assert_eq!(next.after.unwrap().id, 2);
        assert!(
            PageRequest::<Sort>::parse(Some(2), Some(&token), Some("name desc"), &("b",)).is_err()
        );
        assert!(PageRequest::<Sort>::parse(Some(2), Some(&token), Some("name"), &("a",)).is_err());
        assert!(PageRequest::<Sort>::parse(Some(2), Some("garbage"), None, &("a",)).is_err());
    }

    #[test]
    fn bad_sizes_and_orders_are_rejected() {
        for size in [0, -1, 101] {
            assert!(PageRequest::<Sort>::parse(Some(size), None, None, &()).is_err());
        }
        for order in ["nope", "name sideways", "name desc extra", "", " "] {
            assert!(PageRequest::<Sort>::parse(None, None, Some(order), &()).is_err());
        }
    }
}

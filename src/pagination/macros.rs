//! The macros every list uses: `list_query!` declares a list's query string (filters plus the
//! page fields) and `keyset_page!` applies a page to a diesel query.

use crate::error::{ApiError, Code, Text};

/// A filter out of its documented bounds: a 400 like any other bad query value.
pub fn query_error(errors: validator::ValidationErrors) -> ApiError {
    match ApiError::from(errors) {
        ApiError::Validation(errors) => {
            let each = |lang| {
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message.get(lang)))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            ApiError::BadRequest {
                code: Code::InvalidQuery,
                message: Text::owned(each(crate::error::Lang::En), each(crate::error::Lang::Vi)),
                errors,
            }
        }
        other => other,
    }
}

/// Applies keyset pagination to a boxed diesel query: the cursor condition, the order (the sort
/// column, then the id) and the limit. `$ty` is the column's value type (a `SortValue`); a
/// cursor of another kind was refused when the page token was read.
#[macro_export]
macro_rules! keyset_page {
    ($query:expr, $page:expr, $col:expr, $id:expr, $ty:ty) => {{
        let page = &$page;
        let mut q = $query;
        if let Some(after) = page.after.clone() {
            let v =
                <$ty as $crate::pagination::SortValue>::from_key(after.key).ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError("a cursor of the wrong kind".into())
                })?;
            q = if page.desc {
                q.filter($col.lt(v.clone()).or($col.eq(v).and($id.lt(after.id))))
            } else {
                q.filter($col.gt(v.clone()).or($col.eq(v).and($id.gt(after.id))))
            };
        }
        let q = if page.desc {
            q.order(($col.desc(), $id.desc()))
        } else {
            q.order(($col.asc(), $id.asc()))
        };
        q.limit(page.limit())
    }};
}

/// Declares a list's query-string struct: its own filters plus `page_size`, `page_token` and
/// `order_by`, and the query of its CSV export: the same filters and `order_by`, no page. Filters
/// carry `#[validate(...)]` rules matching their documented bounds; `page()` checks them.
/// Unknown parameters are rejected; the filters (not the page fields) form the fingerprint a
/// page token is bound to. `order_by` is documented as the enum of the sort type's orders.
#[macro_export]
macro_rules! list_query {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
        export = $export:ident,
        order_by = $sort:ty
    ) => {
        $(#[$meta])*
        #[derive(Debug, Default, serde::Deserialize, serde::Serialize, utoipa::IntoParams, validator::Validate)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Items per page, from 1 to 100; 50 when absent.
            #[param(minimum = 1, maximum = 100, example = 50)]
            #[serde(default)]
            pub page_size: Option<i64>,
            /// The `next_page_token` of the previous page, with the same filters and order.
            #[param(max_length = 1024, example = $name::example_page_token)]
            #[serde(default)]
            pub page_token: Option<String>,
            /// Sort order: a field, optionally followed by ` asc` (default) or ` desc`. The id breaks ties.
            #[param(schema_with = $crate::pagination::order_by_schema::<$sort>)]
            #[serde(default)]
            pub order_by: Option<String>,
            /// CSV instead of a JSON page: set by the export operation, never by the query string.
            #[serde(skip)]
            #[param(ignore)]
            pub format: Option<$crate::http::csv::ListFormat>,
        }

        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, serde::Serialize, utoipa::IntoParams, validator::Validate)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $export {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Sort order: a field, optionally followed by ` asc` (default) or ` desc`. The id breaks ties.
            #[param(schema_with = $crate::pagination::order_by_schema::<$sort>)]
            #[serde(default)]
            pub order_by: Option<String>,
        }

        /// An export is the list with the same filters and order, every page, as CSV.
        impl From<$export> for $name {
            fn from(q: $export) -> Self {
                $name {
                    $( $field: q.$field, )*
                    page_size: None,
                    page_token: None,
                    order_by: q.order_by,
                    format: Some($crate::http::csv::ListFormat::Csv),
                }
            }
        }

        impl $name {
            /// A real page token of this list, for the documentation.
            pub fn example_page_token() -> String {
                $crate::pagination::example_token::<$sort>(&$name::default())
            }

            pub fn page<S: $crate::pagination::SortField>(
                &self,
            ) -> Result<$crate::pagination::PageRequest<S>, $crate::error::ApiError> {
                validator::Validate::validate(self).map_err($crate::pagination::query_error)?;
                $crate::pagination::PageRequest::parse(
                    self.page_size,
                    self.page_token.as_deref(),
                    self.order_by.as_deref(),
                    self,
                )
            }
        }
    };
}

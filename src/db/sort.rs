//! `sort_fields!`: a list's sortable fields declared once — the `order_by` names, the column
//! each sorts by, the cursor value it takes from a row — and the keyset query that pages it.

/// Declares a list's sort enum (the first field is the default order) and its `load`, which
/// orders and cuts a boxed query to one page, loads it and makes the next page's cursor.
///
/// ```text
/// sort_fields! {
///     pub enum UnitSort for Unit, query UnitQuery, id units::id {
///         Id => units::id: i64 = |u| u.id,
///         Code => units::code: String = |u| u.data.code.clone(),
///     }
/// }
/// ```
#[macro_export]
macro_rules! sort_fields {
    (
        $(#[$meta:meta])*
        pub enum $name:ident for $row:ty, query $query:ty, id $id:path {
            $first:ident => $fcol:path : $fty:ty = |$fr:ident| $fkey:expr,
            $( $variant:ident => $col:path : $vty:ty = |$r:ident| $key:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq,
            strum::EnumString, strum::Display, strum::VariantNames, strum::VariantArray,
        )]
        #[strum(serialize_all = "snake_case")]
        pub enum $name {
            $first,
            $( $variant, )*
        }

        impl $crate::pagination::SortField for $name {
            const DEFAULT: Self = $name::$first;
            fn kind(self) -> $crate::pagination::SortKind {
                match self {
                    $name::$first => <$fty as $crate::pagination::SortValue>::KIND,
                    $( $name::$variant => <$vty as $crate::pagination::SortValue>::KIND, )*
                }
            }
        }

        impl $name {
            /// One page of `q` in the requested order.
            pub fn load(
                c: &mut $crate::db::AnyConnection,
                q: $query,
                page: &$crate::pagination::PageRequest<$name>,
            ) -> diesel::QueryResult<$crate::pagination::Page<$row>> {
                use diesel::prelude::*;
                let rows: Vec<$row> = match page.field {
                    $name::$first => $crate::keyset_page!(q, page, $fcol, $id, $fty).load(c)?,
                    $( $name::$variant => $crate::keyset_page!(q, page, $col, $id, $vty).load(c)?, )*
                };
                Ok(page.finish(rows, |row| $crate::pagination::Cursor {
                    id: row.id,
                    key: match page.field {
                        $name::$first => {
                            let $fr = row;
                            $crate::pagination::SortValue::into_key($fkey)
                        }
                        $( $name::$variant => {
                            let $r = row;
                            $crate::pagination::SortValue::into_key($key)
                        } )*
                    },
                }))
            }
        }
    };
}

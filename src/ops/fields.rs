//! A resource's request types from one list of fields: `request_types!` declares the create
//! body, the merge patch, and the two ways they become the resource's data — `into_data` and
//! `apply` — with every bound written once and emitted both as the schema bound and as the
//! validation rule.
//!
//! ```text
//! request_types! {
//!     data = UnitData;
//!     /// A new unit.
//!     create CreateUnit;
//!     /// Changes to a unit, as a JSON merge patch: absent fields stay, `null` clears.
//!     patch UnitPatch;
//!     fields {
//!         code: String, len(1, 32), pattern "^[A-Za-z0-9][A-Za-z0-9._-]*$",
//!             check "crate::ops::fields::code_chars", example "SCT";
//!         short_name: Option<String>, len(1, 100), example "SCT Điện Biên";
//!         parent_id: Option<i64>, min 1;
//!     }
//! }
//! ```
//!
//! A field of type `T` is required on create and may not be `null` in a patch; a field of type
//! `Option<T>` is optional on create and cleared by `null` in a patch. Bounds, in this order,
//! each optional: `len(a, b)` (characters), `items(a, b)` (a list of `a` to `b` items, empty
//! when absent on create and replaced whole by a patch, as merge patches replace arrays),
//! `range(a, b)`, `min a`, `email n` (an address of at
//! most `n` characters), `pattern "regex"` (documentation; the check is a `check` function),
//! `check "path::to::fn"` (a `validator` custom function, repeatable), `example value`, and
//! `create_only default`: a field set once at creation (its `Default` when absent) that a
//! patch cannot change — a workflow's initial state, say, which only transitions move.
//!
//! Check functions take `&impl Maybe<T>`: the derives see field types through the macro as
//! opaque, so they cannot tell an `Option` and unwrap it themselves.

use serde::{Deserialize, Deserializer};
use validator::ValidationError;

use crate::domain::Maybe;

/// How a merge-patch member is read: every field type says what `null` means for it.
pub trait PatchValue<'de>: Sized {
    fn deserialize_patch<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error>;
}

/// An optional field: `null` clears it.
impl<'de, T: Deserialize<'de>> PatchValue<'de> for Option<T> {
    fn deserialize_patch<D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Marks a type as a required field's: in a patch, `null` is refused (400) instead of being
/// mistaken for "absent".
#[macro_export]
macro_rules! required_in_patch {
    ($($ty:ty),* $(,)?) => {
        $(
            impl<'de> $crate::ops::fields::PatchValue<'de> for $ty {
                fn deserialize_patch<D: serde::Deserializer<'de>>(
                    d: D,
                ) -> Result<Option<Self>, D::Error> {
                    $crate::http::body::present(d)
                }
            }
        )*
    };
}

required_in_patch!(
    String,
    i64,
    i32,
    bool,
    crate::domain::Year,
    crate::domain::Date,
    crate::domain::UnitKind,
    crate::domain::AdminLevel,
    crate::domain::BlocKind,
    crate::domain::MovementScope,
    crate::domain::MovementForm,
    crate::domain::MovementStatus,
    crate::domain::Gender,
    crate::domain::Role,
    crate::domain::Period,
    crate::domain::Direction,
    crate::domain::Decimal,
    crate::domain::ReviewKind,
    crate::domain::SheetKind,
    crate::domain::Points,
    Vec<i64>,
);

/// The `deserialize_with` of every patch field.
pub fn patch<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: PatchValue<'de>,
{
    T::deserialize_patch(d)
}

/// The rule failures of every item of a list field, each named by its place
/// (`attendees[2].name`): for the lists of `items(a, b)` fields, whose items the derives do not
/// descend into.
pub fn each<T: validator::Validate>(list: &str, items: &[T]) -> Vec<crate::error::FieldError> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Err(errors) = item.validate()
            && let crate::error::ApiError::Validation(errors) = crate::error::ApiError::from(errors)
        {
            out.extend(errors.into_iter().map(|mut e| {
                e.field = format!("{list}[{i}].{}", e.field);
                e
            }));
        }
    }
    out
}

/// Codes: letters, digits, `.`, `_`, `-`, starting with a letter or digit.
pub fn code_chars(code: &impl Maybe<String>) -> Result<(), ValidationError> {
    let Some(code) = code.value() else {
        return Ok(());
    };
    let ok = code
        .chars()
        .enumerate()
        .all(|(i, ch)| ch.is_ascii_alphanumeric() || (i > 0 && matches!(ch, '.' | '_' | '-')));
    if ok {
        Ok(())
    } else {
        Err(crate::error::refusal(
            crate::error::FieldCode::Pattern,
            crate::error::Text::new(
                "use letters, digits, '.', '_' or '-'",
                "chỉ dùng chữ cái, chữ số và các dấu '.', '_' hoặc '-'",
            ),
        ))
    }
}

/// The pattern `code_chars` checks, for the schema.
pub const CODE_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9._-]*$";

#[macro_export]
macro_rules! request_types {
    (
        data = $data:ident;
        $(#[$cmeta:meta])* create $create:ident;
        $(#[$pmeta:meta])* patch $patch:ident;
        // Bound values are `tt`, not `literal`: a captured literal reaches the derive macros
        // wrapped in an invisible group, which utoipa's attribute parser refuses.
        fields {
            $(
                $(#[doc = $doc:literal])*
                $field:ident : $ty:ty
                $(, len($lmin:tt, $lmax:tt))?
                $(, items($imin:tt, $imax:tt))?
                $(, range($rmin:tt, $rmax:tt))?
                $(, min $min:tt)?
                $(, email $elen:tt)?
                $(, pattern $pat:tt)?
                $(, check $check:tt)*
                $(, example $ex:tt)?
                $(, create_only $co:ident)?
                ;
            )*
        }
    ) => {
        $(#[$cmeta])*
        #[derive(Debug, Clone, serde::Deserialize, serde::Serialize, utoipa::ToSchema, validator::Validate)]
        #[serde(deny_unknown_fields)]
        pub struct $create {
            $(
                $(#[doc = $doc])*
                $( #[schema(min_length = $lmin, max_length = $lmax)] #[validate(length(min = $lmin, max = $lmax))] )?
                $( #[schema(min_items = $imin, max_items = $imax)] #[validate(length(min = $imin, max = $imax))] #[serde(default)] )?
                $( #[schema(minimum = $rmin, maximum = $rmax)] #[validate(range(min = $rmin, max = $rmax))] )?
                $( #[schema(minimum = $min)] #[validate(range(min = $min))] )?
                $( #[schema(format = Email, max_length = $elen)] #[validate(email, length(max = $elen))] )?
                $( #[schema(pattern = $pat)] )?
                $( #[validate(custom(function = $check))] )*
                $( #[schema(example = $ex)] )?
                $( #[serde($co)] )?
                pub $field: $ty,
            )*
        }

        $(#[$pmeta])*
        #[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema, validator::Validate)]
        #[serde(deny_unknown_fields)]
        pub struct $patch {
            $(
                $(#[doc = $doc])*
                #[serde(
                    default,
                    deserialize_with = "crate::ops::fields::patch",
                    skip_serializing_if = "Option::is_none"
                )]
                #[schema(value_type = $ty)]
                $( #[schema(min_length = $lmin, max_length = $lmax)] #[validate(length(min = $lmin, max = $lmax))] )?
                $( #[schema(min_items = $imin, max_items = $imax)] #[validate(length(min = $imin, max = $imax))] )?
                $( #[schema(minimum = $rmin, maximum = $rmax)] #[validate(range(min = $rmin, max = $rmax))] )?
                $( #[schema(minimum = $min)] #[validate(range(min = $min))] )?
                $( #[schema(format = Email, max_length = $elen)] #[validate(email, length(max = $elen))] )?
                $( #[schema(pattern = $pat)] )?
                $( #[validate(custom(function = $check))] )*
                $( #[schema(example = $ex)] )?
                // A create-only field is not part of the patch at all: sending it is an unknown
                // field (400), and the schema leaves it out.
                $( #[serde(skip)] #[doc = concat!("Set at creation only (", stringify!($co), " when absent).")] )?
                pub $field: Option<$ty>,
            )*
        }

        impl $create {
            /// The new resource's data, once every field passes its bounds (422 otherwise).
            pub fn into_data(self) -> Result<$data, $crate::error::ApiError> {
                validator::Validate::validate(&self)?;
                Ok($data { $( $field: self.$field, )* })
            }
        }

        impl $patch {
            /// `current` with this patch applied, once every field passes its bounds.
            pub fn apply(&self, current: &$data) -> Result<$data, $crate::error::ApiError> {
                validator::Validate::validate(self)?;
                Ok($data {
                    $( $field: self.$field.clone().unwrap_or_else(|| current.$field.clone()), )*
                })
            }
        }
    };
}

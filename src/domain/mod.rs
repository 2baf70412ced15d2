//! The registry's typed vocabularies. Each is stored as its snake_case name and documented
//! with its Vietnamese label, as the boards use it.

pub mod text;

use crate::error::ApiError;

/// Declares a string-backed enum: serde and strum use the same snake_case names, utoipa lists
/// them, and `parse_stored` turns a database value back (a bad one is an internal error).
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            strum::EnumString, strum::IntoStaticStr, strum::Display, strum::VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            pub fn parse_stored(value: &str) -> Result<Self, ApiError> {
                value.parse().map_err(|_| {
                    ApiError::Internal(anyhow::anyhow!("unknown {} {value:?} in the database", stringify!($name)))
                })
            }
        }
    };
}

text_enum! {
    /// The kind of a unit (loại đơn vị).
    pub enum UnitKind {
        /// Cơ quan, đơn vị hành chính (a state agency such as a Sở, or a locality's government).
        Administrative,
        /// Đơn vị sự nghiệp công lập.
        PublicService,
        /// Lực lượng vũ trang – quân sự.
        Military,
        /// Lực lượng vũ trang – công an.
        Police,
        /// Doanh nghiệp.
        Enterprise,
        /// Tổ chức chính trị – xã hội.
        SocioPolitical,
        /// Tổ chức xã hội – nghề nghiệp.
        SocioProfessional,
        /// Khác.
        Other,
    }
}

text_enum! {
    /// The administrative level (cấp): province (tỉnh), district (huyện, abolished on
    /// 1 July 2025) or commune (xã).
    pub enum AdminLevel {
        Province,
        District,
        Commune,
    }
}

text_enum! {
    /// Khối thi đua (usually sectoral) or cụm thi đua (usually territorial).
    pub enum BlocKind {
        /// Khối thi đua.
        Bloc,
        /// Cụm thi đua.
        Cluster,
    }
}

text_enum! {
    /// A member's role in a bloc for a year.
    pub enum MemberRole {
        /// Trưởng khối / cụm (the standing agency): exactly one per bloc-year.
        Chair,
        /// Phó trưởng khối / cụm.
        Deputy,
        /// Thành viên.
        Member,
    }
}

text_enum! {
    /// Giới tính.
    pub enum Gender {
        /// Nam.
        Male,
        /// Nữ.
        Female,
    }
}

text_enum! {
    /// Who a movement addresses (phạm vi).
    pub enum MovementScope {
        /// Toàn quốc (TW).
        National,
        /// Tỉnh (T).
        Province,
        /// Sở, ban, ngành (SBN).
        Sector,
        /// Huyện (H).
        District,
        /// Xã (X).
        Commune,
    }
}

text_enum! {
    /// Hình thức thi đua.
    pub enum MovementForm {
        /// Thi đua thường xuyên.
        Regular,
        /// Thi đua theo chuyên đề.
        Thematic,
    }
}

text_enum! {
    /// Where a movement stands.
    pub enum MovementStatus {
        /// Chưa bắt đầu nhận hồ sơ.
        Planned,
        /// Đang nhận hồ sơ: units may register.
        Open,
        /// Đang xét khen thưởng.
        Reviewing,
        /// Đã kết thúc.
        Closed,
    }
}

text_enum! {
    /// The board's answer to a unit's registration.
    pub enum RegistrationStatus {
        /// Chờ duyệt.
        Pending,
        /// Đã duyệt.
        Approved,
        /// Từ chối.
        Rejected,
    }
}

//! The domain core: the registry's typed vocabularies, the value types every resource shares
//! ([`Year`], [`Date`]), and the rules that know nothing of HTTP or SQL — workflows as
//! transition tables and who may do what.
//!
//! Each vocabulary is stored as its snake_case name and documented with its Vietnamese label,
//! as the boards use it.

mod date;
mod decimal;
pub mod goal;
pub mod movement;
mod points;
pub mod policy;
pub mod ranking;
pub mod review;
pub mod score_sheet;
pub mod text;
pub mod workflow;
mod year;

pub use date::Date;
pub use decimal::Decimal;
pub use points::Points;
pub use policy::Permission;
pub use year::Year;

/// Declares a string-backed enum: serde and strum use the same snake_case names, utoipa lists
/// them, and diesel stores it in a `TEXT` column by that name (`db::types` maps it to both
/// databases; the migrations hold the same list in a CHECK, and the schema parity test
/// compares the two).
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            strum::EnumString, strum::IntoStaticStr, strum::Display, strum::VariantArray,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        $crate::db::types::text_column!($name);
    };
}

text_enum! {
    /// What a user may do.
    pub enum Role {
        /// The provincial board (Ban Thi đua – Khen thưởng): reads and writes all data.
        Admin,
        /// Chair of one or more blocs or clusters (trưởng khối / cụm): works within them.
        BlocChair,
        /// Officer of one unit (đơn vị): works on that unit's records.
        UnitOfficer,
        /// Read-only access, to everything or to the given unit or blocs.
        Viewer,
    }
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

text_enum! {
    /// A reporting period (kỳ) of a year.
    pub enum Period {
        /// 6 tháng đầu năm: January to June.
        H1,
        /// 6 tháng cuối năm: July to December.
        H2,
        /// Cả năm: the whole year.
        Year,
    }
}

impl Period {
    /// The last day of the period in `year`: 30 June for `h1`, 31 December otherwise.
    pub fn end(self, year: Year) -> Option<Date> {
        match self {
            Period::H1 => Date::ymd(year.get(), 6, 30),
            Period::H2 | Period::Year => Date::ymd(year.get(), 12, 31),
        }
    }
}

text_enum! {
    /// Who scores a sheet.
    pub enum SheetKind {
        /// Tự chấm điểm: the unit scores itself.
        #[serde(rename = "self")]
        #[strum(serialize = "self")]
        SelfAssessment,
        /// Chấm chéo: the bloc chair scores a member.
        Cross,
        /// Ban Thi đua – Khen thưởng: the board's own scoring.
        Board,
    }
}

impl SheetKind {
    /// How much a kind weighs when a ranking picks one sheet per unit: board over cross over
    /// self.
    pub fn weight(self) -> u8 {
        match self {
            SheetKind::SelfAssessment => 0,
            SheetKind::Cross => 1,
            SheetKind::Board => 2,
        }
    }
}

text_enum! {
    /// Which way a goal's number is better.
    pub enum Direction {
        /// Cao hơn là tốt hơn (a rate, a count of files handled).
        Higher,
        /// Thấp hơn là tốt hơn (complaints, accidents, days late).
        Lower,
    }
}

text_enum! {
    /// Where a goal stands, derived from its target, its actual and the date (never stored).
    pub enum GoalStatus {
        /// Chưa thực hiện: no actual yet, and the period is not over.
        NotStarted,
        /// Đang thực hiện: an actual short of the target, and the period is not over.
        OnTrack,
        /// Đạt: the actual equals the target.
        Achieved,
        /// Vượt: the actual is better than the target.
        Exceeded,
        /// Không đạt: the period is over and the actual (or its absence) falls short.
        Missed,
    }
}

text_enum! {
    /// The kind of a review meeting (hội nghị).
    pub enum ReviewKind {
        /// Hội nghị ký kết giao ước thi đua.
        CovenantSigning,
        /// Hội nghị sơ kết 6 tháng.
        Midyear,
        /// Hội nghị tổng kết năm.
        Annual,
    }
}

text_enum! {
    /// Where a review's minutes stand.
    pub enum ReviewStatus {
        /// Dự thảo: being written by the bloc's chair or the board.
        Draft,
        /// Đã xác nhận: confirmed by the board; its resolutions are applied.
        Confirmed,
    }
}

text_enum! {
    /// What a resolution of a review decides.
    pub enum ResolutionKind {
        /// The unit that chairs the bloc in the resolution's year (trưởng khối).
        NextChair,
        /// A unit that is deputy in the resolution's year (phó khối).
        NextDeputy,
        /// Anything else the meeting resolved, as text.
        Other,
    }
}

/// A review starts as a draft.
impl Default for ReviewStatus {
    fn default() -> Self {
        ReviewStatus::Draft
    }
}

text_enum! {
    /// Where a score sheet stands.
    pub enum SheetState {
        /// Nháp: entries may change.
        Draft,
        /// Đã gửi, chờ duyệt.
        Submitted,
        /// Đã duyệt (by the bloc chair or the board).
        Approved,
        /// Đã công bố: final and immutable.
        Published,
    }
}

/// A value that may be absent: `T` itself or an `Option<T>`. Field checks take one, so that
/// the same check serves a required field, an optional one, and both in a merge patch.
pub trait Maybe<T> {
    fn value(&self) -> Option<&T>;
}

impl<T> Maybe<T> for T {
    fn value(&self) -> Option<&T> {
        Some(self)
    }
}

impl<T> Maybe<T> for Option<T> {
    fn value(&self) -> Option<&T> {
        self.as_ref()
    }
}

// The validator derive hands custom checks a reference to the value it unwrapped.
impl<T> Maybe<T> for &T {
    fn value(&self) -> Option<&T> {
        Some(self)
    }
}

impl<T> Maybe<T> for &Option<T> {
    fn value(&self) -> Option<&T> {
        self.as_ref()
    }
}

/// A movement starts planned.
impl Default for MovementStatus {
    fn default() -> Self {
        MovementStatus::Planned
    }
}

//! Every code a problem can carry, each once, with what it means in English and in
//! Vietnamese: [`Code`] for the problem itself, [`FieldCode`] for one of its `errors`. Both are
//! enums in the API document (generated from the lists below), so integrators can switch on
//! them; the words follow the caller's `Accept-Language` ([`Lang`]) while the codes never change.
//!
//! A new code is one line in one of the two lists: variant, wire name, English, Vietnamese, and
//! a `///` line saying when it is answered, which becomes its entry in the spec. A message that
//! says more than a code's default is a [`Text`], which holds both languages or does not
//! compile: `Text::new("no unit has this id", "không có đơn vị nào có mã này")`, or
//! `text!("must be at most {max} characters", "tối đa {max} ký tự")` with arguments.

use std::borrow::Cow;
use std::fmt;

/// A message in both languages the API speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    en: Cow<'static, str>,
    vi: Cow<'static, str>,
}

impl Text {
    pub const fn new(en: &'static str, vi: &'static str) -> Text {
        Text {
            en: Cow::Borrowed(en),
            vi: Cow::Borrowed(vi),
        }
    }

    /// A message made at run time; `text!` formats both languages with the same arguments.
    pub fn owned(en: impl Into<String>, vi: impl Into<String>) -> Text {
        Text {
            en: Cow::Owned(en.into()),
            vi: Cow::Owned(vi.into()),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Vi => &self.vi,
        }
    }

    pub fn en(&self) -> &str {
        &self.en
    }

    pub fn vi(&self) -> &str {
        &self.vi
    }

    /// Both languages changed the same way: `text.map(|m| format!("{field}: {m}"))`.
    pub fn map(&self, f: impl Fn(&str) -> String) -> Text {
        Text::owned(f(&self.en), f(&self.vi))
    }
}

/// English, as logs and `to_string` show it.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// A [`Text`] from two format strings and the arguments both use:
/// `text!("must be between {min} and {max} characters", "phải dài từ {min} đến {max} ký tự")`.
#[macro_export]
macro_rules! text {
    ($en:literal, $vi:literal $(, $arg:expr)* $(,)?) => {
        $crate::error::Text::owned(format!($en $(, $arg)*), format!($vi $(, $arg)*))
    };
}

/// The language of an answer's words, from the request's `Accept-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Vi,
}

impl Lang {
    /// The language an `Accept-Language` value prefers (RFC 9110 §12.5.4): the range with the
    /// highest weight among `vi`, `en` and `*` wins, the first of equals; `vi` and `vi-VN` are
    /// Vietnamese, anything else (or nothing) English.
    pub fn negotiate(header: Option<&str>) -> Lang {
        let mut best = (0.0_f32, Lang::En);
        for range in header.unwrap_or_default().split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").map(str::trim))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            let lang = match primary {
                "vi" => Lang::Vi,
                "en" | "*" => Lang::En,
                _ => continue,
            };
            if q > best.0 {
                best = (q, lang);
            }
        }
        best.1
    }

    /// The language tag of `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Vi => "vi",
        }
    }
}

/// Declares a code list: the enum, its wire names, its texts, and its schema in the API
/// document (a string enum whose description lists every code with its `///` line).
macro_rules! catalogue {
    (
        $(#[doc = $edoc:literal])*
        pub enum $name:ident as $schema:literal {
            $( #[doc = $doc:literal] $variant:ident = $wire:literal, $en:literal, $vi:literal; )+
        }
    ) => {
        $(#[doc = $edoc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, strum::VariantArray, strum::EnumString,
        )]
        pub enum $name {
            $( #[doc = $doc] #[serde(rename = $wire)] #[strum(serialize = $wire)] $variant, )+
        }

        impl $name {
            /// The code as it is written on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $wire, )+ }
            }

            /// What the code means, in both languages: a problem's `title`, a field's default
            /// `message`.
            pub const fn text(self) -> Text {
                match self { $( $name::$variant => Text::new($en, $vi), )+ }
            }

            /// The description of the enum in the API document.
            fn describe() -> String {
                let intro: Vec<&str> = vec![$($edoc.trim()),*];
                let mut out = intro.join("\n");
                out.push('\n');
                $( out.push_str(&format!("\n- `{}`: {}", $wire, $doc.trim())); )+
                out
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
                utoipa::openapi::RefOr::T(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([$($wire),+]))
                        .description(Some($name::describe()))
                        .build(),
                ))
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($schema)
            }
        }
    };
}

catalogue! {
    /// The `code` of a problem: what went wrong, stable across releases. Its `title` is the
    /// code's meaning in the language `Accept-Language` asks for.
    pub enum Code as "ProblemCode" {
        /// The body is well-formed but breaks a rule; `errors` names each field.
        ValidationFailed = "validation_failed", "Invalid fields", "Dữ liệu không hợp lệ";
        /// A body field has the wrong type, is missing or unknown, or holds a forbidden character.
        InvalidBody = "invalid_body", "Invalid request body", "Nội dung yêu cầu không hợp lệ";
        /// The body is not one JSON document.
        MalformedJson = "malformed_json", "Malformed JSON", "Nội dung yêu cầu không phải JSON hợp lệ";
        /// The body could not be received.
        UnreadableBody = "unreadable_body", "Unreadable request body", "Không đọc được nội dung yêu cầu";
        /// A query parameter is unknown, of the wrong form or out of bounds.
        InvalidQuery = "invalid_query", "Invalid query parameter", "Tham số truy vấn không hợp lệ";
        /// A path segment is of the wrong form (an id that is not a number, say).
        InvalidPath = "invalid_path", "Invalid path parameter", "Tham số đường dẫn không hợp lệ";
        /// A header (`If-Match`, `Idempotency-Key`) is of the wrong form.
        InvalidHeader = "invalid_header", "Invalid header", "Tiêu đề yêu cầu không hợp lệ";
        /// The page token is malformed or was issued for other filters or another order.
        InvalidPageToken = "invalid_page_token", "Invalid page token", "Mã phân trang không hợp lệ";
        /// An uploaded file cannot be read as the format it claims.
        InvalidFile = "invalid_file", "Unreadable file", "Không đọc được tệp";
        /// A malformed request the HTTP layer refused before the API saw it.
        BadRequest = "bad_request", "Bad request", "Yêu cầu không hợp lệ";
        /// No token, or an expired or revoked one.
        Unauthorized = "unauthorized", "Not authenticated", "Chưa đăng nhập";
        /// The username or password is wrong (which one is not said).
        InvalidCredentials = "invalid_credentials", "Invalid username or password", "Tên đăng nhập hoặc mật khẩu không đúng";
        /// The caller's role does not allow the operation.
        Forbidden = "forbidden", "Not allowed", "Không có quyền thực hiện thao tác này";
        /// No such resource, or one outside the caller's scope.
        NotFound = "not_found", "Not found", "Không tìm thấy";
        /// The path exists but not with this method; `Allow` lists those it has.
        MethodNotAllowed = "method_not_allowed", "Method not allowed", "Phương thức không được hỗ trợ cho đường dẫn này";
        /// The change conflicts with existing data in a way no more specific code names.
        Conflict = "conflict", "Conflict with existing data", "Xung đột với dữ liệu hiện có";
        /// Another unit or bloc has this code.
        CodeTaken = "code_taken", "Code already in use", "Mã đã được sử dụng";
        /// Another person has this civil servant code.
        CivilServantCodeTaken = "civil_servant_code_taken", "Civil servant code already in use", "Mã số công chức đã được sử dụng";
        /// Another account has this username.
        UsernameTaken = "username_taken", "Username already in use", "Tên đăng nhập đã được sử dụng";
        /// The unit has already registered for the movement.
        AlreadyRegistered = "already_registered", "Already registered", "Đơn vị đã đăng ký tham gia phong trào này";
        /// A bloc-year would have two chairs or list a unit twice.
        MembershipConflict = "membership_conflict", "Conflicting bloc membership", "Danh sách thành viên khối bị trùng lặp";
        /// The database refused a bloc membership by one of its rules.
        MembershipRule = "membership_rule", "Bloc membership rule broken", "Vi phạm quy tắc về thành viên khối";
        /// The bloc has members in years its new active years leave out.
        MembersOutsideActiveYears = "members_outside_active_years", "Members outside the active years", "Khối có thành viên ngoài các năm hoạt động";
        /// The unit is referred to by other records and cannot be deleted.
        UnitInUse = "unit_in_use", "Unit in use", "Không thể xóa đơn vị đang được sử dụng";
        /// The person is referred to by other records and cannot be deleted.
        PersonInUse = "person_in_use", "Person in use", "Không thể xóa hồ sơ cá nhân đang được sử dụng";
        /// The bloc is referred to by other records and cannot be deleted.
        BlocInUse = "bloc_in_use", "Bloc in use", "Không thể xóa khối thi đua đang được sử dụng";
        /// The movement is referred to by other records and cannot be deleted.
        MovementInUse = "movement_in_use", "Movement in use", "Không thể xóa phong trào thi đua đang được sử dụng";
        /// Units register for a movement only while it is open.
        MovementNotOpen = "movement_not_open", "Movement not open for registration", "Phong trào thi đua hiện không nhận đăng ký";
        /// The registration was already approved or rejected.
        RegistrationDecided = "registration_decided", "Registration already decided", "Đăng ký đã được xét duyệt";
        /// A confirmed review: only the board corrects it, and never the resolutions it applied.
        ReviewConfirmed = "review_confirmed", "Review already confirmed", "Biên bản hội nghị đã được xác nhận";
        /// The bloc already has a covenant for the year.
        CovenantExists = "covenant_exists", "Covenant already signed for the year", "Khối đã có giao ước thi đua của năm này";
        /// Score sheets refer to the covenant, which cannot be deleted.
        CovenantInUse = "covenant_in_use", "Covenant in use", "Giao ước thi đua đang được bảng chấm điểm tham chiếu";
        /// A score sheet under the covenant was submitted: its criteria and bands no longer change.
        CovenantLocked = "covenant_locked", "Covenant locked", "Giao ước thi đua đã khóa tiêu chí";
        /// Only a covenant whose criteria are locked is copied to start another year's.
        CovenantNotLocked = "covenant_not_locked", "Covenant not locked yet", "Giao ước thi đua chưa khóa tiêu chí";
        /// A draft sheet gives a criterion more than the maximum the new document sets.
        EntriesExceedCriteria = "entries_exceed_criteria", "Entries above the new maximum", "Bảng chấm điểm nháp có điểm vượt mức tối đa mới";
        /// The unit already has a score sheet of this kind for the period.
        SheetExists = "sheet_exists", "Score sheet already exists", "Đơn vị đã có bảng chấm điểm loại này trong kỳ";
        /// Entries change only while the sheet is a draft.
        SheetNotDraft = "sheet_not_draft", "Score sheet not a draft", "Bảng chấm điểm không còn ở trạng thái nháp";
        /// An admin may not demote or disable their own account.
        SelfLockout = "self_lockout", "Cannot lock yourself out", "Không thể tự hạ quyền hoặc khóa tài khoản của chính mình";
        /// The workflow action does not apply in the current state; the problem names the state and the actions allowed from it.
        TransitionNotAllowed = "transition_not_allowed", "Transition not allowed", "Không thể chuyển trạng thái";
        /// `If-Match` names an older version of the resource.
        PreconditionFailed = "precondition_failed", "Changed since it was read", "Tài nguyên đã thay đổi kể từ lần đọc trước; hãy tải lại";
        /// The change needs `If-Match` with the resource's ETag.
        PreconditionRequired = "precondition_required", "If-Match required", "Thiếu tiêu đề If-Match";
        /// The body is larger than the operation accepts.
        PayloadTooLarge = "payload_too_large", "Request body too large", "Nội dung yêu cầu quá lớn";
        /// The body is not of the media type the operation takes.
        UnsupportedMediaType = "unsupported_media_type", "Unsupported media type", "Kiểu nội dung không được hỗ trợ";
        /// The `Idempotency-Key` was already used with a different request.
        IdempotencyKeyReused = "idempotency_key_reused", "Idempotency key reused", "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác";
        /// Too many requests or failed logins; retry after `Retry-After` seconds.
        QuotaExceeded = "quota_exceeded", "Too many requests", "Quá nhiều yêu cầu";
        /// The origin of a cross-origin request is not allowed.
        CorsRefused = "cors_refused", "Cross-origin request refused", "Yêu cầu từ nguồn khác bị từ chối";
        /// The request took too long to arrive.
        RequestTimeout = "request_timeout", "Request timeout", "Hết thời gian chờ yêu cầu";
        /// The request needs a `Content-Length`.
        LengthRequired = "length_required", "Length required", "Thiếu độ dài nội dung";
        /// The request's path and query are too long.
        UriTooLong = "uri_too_long", "URI too long", "Đường dẫn yêu cầu quá dài";
        /// The request's headers are too large.
        RequestHeaderFieldsTooLarge = "request_header_fields_too_large", "Request headers too large", "Tiêu đề yêu cầu quá lớn";
        /// A request the HTTP layer refused for a reason no other code names.
        RequestRefused = "request_refused", "Request refused", "Yêu cầu bị từ chối";
        /// The database is saturated or unreachable; retry after `Retry-After` seconds.
        ServiceUnavailable = "service_unavailable", "Service unavailable", "Dịch vụ tạm thời không khả dụng";
        /// A failure on the server's side; the request id finds it in the log.
        InternalError = "internal_error", "Internal server error", "Lỗi máy chủ";
    }
}

catalogue! {
    /// The `code` of one field in a problem's `errors`: why that field was refused. Its
    /// `message` says it in the language `Accept-Language` asks for.
    pub enum FieldCode as "FieldCode" {
        /// Too short or too long; the message gives the bounds.
        Length = "length", "has the wrong length", "có độ dài không hợp lệ";
        /// Out of its range; the message gives the bounds.
        Range = "range", "is out of range", "nằm ngoài phạm vi cho phép";
        /// Holds characters the field does not allow.
        Pattern = "pattern", "holds characters that are not allowed", "chứa ký tự không được phép";
        /// Not an email address.
        Email = "email", "is not an email address", "không phải là địa chỉ email";
        /// Missing, or empty where a value is needed.
        Required = "required", "is required", "là trường bắt buộc";
        /// Names a record that does not exist.
        Unknown = "unknown", "does not exist", "không tồn tại";
        /// Of the wrong form.
        Invalid = "invalid", "is invalid", "không hợp lệ";
        /// Of the wrong JSON type, missing, unknown or `null` where a value must stay.
        InvalidField = "invalid_field", "has the wrong type or form", "sai kiểu dữ liệu hoặc sai định dạng";
        /// The body is not valid JSON.
        MalformedJson = "malformed_json", "is not valid JSON", "không phải JSON hợp lệ";
        /// Holds a control character or a bidirectional override.
        ControlCharacter = "control_character", "must not contain control or bidirectional-override characters", "không được chứa ký tự điều khiển hoặc ký tự đảo chiều hiển thị";
        /// A one-line value holds a tab or a line break.
        LineBreak = "line_break", "must be one line: no tab or line break", "phải nằm trên một dòng: không có ký tự tab hay xuống dòng";
        /// Nothing but blanks.
        Blank = "blank", "must not be blank", "không được để trống";
        /// A date before the one it must follow.
        Order = "order", "is before the date it must follow", "không được sớm hơn ngày bắt đầu";
        /// A unit would become its own ancestor.
        Cycle = "cycle", "a unit cannot be its own ancestor", "một đơn vị không thể là cấp trên của chính nó";
        /// A record would refer to itself.
        SelfReference = "self", "cannot refer to the record itself", "không thể tham chiếu đến chính bản ghi này";
        /// Does not fit the account's role.
        Scope = "scope", "does not fit the role", "không phù hợp với vai trò";
        /// Repeats an entry of the list.
        Duplicate = "duplicate", "is already in the list", "đã có trong danh sách";
        /// A bloc-year needs exactly one chair.
        ChairCount = "chair_count", "a bloc-year has exactly one chair", "mỗi khối trong một năm có đúng một trưởng khối";
        /// The bloc is not active in the year.
        Inactive = "inactive", "the bloc is not active in this year", "khối không hoạt động trong năm này";
        /// The unit did not exist during the year.
        NotValidInYear = "not_valid_in_year", "the unit did not exist during the year", "đơn vị không tồn tại trong năm này";
        /// The unit no longer exists.
        Retired = "retired", "the unit no longer exists", "đơn vị đã ngừng hoạt động";
        /// The current password given is wrong.
        Mismatch = "mismatch", "is not the current password", "không phải là mật khẩu hiện tại";
        /// The caller's own account, which this operation does not change.
        OwnPassword = "own_password", "is your own account", "là tài khoản của chính bạn";
        /// Another unit or bloc has this code.
        CodeTaken = "code_taken", "another record has this code", "mã này đã được dùng cho một bản ghi khác";
        /// Another person has this civil servant code.
        CivilServantCodeTaken = "civil_servant_code_taken", "another person has this civil servant code", "mã số công chức này đã được dùng cho một người khác";
        /// Conflicts with existing data.
        Conflict = "conflict", "conflicts with existing data", "xung đột với dữ liệu hiện có";
        /// An uploaded file that cannot be read.
        Unreadable = "unreadable", "cannot be read", "không đọc được";
        /// An uploaded file that is too large once unpacked.
        TooLarge = "too_large", "is too large", "quá lớn";
        /// An uploaded file with more rows than one import takes.
        TooManyRows = "too_many_rows", "has too many rows", "có quá nhiều dòng";
        /// An uploaded file without a header or without data rows.
        Empty = "empty", "is empty", "không có dữ liệu";
        /// More problems than a problem lists.
        TooManyErrors = "too_many_errors", "more problems are not listed", "còn các lỗi khác chưa được liệt kê";
        /// A header cell that cannot be read as a column name.
        InvalidColumn = "invalid_column", "is not a column name", "không phải là tên cột";
        /// A column named twice.
        DuplicateColumn = "duplicate_column", "the column appears more than once", "cột xuất hiện nhiều lần";
        /// A column the import does not know.
        UnknownColumn = "unknown_column", "is not a column of this import", "không phải là cột của tệp nhập này";
        /// A required column is missing.
        MissingColumn = "missing_column", "the file needs this column", "tệp cần có cột này";
        /// A cell in a column without a name.
        UnnamedColumn = "unnamed_column", "this cell is in a column without a name in the header row", "ô này nằm trong cột không có tên ở dòng tiêu đề";
        /// Not one of the values of its vocabulary.
        Choice = "choice", "is not one of the allowed values", "không thuộc các giá trị được phép";
        /// A number that must be above 0 (a goal's target when higher is better).
        NotPositive = "not_positive", "must be above 0", "phải lớn hơn 0";
        /// A number that must be 0 or more (a goal's target when lower is better).
        Negative = "negative", "must not be below 0", "không được nhỏ hơn 0";
        /// Not a whole number.
        Integer = "integer", "must be a whole number", "phải là số nguyên";
        /// The unit is not a member of the bloc in the year.
        NotAMember = "not_a_member", "is not a member of the bloc in this year", "không phải thành viên của khối trong năm này";
        /// A step that does not divide the criterion's maximum.
        StepDividesMax = "step_divides_max", "the step does not divide the maximum", "bước điểm không chia hết điểm tối đa";
        /// Points off the criterion's step.
        Step = "step", "is not on the criterion's step", "không đúng bước điểm của tiêu chí";
        /// Points above the criterion's maximum.
        AboveMax = "above_max", "is above the criterion's maximum", "vượt quá điểm tối đa của tiêu chí";
        /// Two classification bands overlap.
        Overlap = "overlap", "overlaps another band", "trùng khoảng điểm với một mức xếp loại khác";
        /// Mandatory criteria without an entry.
        MandatoryMissing = "mandatory_missing", "mandatory criteria have no entry", "còn tiêu chí bắt buộc chưa chấm";
        /// Not a date.
        Date = "date", "must be a date written YYYY-MM-DD", "phải là ngày viết theo dạng YYYY-MM-DD";
    }
}

impl FieldCode {
    /// The field code of a problem code with the same name (`code_taken`), for a conflict
    /// reported as one field among others (an import row); `conflict` for any other.
    pub fn of_problem(code: Code) -> FieldCode {
        code.as_str().parse().unwrap_or(FieldCode::Conflict)
    }
}

/// What a missing resource is called in a 404's detail.
pub mod noun {
    use super::Text;

    pub const UNIT: Text = Text::new("unit", "đơn vị");
    pub const PERSON: Text = Text::new("person", "cá nhân");
    pub const BLOC: Text = Text::new("bloc", "khối thi đua");
    pub const MOVEMENT: Text = Text::new("movement", "phong trào thi đua");
    pub const REGISTRATION: Text = Text::new("registration", "bản đăng ký");
    pub const GOAL: Text = Text::new("goal", "chỉ tiêu");
    pub const REVIEW: Text = Text::new("review", "hội nghị");
    pub const USER: Text = Text::new("user", "tài khoản");
    pub const COVENANT: Text = Text::new("covenant", "giao ước thi đua");
    pub const CRITERION: Text = Text::new("criterion", "tiêu chí");
    pub const SCORE_SHEET: Text = Text::new("score sheet", "bảng chấm điểm");
    pub const RESOURCE: Text = Text::new("resource", "tài nguyên");
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    fn translated(what: &str, text: Text) {
        assert!(!text.en().trim().is_empty(), "{what} has no English");
        assert!(!text.vi().trim().is_empty(), "{what} has no Vietnamese");
        assert_ne!(text.en(), text.vi(), "{what} is not translated");
    }

    #[test]
    fn every_code_has_both_languages() {
        for code in Code::VARIANTS {
            translated(code.as_str(), code.text());
            assert_eq!(code.as_str().parse::<Code>().ok(), Some(*code));
        }
        for code in FieldCode::VARIANTS {
            translated(code.as_str(), code.text());
            assert_eq!(code.as_str().parse::<FieldCode>().ok(), Some(*code));
        }
    }

    #[test]
    fn the_wire_name_is_the_serde_name() {
        for code in Code::VARIANTS {
            assert_eq!(serde_json::json!(code), code.as_str());
        }
        for code in FieldCode::VARIANTS {
            assert_eq!(serde_json::json!(code), code.as_str());
        }
    }

    #[test]
    fn accept_language_picks_vietnamese_when_preferred() {
        for vi in [
            "vi",
            "vi-VN",
            "VI-vn",
            "vi-VN,vi;q=0.9,en;q=0.8",
            "en;q=0.5, vi",
        ] {
            assert_eq!(Lang::negotiate(Some(vi)), Lang::Vi, "{vi}");
        }
        for en in [
            "",
            "en",
            "en-US,en;q=0.9",
            "fr",
            "*",
            "en, vi",
            "vi;q=0",
            "vi;q=0.5, *",
            "garbage;;q=",
        ] {
            assert_eq!(Lang::negotiate(Some(en)), Lang::En, "{en}");
        }
        assert_eq!(Lang::negotiate(None), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr, vi;q=0.8")), Lang::Vi);
    }
}

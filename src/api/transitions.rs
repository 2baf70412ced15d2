//! The one shape of every workflow endpoint: `POST …/transitions {"action", "reason"}`. The
//! answer is the resource in its new state; a step that does not apply to the current state is
//! a 409 `transition_not_allowed` whose problem names `current_state` and `allowed_actions`.

/// Declares a workflow's transition request body.
#[macro_export]
macro_rules! transition_request {
    ($(#[$meta:meta])* pub struct $name:ident { action: $action:ty }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, serde::Deserialize, serde::Serialize, utoipa::ToSchema, validator::Validate)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub action: $action,
            /// Why: required for the steps that say so, kept in the audit trail.
            #[schema(min_length = 1, max_length = 2000, example = "Hồ sơ chưa đủ minh chứng")]
            #[validate(length(min = 1, max = 2000))]
            #[serde(default)]
            pub reason: Option<String>,
        }
    };
}

//! The matrix itself: for each `operationId`, the outcome class each role gets in scope and out
//! of it, and the caller without a token.

/// Expected outcomes per operation: admin, bloc_chair, unit_officer, viewer as "in/out", then
/// the caller without a token.
pub const EXPECTED: &[(&str, [&str; 5])] = &[
    // Operations that need no token.
    ("healthz", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    ("readyz", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    ("metrics", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    ("login", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    ("refresh", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    // The caller's own session.
    ("me", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    ("logout", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "change_password",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    // Accounts and the audit trail: the board's administrators only.
    ("list_users", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    ("create_user", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    ("get_user", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    ("update_user", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    (
        "set_user_password",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    (
        "list_audit_events",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    // Units: read within the scope, written by administrators.
    ("list_units", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "create_unit",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_unit",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_unit",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "delete_unit",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "list_unit_ancestors",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "list_unit_children",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "list_unit_blocs",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "list_unit_registrations",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    ("import_units", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    // Persons: read within the scope, written by administrators.
    ("list_persons", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "create_person",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_person",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_person",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "delete_person",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "import_persons",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    // Blocs and their yearly members.
    ("list_blocs", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    ("create_bloc", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    (
        "get_bloc",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_bloc",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "delete_bloc",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_bloc_members",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "replace_bloc_members",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    // Movements are province-wide; registrations belong to a unit.
    (
        "list_movements",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "create_movement",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    ("get_movement", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "update_movement",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    (
        "delete_movement",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    (
        "list_registrations",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "create_registration",
        ["2xx/2xx", "403/403", "2xx/404", "403/403", "401"],
    ),
    (
        "get_registration",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_registration",
        ["2xx/2xx", "403/403", "2xx/404", "403/403", "401"],
    ),
    // Workflow steps: the board's.
    (
        "transition_movement",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    (
        "transition_registration",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    // Covenants: read within the bloc scope, written by administrators.
    (
        "list_covenants",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_covenants",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "create_covenant",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_covenant",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_covenant",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "delete_covenant",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_covenant_criteria",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "replace_covenant_criteria",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "copy_covenant",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    // Score sheets: the unit its self-assessment, the chair the others' cross sheets, the
    // board everything; the chair here is a bloc chair user, who does not write self sheets.
    (
        "list_score_sheets",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "export_score_sheets",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "create_score_sheet",
        ["2xx/2xx", "403/404", "2xx/404", "403/403", "401"],
    ),
    (
        "get_score_sheet",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "put_score_entry",
        ["2xx/2xx", "403/404", "2xx/404", "403/403", "401"],
    ),
    (
        "replace_score_entries",
        ["2xx/2xx", "403/404", "2xx/404", "403/403", "401"],
    ),
    (
        "transition_score_sheet",
        ["2xx/2xx", "403/404", "2xx/404", "403/403", "401"],
    ),
    (
        "list_score_sheet_history",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "get_bloc_ranking",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_bloc_ranking",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_bloc_ranking_workbook",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    // Each CSV export answers exactly as the list beside it.
    ("export_users", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    (
        "export_audit_events",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    ("export_units", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "export_unit_children",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_unit_registrations",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_persons",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    ("export_blocs", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "export_movements",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "export_registrations",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    // Goals belong to a unit: its officer writes them, the scope reads them.
    (
        "list_unit_goals",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_unit_goals",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "create_goal",
        ["2xx/2xx", "403/403", "2xx/404", "403/403", "401"],
    ),
    (
        "get_goal",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_goal",
        ["2xx/2xx", "403/403", "2xx/404", "403/403", "401"],
    ),
    (
        "delete_goal",
        ["2xx/2xx", "403/403", "2xx/404", "403/403", "401"],
    ),
    (
        "list_bloc_goals",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_bloc_goals",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_bloc_goals_workbook",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    // Reviews belong to a bloc: its chair (the bloc chair user, or an officer of the unit
    // chairing it that year) writes drafts, the board confirms, members read.
    (
        "list_bloc_reviews",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_bloc_reviews",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "create_review",
        ["2xx/2xx", "2xx/404", "2xx/404", "403/403", "401"],
    ),
    (
        "get_review",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_review",
        ["2xx/2xx", "2xx/404", "2xx/404", "403/403", "401"],
    ),
    (
        "delete_review",
        ["2xx/2xx", "2xx/404", "2xx/404", "403/403", "401"],
    ),
    (
        "transition_review",
        ["2xx/2xx", "403/404", "403/404", "403/404", "401"],
    ),
    (
        "list_unit_reviews",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_unit_reviews",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
];

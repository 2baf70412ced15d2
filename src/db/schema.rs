//! Table definitions shared by both backends. Written by hand in the portable types (BigInt,
//! Text, Bool, Timestamp, …); the test suite, run on both databases, catches any drift from the
//! migrations.

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        full_name -> Nullable<Text>,
        role -> Text,
        unit_id -> Nullable<BigInt>,
        password_hash -> Text,
        disabled -> Bool,
        token_version -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_blocs (user_id, bloc_id) {
        user_id -> BigInt,
        bloc_id -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor_username -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        action -> Text,
        outcome -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (user_id, idempotency_key) {
        user_id -> BigInt,
        idempotency_key -> Text,
        fingerprint -> Text,
        status -> Integer,
        body -> Text,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (scope, key) {
        scope -> Text,
        key -> Text,
        failures -> Integer,
        window_start -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    units (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        short_name -> Nullable<Text>,
        kind -> Text,
        admin_level -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        successor_id -> Nullable<BigInt>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    persons (id) {
        id -> BigInt,
        full_name -> Text,
        gender -> Nullable<Text>,
        birth_year -> Nullable<Integer>,
        position -> Nullable<Text>,
        unit_id -> BigInt,
        civil_servant_code -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    blocs (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        kind -> Text,
        level -> Text,
        founding_decision_number -> Nullable<Text>,
        founding_decision_date -> Nullable<Date>,
        description -> Nullable<Text>,
        active_from -> Integer,
        active_to -> Nullable<Integer>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    bloc_members (bloc_id, year, unit_id) {
        bloc_id -> BigInt,
        year -> Integer,
        unit_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    movements (id) {
        id -> BigInt,
        name -> Text,
        slogan -> Nullable<Text>,
        launching_unit_id -> Nullable<BigInt>,
        decision_number -> Nullable<Text>,
        decision_date -> Nullable<Date>,
        scope -> Text,
        form -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        status -> Text,
        description -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    movement_registrations (id) {
        id -> BigInt,
        movement_id -> BigInt,
        unit_id -> BigInt,
        pledge -> Text,
        status -> Text,
        decision_note -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    search_terms (kind, term, owner_id) {
        kind -> Text,
        term -> Text,
        owner_id -> BigInt,
    }
}

diesel::table! {
    goals (id) {
        id -> BigInt,
        unit_id -> BigInt,
        year -> Integer,
        period -> Text,
        title -> Text,
        metric -> Nullable<Text>,
        unit_of_measure -> Text,
        direction -> Text,
        target -> BigInt,
        actual -> Nullable<BigInt>,
        note -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reviews (id) {
        id -> BigInt,
        bloc_id -> BigInt,
        kind -> Text,
        year -> Integer,
        period -> Text,
        title -> Nullable<Text>,
        held_on -> Date,
        place -> Nullable<Text>,
        host_unit_id -> Nullable<BigInt>,
        chair_person_id -> Nullable<BigInt>,
        chair_name -> Nullable<Text>,
        summary -> Nullable<Text>,
        achievements -> Nullable<Text>,
        shortcomings -> Nullable<Text>,
        direction -> Nullable<Text>,
        other_attendees -> Nullable<Text>,
        source -> Nullable<Text>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    review_attendees (review_id, seq) {
        review_id -> BigInt,
        seq -> Integer,
        person_id -> Nullable<BigInt>,
        name -> Nullable<Text>,
        position -> Nullable<Text>,
        unit_id -> Nullable<BigInt>,
        unit_name -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    review_focus_tasks (review_id, seq) {
        review_id -> BigInt,
        seq -> Integer,
        text -> Text,
        movement_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    review_task_owners (review_id, task_seq, unit_id) {
        review_id -> BigInt,
        task_seq -> Integer,
        unit_id -> BigInt,
    }
}

diesel::table! {
    review_resolutions (review_id, seq) {
        review_id -> BigInt,
        seq -> Integer,
        kind -> Text,
        unit_id -> Nullable<BigInt>,
        year -> Nullable<Integer>,
        text -> Nullable<Text>,
    }
}

diesel::table! {
    review_awards (review_id, seq) {
        review_id -> BigInt,
        seq -> Integer,
        unit_id -> Nullable<BigInt>,
        person_id -> Nullable<BigInt>,
        recipient_name -> Nullable<Text>,
        award_name -> Text,
        decision_number -> Nullable<Text>,
        presented_by -> Nullable<Text>,
    }
}

diesel::table! {
    covenants (id) {
        id -> BigInt,
        bloc_id -> BigInt,
        year -> Integer,
        signed_on -> Nullable<Date>,
        place -> Nullable<Text>,
        content -> Text,
        criteria_version -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    covenant_signatories (covenant_id, unit_id) {
        covenant_id -> BigInt,
        unit_id -> BigInt,
    }
}

diesel::table! {
    criterion_groups (id) {
        id -> BigInt,
        covenant_id -> BigInt,
        position -> Integer,
        name -> Text,
    }
}

diesel::table! {
    criteria (id) {
        id -> BigInt,
        covenant_id -> BigInt,
        group_id -> BigInt,
        position -> Integer,
        code -> Text,
        content -> Text,
        max_points -> BigInt,
        max_bonus_points -> BigInt,
        mandatory -> Bool,
        legal_basis -> Nullable<Text>,
        step -> Nullable<BigInt>,
    }
}

diesel::table! {
    classification_bands (id) {
        id -> BigInt,
        covenant_id -> BigInt,
        position -> Integer,
        label -> Text,
        min_points -> BigInt,
        max_points -> BigInt,
    }
}

diesel::table! {
    score_sheets (id) {
        id -> BigInt,
        covenant_id -> BigInt,
        bloc_id -> BigInt,
        year -> Integer,
        unit_id -> BigInt,
        period -> Text,
        kind -> Text,
        state -> Text,
        created_by -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    score_entries (sheet_id, criterion_id) {
        sheet_id -> BigInt,
        criterion_id -> BigInt,
        points -> BigInt,
        bonus -> BigInt,
        evidence -> Nullable<Text>,
        link -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    score_totals (sheet_id) {
        sheet_id -> BigInt,
        bloc_id -> BigInt,
        year -> Integer,
        period -> Text,
        kind -> Text,
        state -> Text,
        unit_id -> BigInt,
        points -> BigInt,
        bonus -> BigInt,
        grand_total -> BigInt,
        entry_count -> Integer,
    }
}

diesel::table! {
    score_sheet_transitions (id) {
        id -> BigInt,
        sheet_id -> BigInt,
        action -> Text,
        from_state -> Text,
        to_state -> Text,
        reason -> Nullable<Text>,
        actor_id -> Nullable<BigInt>,
        actor_username -> Nullable<Text>,
        occurred_at -> Timestamp,
    }
}

diesel::joinable!(user_blocs -> users (user_id));
diesel::joinable!(user_blocs -> blocs (bloc_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(persons -> units (unit_id));
diesel::joinable!(bloc_members -> blocs (bloc_id));
diesel::joinable!(bloc_members -> units (unit_id));
diesel::joinable!(movement_registrations -> movements (movement_id));
diesel::joinable!(movement_registrations -> units (unit_id));
diesel::joinable!(goals -> units (unit_id));
diesel::joinable!(reviews -> blocs (bloc_id));
diesel::joinable!(covenants -> blocs (bloc_id));
diesel::joinable!(covenant_signatories -> covenants (covenant_id));
diesel::joinable!(covenant_signatories -> units (unit_id));
diesel::joinable!(criterion_groups -> covenants (covenant_id));
diesel::joinable!(criteria -> criterion_groups (group_id));
diesel::joinable!(classification_bands -> covenants (covenant_id));
diesel::joinable!(score_sheets -> covenants (covenant_id));
diesel::joinable!(score_sheets -> units (unit_id));
diesel::joinable!(score_entries -> score_sheets (sheet_id));
diesel::joinable!(score_entries -> criteria (criterion_id));
diesel::joinable!(score_totals -> units (unit_id));
diesel::joinable!(score_sheet_transitions -> score_sheets (sheet_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    user_blocs,
    refresh_tokens,
    units,
    persons,
    blocs,
    bloc_members,
    movements,
    movement_registrations,
    search_terms,
    goals,
    reviews,
    review_attendees,
    review_focus_tasks,
    review_task_owners,
    review_resolutions,
    review_awards,
    covenants,
    covenant_signatories,
    criterion_groups,
    criteria,
    classification_bands,
    score_sheets,
    score_entries,
    score_totals,
    score_sheet_transitions,
);

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

diesel::joinable!(user_blocs -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, user_blocs, refresh_tokens);

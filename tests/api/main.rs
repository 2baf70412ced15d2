//! Integration tests: each drives a real server over HTTP on a fresh database — SQLite always,
//! PostgreSQL when `THIDUA_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod auth;
mod bloc_access;
mod bloc_members;
mod blocs;
mod cli;
mod contract;
mod covenants;
mod fixtures;
mod helpers;
mod idempotency;
mod import_safety;
mod imports;
mod metrics;
mod movement_access;
mod movements;
mod openapi;
mod pagination;
mod persons;
mod probe;
mod ranking;
mod registrations;
mod reliability;
mod schema_parity;
mod score_access;
mod score_sheets;
mod score_totals;
mod security_matrix;
mod smoke;
mod tokens;
mod units;
mod user_roles;
mod user_updates;
mod users;

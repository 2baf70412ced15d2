//! Integration tests: each drives a real server over HTTP on a fresh database — SQLite always,
//! PostgreSQL when `THIDUA_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod smoke;

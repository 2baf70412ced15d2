//! Integration tests: each drives a real server over HTTP on a fresh database — SQLite always,
//! PostgreSQL when `THIDUA_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod auth;
mod blocs;
mod cli;
mod contract;
mod helpers;
mod imports;
mod movements;
mod openapi;
mod persons;
mod reliability;
mod smoke;
mod tokens;
mod units;
mod users;

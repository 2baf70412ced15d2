//! thidua: a JSON REST API for the emulation and commendation (thi đua – khen thưởng) records
//! of Vietnamese provinces.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod import;
pub mod ops;
pub mod pagination;
pub mod startup;
pub mod state;
pub mod telemetry;

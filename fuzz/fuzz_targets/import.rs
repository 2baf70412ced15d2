//! The CSV/XLSX importer up to the database: any bytes read as a units or persons file, its
//! header matched against the columns (`thidua::import::prepare`). The first byte picks the
//! target and the format. Refusals are fine; a panic, or memory past `-rss_limit_mb`, is a
//! finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thidua::import::sheet::Format;
use thidua::import::{Target, prepare};

fuzz_target!(|data: &[u8]| {
    let Some((&which, file)) = data.split_first() else {
        return;
    };
    let target = if which & 1 == 0 {
        Target::Units
    } else {
        Target::Persons
    };
    let format = if which & 2 == 0 {
        Format::Csv
    } else {
        Format::Xlsx
    };
    if let Ok(prepared) = prepare(target, format, file) {
        let _ = prepared.rows();
    }
});

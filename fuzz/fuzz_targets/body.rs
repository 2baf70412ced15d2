//! Request bodies: any bytes through `thidua::http::body::parse` into each Create/Patch type,
//! then that type's validation, exactly as the handlers do before touching the database. The
//! first byte picks the type. Refusals are fine; a panic is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thidua::api::{bloc_types, movement_types, person_types, unit_types, user_types};
use thidua::http::body::parse;
use validator::Validate;

fuzz_target!(|data: &[u8]| {
    let Some((&which, json)) = data.split_first() else {
        return;
    };
    match which % 10 {
        0 => drop(parse::<unit_types::CreateUnit>(json).map(|b| b.into_data())),
        1 => drop(parse::<unit_types::UnitPatch>(json).map(|p| p.validate())),
        2 => drop(parse::<person_types::CreatePerson>(json).map(|b| b.into_data())),
        3 => drop(parse::<person_types::PersonPatch>(json).map(|p| p.validate())),
        4 => drop(parse::<bloc_types::CreateBloc>(json).map(|b| b.into_data())),
        5 => drop(parse::<bloc_types::BlocPatch>(json).map(|p| p.validate())),
        6 => drop(parse::<bloc_types::ReplaceMembers>(json).map(|b| b.check())),
        7 => drop(parse::<movement_types::CreateMovement>(json).map(|b| b.into_data())),
        8 => drop(parse::<movement_types::MovementPatch>(json).map(|p| p.validate())),
        _ => {
            drop(parse::<user_types::CreateUser>(json).map(|b| b.validate()));
            drop(parse::<user_types::UserPatch>(json).map(|p| p.validate()));
        }
    }
});

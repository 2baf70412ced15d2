//! `thidua migrate`, `thidua user create`, `thidua openapi`, and a bad setting stopping start-up.

use std::process::Output;

use super::{Sandbox, USER_PASSWORD, describe, text};

/// Creates unit 1 (by importing a one-row CSV) and officer `lan` of it.
fn create_lan(sb: &Sandbox) -> Output {
    let csv = sb.dir.path().join("units.csv");
    if !csv.exists() {
        std::fs::write(
            &csv,
            "code,name,kind,valid_from\nSCT,Sở Công thương,administrative,2008-04-01\n",
        )
        .unwrap();
        let out = sb.run(sb.thidua(&["import", "units", csv.to_str().unwrap()]), "");
        assert!(out.status.success(), "{}", describe(&out));
    }
    sb.run(
        sb.thidua(&[
            "user",
            "create",
            "lan",
            "--role",
            "unit_officer",
            "--unit",
            "1",
        ]),
        &format!("{USER_PASSWORD}\n"),
    )
}

/// The migrations' folder names, as `thidua migrate` reports them.
fn migration_names() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migrate_creates_the_database_and_names_what_it_applied() {
    let sb = Sandbox::new();
    assert!(!sb.db_path().exists());
    let out = sb.run(sb.thidua(&["migrate"]), "");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(sb.db_path().exists(), "no database file after migrate");
    let stdout = text(&out.stdout);
    let names = migration_names();
    assert!(
        stdout.contains(&format!("applied {} migration", names.len())),
        "{}",
        describe(&out)
    );
    for name in &names {
        assert!(
            stdout.contains(name.as_str()),
            "{name} not named:\n{}",
            describe(&out)
        );
    }
    assert!(!stdout.contains("up to date"), "{}", describe(&out));

    // Running it again is a no-op, and says so.
    let again = sb.run(sb.thidua(&["migrate"]), "");
    assert!(again.status.success(), "{}", describe(&again));
    let stdout = text(&again.stdout);
    assert!(stdout.contains("up to date"), "{}", describe(&again));
    assert!(!stdout.contains("applied"), "{}", describe(&again));
}

#[test]
fn user_create_help_lists_the_roles() {
    use strum::VariantArray;
    let sb = Sandbox::new();
    let out = sb.run(sb.thidua(&["user", "create", "--help"]), "");
    assert!(out.status.success(), "{}", describe(&out));
    let names: Vec<&str> = thidua::auth::Role::VARIANTS
        .iter()
        .map(|r| r.as_str())
        .collect();
    assert!(
        text(&out.stdout).contains(&format!("[possible values: {}]", names.join(", "))),
        "{}",
        describe(&out)
    );
}

#[test]
fn user_create_prints_the_id_and_refuses_a_duplicate() {
    let sb = Sandbox::new();
    let out = create_lan(&sb);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    let id: i64 = stdout
        .split("(id ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no id in the output: {stdout}"));
    assert!(id > 0, "{stdout}");
    assert!(stdout.contains("lan"), "{stdout}");

    let twice = create_lan(&sb);
    assert!(!twice.status.success(), "{}", describe(&twice));
    assert!(
        text(&twice.stderr).contains("taken"),
        "{}",
        describe(&twice)
    );
}

#[test]
fn user_create_rejects_an_unknown_role() {
    let sb = Sandbox::new();
    let out = sb.run(
        sb.thidua(&["user", "create", "lan", "--role", "boss"]),
        &format!("{USER_PASSWORD}\n"),
    );
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(text(&out.stderr).contains("role"), "{}", describe(&out));
}

#[test]
fn user_create_rejects_a_short_password() {
    let sb = Sandbox::new();
    let out = sb.run(
        sb.thidua(&[
            "user",
            "create",
            "lan",
            "--role",
            "unit_officer",
            "--unit",
            "1",
        ]),
        "short\n",
    );
    assert!(!out.status.success(), "{}", describe(&out));
}

#[test]
fn openapi_prints_the_document() {
    let sb = Sandbox::new();
    let out = sb.run(sb.thidua(&["openapi"]), "");
    assert!(out.status.success(), "{}", describe(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/auth/login"].is_object());
    // It needs no database.
    assert!(!sb.db_path().exists());
}

#[test]
fn a_bad_setting_stops_start_up_naming_the_variable() {
    let sb = Sandbox::new();
    let mut cmd = sb.thidua(&["serve"]);
    cmd.env("THIDUA_BIND", "nowhere");
    let out = sb.run(cmd, "");
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("THIDUA_BIND"),
        "{}",
        describe(&out)
    );
    assert!(!sb.db_path().exists(), "the database was opened anyway");
}

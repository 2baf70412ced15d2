//! The documentation against the binary: the README's walk-through logs in with the password
//! the first start set, and every configuration variable is documented.

/// The README's walk-through, followed literally on a fresh clone: the first start must set
/// the password that the curl session then logs in with.
#[test]
fn the_readme_starts_the_server_with_the_password_it_logs_in_with() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_start = readme
        .lines()
        .find(|l| l.contains("cargo run --release") && !l.contains("cargo run --release --"))
        .expect("no `cargo run --release` in the README");
    let password = first_start
        .split("THIDUA_ADMIN_PASSWORD='")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("the first start sets no THIDUA_ADMIN_PASSWORD: {first_start}"));
    let login = readme
        .lines()
        .find(|l| l.contains(r#""username": "admin""#))
        .expect("no admin login in the README");
    assert!(
        login.contains(&format!(r#""password": "{password}""#)),
        "the README starts with {password:?} but logs in with: {login}"
    );
}

/// The variables `src/config.rs` reads, found by their quoted names.
fn config_variables() -> Vec<String> {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/config.rs")).unwrap();
    let mut names: Vec<String> = source
        .split('"')
        .filter(|s| {
            (s.starts_with("THIDUA_") || *s == "DATABASE_URL")
                && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        })
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `.env.example` and the README's table document every variable the configuration reads.
#[test]
fn every_variable_is_documented() {
    let names = config_variables();
    assert!(names.len() > 10, "{names:?}");
    let root = env!("CARGO_MANIFEST_DIR");
    let example = std::fs::read_to_string(format!("{root}/.env.example")).unwrap();
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    for name in names.iter().map(String::as_str).chain(["RUST_LOG"]) {
        assert!(
            example.lines().any(|l| l
                .trim_start_matches(['#', ' '])
                .starts_with(&format!("{name}="))),
            ".env.example lacks {name}"
        );
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "the README's configuration table lacks {name}"
        );
    }
}

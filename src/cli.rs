//! The command line: `serve` (the default), `migrate`, `user create`, `import`, `openapi`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use validator::Validate;

use crate::auth::{Actor, Role, password};
use crate::config::Config;
use crate::db::users::NewUser;
use crate::db::{self, AnyManager};
use crate::error::ApiError;
use crate::import::sheet::Format;
use crate::import::{self, Target};
use crate::ops::users::CreateUser;
use crate::startup::open_database;

#[derive(Debug, Parser)]
#[command(
    name = "thidua",
    version,
    about = "The thi đua – khen thưởng records API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Create the database if needed and apply pending migrations, then exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Import units or persons from a CSV or XLSX file, all rows or none.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print the OpenAPI document as JSON.
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input or asked for.
    Create {
        username: String,
        /// The user's role: what they may read and change.
        #[arg(long, value_parser = role_parser())]
        role: Role,
        /// The unit of a unit_officer (or unit-scoped viewer).
        #[arg(long)]
        unit: Option<i64>,
        /// A bloc of a bloc_chair (or bloc-scoped viewer); repeat for several.
        #[arg(long = "bloc")]
        blocs: Vec<i64>,
        /// The person's full name.
        #[arg(long)]
        full_name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Units: columns code, name, kind, valid_from (required), short_name, admin_level,
    /// parent_code, valid_to, successor_code, address, phone, email.
    Units {
        /// A .csv (UTF-8) or .xlsx file with a header row.
        file: PathBuf,
        /// Check every row, then roll back: nothing is written.
        #[arg(long)]
        dry_run: bool,
    },
    /// Persons: columns full_name, unit_code (required), gender, birth_year, position,
    /// civil_servant_code.
    Persons {
        /// A .csv (UTF-8) or .xlsx file with a header row.
        file: PathBuf,
        /// Check every row, then roll back: nothing is written.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Roles by their stored names, listed as the possible values in `--help` and in the error
/// for an unknown one.
fn role_parser() -> impl clap::builder::TypedValueParser<Value = Role> {
    use clap::builder::{PossibleValuesParser, TypedValueParser};
    use strum::VariantArray;
    PossibleValuesParser::new(Role::VARIANTS.iter().map(|r| r.as_str()))
        .try_map(|s| s.parse::<Role>())
}

/// An API error as a command-line message, with the fields at fault.
fn explain(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Validation(errors) => {
            let fields: Vec<String> = errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect();
            anyhow::anyhow!("invalid user: {}", fields.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// Writes a line to standard output. A reader that went away (`thidua openapi | head`) is not
/// an error worth a panic, which is what `println!` would do.
fn print_out(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// `thidua migrate`: applies what is pending on one connection (the pool is not needed) and
/// names each migration it applied.
pub fn migrate(config: &Config) -> anyhow::Result<()> {
    let manager =
        AnyManager::new(&config.database_url).map_err(|e| anyhow::anyhow!("DATABASE_URL: {e}"))?;
    let applied = db::migrate(&mut manager.establish()?)?;
    if applied.is_empty() {
        print_out("the database is up to date: no pending migrations");
    } else {
        print_out(&format!("applied {} migration(s):", applied.len()));
        for name in &applied {
            print_out(&format!("  {name}"));
        }
    }
    Ok(())
}

pub fn print_openapi() -> anyhow::Result<()> {
    print_out(&serde_json::to_string_pretty(&crate::api::openapi())?);
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat it: ")?;
        anyhow::ensure!(first == second, "the passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

pub fn create_user(config: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create {
        username,
        role,
        unit,
        blocs,
        full_name,
    } = cmd;
    let password = read_password()?;
    let request = CreateUser {
        username,
        password,
        full_name,
        role,
        unit_id: unit,
        bloc_ids: blocs,
    };
    // Through ApiError: validator's own message would print the rejected value, the password.
    request.validate().map_err(|e| explain(e.into()))?;
    let new = NewUser {
        username: request.username,
        full_name: request.full_name,
        role,
        unit_id: request.unit_id,
        bloc_ids: request.bloc_ids,
        password_hash: password::hash(&request.password)?,
    };
    let db = open_database(config)?;
    let actor = Actor {
        username: Some("cli".into()),
        ..Actor::default()
    };
    let user = db
        .write_blocking(|c| crate::ops::users::create(c, &actor, &new, "user.create"))
        .map_err(explain)?;
    print_out(&format!(
        "created user {} (id {}) with role {}",
        user.username, user.id, user.role
    ));
    Ok(())
}

/// `thidua import units|persons FILE [--dry-run]`: the same work as `POST /imports/...`, as
/// the actor "cli". Prints the report as JSON; on problems, lists them and fails.
pub fn import(config: &Config, cmd: ImportCommand) -> anyhow::Result<()> {
    let (target, file, dry_run) = match cmd {
        ImportCommand::Units { file, dry_run } => (Target::Units, file, dry_run),
        ImportCommand::Persons { file, dry_run } => (Target::Persons, file, dry_run),
    };
    let format = Format::from_path(&file)
        .ok_or_else(|| anyhow::anyhow!("{}: expected a .csv or .xlsx file", file.display()))?;
    let bytes =
        std::fs::read(&file).map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
    let name = file.display().to_string();
    let prepared = import::prepare(target, format, &bytes).map_err(|e| refused(&name, e))?;
    let db = open_database(config)?;
    let actor = Actor {
        username: Some("cli".into()),
        ..Actor::default()
    };
    let bar = if std::io::stdout().is_terminal() {
        ProgressBar::new(prepared.rows() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    // The same steps as the API: check with reads only, then (unless a dry run) write.
    bar.set_message(format!("checking {}", target.plural()));
    let plan = {
        let mut conn = db
            .pool()
            .get()
            .map_err(|e| anyhow::anyhow!("connecting to the database: {e}"))?;
        import::check(&mut conn, &prepared, &|done| bar.set_position(done as u64))
    };
    let result = match plan {
        Ok(plan) if dry_run => Ok(import::dry_run_report(&prepared, &plan)),
        Ok(plan) => {
            bar.set_position(0);
            bar.set_message(format!("importing {}", target.plural()));
            db.write_blocking(|c| {
                import::write(c, &actor, &prepared, &plan, &|done| {
                    bar.set_position(done as u64)
                })
            })
        }
        Err(e) => Err(e),
    };
    bar.finish_and_clear();
    let report = result.map_err(|e| refused(&name, e))?;
    print_out(&serde_json::to_string_pretty(&report)?);
    if dry_run {
        eprintln!(
            "{name}: {} rows are valid; dry run, nothing was written",
            report.rows
        );
    } else {
        eprintln!("{name}: created {} {}", report.created, target.plural());
    }
    Ok(())
}

/// A refused import as a message listing every problem.
fn refused(file: &str, e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Validation(errors) | ApiError::BadRequest { errors, .. }
            if !errors.is_empty() =>
        {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("  {}: {} ({})", e.field, e.message, e.code))
                .collect();
            anyhow::anyhow!(
                "{file}: nothing was imported; {} problem(s):\n{}",
                errors.len(),
                lines.join("\n")
            )
        }
        other => anyhow::anyhow!("{file}: nothing was imported: {other}: {other:?}"),
    }
}

//! The command line: `serve` (the default), `migrate`, `user create`, `openapi`.

use std::io::{BufRead, IsTerminal};

use clap::{Parser, Subcommand};
use validator::Validate;

use crate::api::users::{CreateUser, insert_audited};
use crate::auth::{Actor, Role, password};
use crate::config::Config;
use crate::db::users::NewUser;
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
    /// Print the OpenAPI document as JSON.
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input or asked for.
    Create {
        username: String,
        #[arg(long, value_parser = parse_role)]
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

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|_| "expected admin, bloc_chair, unit_officer or viewer".into())
}

pub fn migrate(config: &Config) -> anyhow::Result<()> {
    open_database(config)?;
    tracing::info!("the database is up to date");
    Ok(())
}

pub fn print_openapi() -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(&crate::api::openapi())?);
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
    request
        .validate()
        .map_err(|e| anyhow::anyhow!("invalid user: {e}"))?;
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
        .write_blocking(|c| insert_audited(c, &actor, &new, "user.create"))
        .map_err(|e| anyhow::anyhow!("{e}: {e:?}"))?;
    println!(
        "created user {} (id {}) with role {}",
        user.username, user.id, user.role
    );
    Ok(())
}

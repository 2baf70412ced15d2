use std::process::ExitCode;

use clap::Parser;
use thidua::cli::{self, Cli, Command};
use thidua::config::Config;
use thidua::startup::Application;
use thidua::telemetry;

fn main() -> ExitCode {
    // A missing .env is normal; the environment alone is enough.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        return report(cli::print_openapi());
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("thidua: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    report(match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => cli::migrate(&config),
        Command::User(cmd) => cli::create_user(&config, cmd),
        Command::Import(cmd) => cli::import(&config, cmd),
        Command::Openapi => Ok(()),
    })
}

fn serve(config: Config) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let bind = config.bind;
        let app = Application::build(config).await?;
        tracing::info!(%bind, port = app.port(), "serving; API docs at /docs/");
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thidua: {e:#}");
            ExitCode::FAILURE
        }
    }
}

//! `pantau`: parse the command line, start telemetry, run the chosen command.

use clap::Parser;
use pantau_server::config::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    pantau_server::telemetry::init();
    match cli.command {
        Command::Serve(config) => pantau_server::serve::run(config).await,
        Command::Simulate(config) => pantau_server::simulate::run(config).await,
        Command::Replay(config) => pantau_server::replay::run(config).await,
        Command::User(command) => pantau_server::admin_cli::user(command).await,
        Command::Key(command) => pantau_server::admin_cli::key(command).await,
    }
}

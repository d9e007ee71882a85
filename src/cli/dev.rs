//! Development and vendor tools, built only with the `dev-tools` feature
//! (on by default, for the demo and the tests; off in packages): the demo,
//! the development PKI and tokens. `license keygen`/`sign` and `model
//! synth` are gated in their own modules.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{EXIT_CONFIG, fail, serve_loaded};
use crate::config::Config;
use crate::{demo, identity};

/// The development commands, at the top level of the command line.
#[derive(Debug, Subcommand)]
pub(super) enum DevCommand {
    /// Write a complete, secure demo setup if DIR is empty, then serve it.
    Demo(DemoArgs),
    /// Development PKI.
    #[command(subcommand)]
    Pki(PkiCommand),
    /// Development tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// Runs a development command.
pub(super) fn run(command: DevCommand) -> ExitCode {
    match command {
        DevCommand::Demo(args) => match args.command {
            Some(DemoCommand::Init {
                dir,
                listen,
                mau_limit,
            }) => demo_init(&dir, listen, mau_limit),
            None => demo_run(&args.dir, args.listen),
        },
        DevCommand::Token(TokenCommand::Mint(args)) => match mint(&args) {
            Ok(token) => {
                println!("{token}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("token mint: {e}")),
        },
        DevCommand::Pki(PkiCommand::Init { dir }) => {
            match identity::devpki::init(&dir, crate::clock::now()) {
                Ok(files) => {
                    for f in files {
                        println!("wrote {}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("pki init: {e}")),
            }
        }
    }
}

#[derive(Debug, Subcommand)]
pub(super) enum TokenCommand {
    /// Print a JWT signed with an issuer's `dev_signing_key` (development only).
    Mint(MintArgs),
}

#[derive(Debug, Args)]
pub(super) struct MintArgs {
    /// The configuration naming the issuer and its key.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Subject.
    #[arg(long)]
    sub: String,
    /// Tenant.
    #[arg(long)]
    tenant: String,
    /// Roles, comma-separated (inference, auditor, admin, metrics).
    #[arg(long, value_delimiter = ',')]
    roles: Vec<String>,
    /// Data-class clearances, comma-separated.
    #[arg(long = "data-classes", value_delimiter = ',')]
    data_classes: Vec<String>,
    /// Purpose of processing.
    #[arg(long)]
    purpose: Option<String>,
    /// Lifetime, e.g. 15m or 1h.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    ttl: std::time::Duration,
    /// Bind the token to this client certificate (PEM), RFC 8705.
    #[arg(long = "bind-cert", value_name = "PEM")]
    bind_cert: Option<PathBuf>,
    /// Which issuer (its `issuer` value); default: the first with a dev_signing_key.
    #[arg(long)]
    issuer: Option<String>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(super) struct DemoArgs {
    #[command(subcommand)]
    command: Option<DemoCommand>,
    /// Directory of the demo.
    #[arg(long, default_value = "palisade-demo")]
    dir: PathBuf,
    /// Address to listen on (used when the directory is initialised).
    #[arg(long, default_value = demo::DEFAULT_LISTEN)]
    listen: SocketAddr,
}

#[derive(Debug, Subcommand)]
pub(super) enum DemoCommand {
    /// Write the demo setup into DIR (new or empty) without serving it.
    Init {
        /// Directory to write.
        #[arg(long)]
        dir: PathBuf,
        /// Address the demo will listen on.
        #[arg(long, default_value = demo::DEFAULT_LISTEN)]
        listen: SocketAddr,
        /// Enforce a limit of N monthly active users in the demo's license
        /// (a new subject beyond N is refused with 403
        /// `license_mau_exceeded`); without it, users are only counted.
        #[arg(long, value_name = "N")]
        mau_limit: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum PkiCommand {
    /// Write a development CA, a server certificate (localhost, 127.0.0.1,
    /// ::1) and a client certificate (CN=demo-client) into DIR.
    Init {
        /// Directory to write; existing files are never overwritten.
        #[arg(long)]
        dir: PathBuf,
    },
}

fn demo_init(dir: &Path, listen: SocketAddr, mau_limit: Option<u64>) -> ExitCode {
    match demo::init(dir, listen, mau_limit, crate::clock::now()) {
        Ok(()) => {
            println!("wrote the demo setup into {}", dir.display());
            println!(
                "serve it with: palisade serve --config {}",
                dir.join(demo::CONFIG_FILE).display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("demo init: {e}")),
    }
}

fn demo_run(dir: &Path, listen: SocketAddr) -> ExitCode {
    match demo::is_empty_dir(dir) {
        Ok(true) => {
            if let Err(e) = demo::init(dir, listen, None, crate::clock::now()) {
                return fail(&format!("demo init: {e}"));
            }
            println!("wrote a new demo setup into {}", dir.display());
        }
        Ok(false) => println!("using the existing demo setup in {}", dir.display()),
        Err(e) => return fail(&e.to_string()),
    }
    let path = dir.join(demo::CONFIG_FILE);
    let config = match Config::load(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("palisade: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let shown = config.server.listen.first().copied().unwrap_or(listen);
    println!("{}", demo::how_to_call(dir, shown));
    serve_loaded(&path, config)
}

fn mint(args: &MintArgs) -> Result<String, String> {
    use crate::identity::devtoken::{DevSigner, MintRequest, mint_claims};
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    let config = Config::load(&args.config).map_err(|e| e.to_string())?;
    let issuer = config
        .identity
        .issuers
        .iter()
        .filter(|i| i.dev_signing_key.is_some())
        .find(|i| args.issuer.as_ref().is_none_or(|want| &i.issuer == want))
        .ok_or_else(|| match &args.issuer {
            Some(want) => format!(
                "no issuer {want:?} with a dev_signing_key in {}",
                args.config.display()
            ),
            None => format!(
                "no issuer with a dev_signing_key in {}",
                args.config.display()
            ),
        })?;
    let key_path = issuer
        .dev_signing_key
        .as_ref()
        .ok_or("no dev_signing_key")?;
    let pem = std::fs::read_to_string(key_path)
        .map_err(|e| format!("cannot read {}: {e}", key_path.display()))?;
    let signer = DevSigner::from_pem(&pem).map_err(|e| format!("{}: {e}", key_path.display()))?;
    for role in &args.roles {
        if crate::identity::principal::Role::parse(role).is_none() {
            return Err(format!(
                "unknown role {role:?}; roles are inference, auditor, admin, metrics"
            ));
        }
    }
    let bind_cert_der = match &args.bind_cert {
        None => None,
        Some(path) => Some(
            CertificateDer::from_pem_file(path)
                .map_err(|e| format!("{}: not a PEM certificate: {e}", path.display()))?
                .as_ref()
                .to_vec(),
        ),
    };
    let request = MintRequest {
        subject: args.sub.clone(),
        tenant: args.tenant.clone(),
        roles: args.roles.clone(),
        data_classes: args.data_classes.clone(),
        purpose: args.purpose.clone(),
        ttl: args.ttl,
        bind_cert_der,
    };
    signer
        .sign(&mint_claims(issuer, &request, crate::clock::system_now()))
        .map_err(|e| e.to_string())
}

//! `vantage-server admin …`: account administration from the command line, for scripted
//! installs and recovery. Works on the database directly (the same one a running server uses:
//! a SQLite file, whose writes SQLite serialises, or `--database-url postgres://…`). Runs on a
//! blocking-pool thread (PostgreSQL calls block on the runtime).

use crate::auth::{hash_password, random_token};
use crate::cli::{AdminCommand, DbArg};
use crate::db::{now_ms, DatabaseUrl, Db};
use crate::error::AppError;
use crate::store::accounts::{self, NewUser};
use crate::store::audit::NewEntry;
use std::io::{BufRead, IsTerminal};
use vantage_contract::admin::validate_tenant_id;
use vantage_contract::password::check_password;
use vantage_contract::setup::{validate_email, validate_name, ORG_NAME_MAX, PERSON_NAME_MAX};
use vantage_contract::{AuditAction, Role};

/// Runs one admin command, printing what it did.
///
/// # Errors
/// A message for the operator.
pub fn run(cmd: AdminCommand) -> Result<(), String> {
    match cmd {
        AdminCommand::CreateSystemAdmin {
            db,
            email,
            name,
            tenant,
        } => create_system_admin(&db, email.trim(), name.trim(), tenant),
        AdminCommand::CreateTenant { db, id, name } => create_tenant(&db, &id, name.trim()),
    }
}

fn open(arg: &DbArg) -> Result<Db, String> {
    let url = match (&arg.database_url, &arg.db) {
        (Some(url), _) => DatabaseUrl::parse(url)?,
        (None, Some(path)) => DatabaseUrl::Sqlite(path.clone()),
        (None, None) => return Err("--db or --database-url is required".into()),
    };
    let rt = tokio::runtime::Handle::try_current().map_err(|e| e.to_string())?;
    let db = rt
        .block_on(Db::connect(&url))
        .map_err(|e| format!("opening the database: {e}"))?;
    rt.block_on(db.prepare_schema())
        .map_err(|e| format!("opening the database: {}", e.message))?;
    Ok(db)
}

fn msg(e: AppError) -> String {
    match e.details.as_ref().and_then(|d| d["field"].as_str()) {
        Some(f) if !e.message.starts_with(f) => format!("{f}: {}", e.message),
        _ => e.message,
    }
}

/// The password from stdin (first line) when it is piped, else a generated one.
fn read_password(email: &str) -> Result<(String, bool), String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok((random_token(18), true));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password from stdin: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Ok((random_token(18), true));
    }
    check_password(&password, "password", Some(email)).map_err(|e| e.to_string())?;
    Ok((password, false))
}

fn create_system_admin(
    arg: &DbArg,
    email: &str,
    name: &str,
    tenant: Option<String>,
) -> Result<(), String> {
    validate_email(email, "--email").map_err(|e| e.to_string())?;
    validate_name(name, "--name", PERSON_NAME_MAX).map_err(|e| e.to_string())?;
    if let Some(t) = &tenant {
        validate_tenant_id(t, "--tenant").map_err(|e| e.to_string())?;
    }
    let (password, generated) = read_password(email)?;
    let hash = hash_password(&password).map_err(msg)?;
    let db = open(arg)?;
    let (user_id, tenant_id) = db
        .write_blocking(|c| {
            let tx = c.transaction()?;
            let now = now_ms();
            let tenant_id = match tenant {
                Some(t) => t,
                None => accounts::first_tenant(&tx)?.unwrap_or_else(|| "admin".to_owned()),
            };
            if accounts::tenant_active(&tx, &tenant_id)?.is_none() {
                accounts::create_tenant(&tx, &tenant_id, "Administration", now)?;
            }
            let first = crate::store::settings::setup_pending(&tx)?;
            let user_id = format!("u_{}", random_token(9));
            accounts::insert_user(
                &tx,
                &NewUser {
                    id: &user_id,
                    tenant_id: &tenant_id,
                    email,
                    name,
                    role: Role::SystemAdmin,
                    password_hash: &hash,
                },
            )?;
            let action = if first {
                AuditAction::SetupCompleted
            } else {
                AuditAction::UserInvited
            };
            NewEntry::new(&tenant_id, action, None, None)
                .target(&user_id)
                .details(
                    serde_json::json!({ "email": email, "role": Role::SystemAdmin, "via": "cli" }),
                )
                .append(&tx)?;
            tx.commit()?;
            Ok((user_id, tenant_id))
        })
        .map_err(msg)?;
    db.checkpoint();
    println!("created system admin {email} ({user_id}) in tenant {tenant_id}");
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(())
}

fn create_tenant(arg: &DbArg, id: &str, name: &str) -> Result<(), String> {
    validate_tenant_id(id, "--id").map_err(|e| e.to_string())?;
    validate_name(name, "--name", ORG_NAME_MAX).map_err(|e| e.to_string())?;
    let db = open(arg)?;
    db.write_blocking(|c| {
        let tx = c.transaction()?;
        accounts::create_tenant(&tx, id, name, now_ms())?;
        NewEntry::new(id, AuditAction::TenantCreated, None, None)
            .target(id)
            .details(serde_json::json!({ "name": name, "via": "cli" }))
            .append(&tx)?;
        Ok(tx.commit()?)
    })
    .map_err(msg)?;
    db.checkpoint();
    println!("created tenant {id} ({name})");
    Ok(())
}

//! The contract version handshake.
//!
//! Every client states which version of this contract it speaks in the
//! [`CONTRACT_HEADER`] request header (and, for support, what it is in [`AGENT_HEADER`], e.g.
//! `vantage-sdk/0.3.0`). A backend answers every `/api` response with the version it used in the
//! same [`CONTRACT_HEADER`], lists the versions it serves in `GET /api/v1/health`
//! (`contractVersions`), and refuses a request that asks for a version it does not serve with
//! `400 unsupported_version` whose `details` carry `{ "requested", "served" }` — so an SDK and a
//! backend that drifted apart fail with a message naming both versions instead of oddly later.
//! A request without the header is served as the current version (curl, older tools).

/// The version of the contract this crate describes.
pub const CONTRACT_VERSION: &str = "1";

/// The versions a backend built from this crate serves.
pub const SERVED_VERSIONS: &[&str] = &[CONTRACT_VERSION];

/// Request and response header carrying the contract version.
pub const CONTRACT_HEADER: &str = "x-vantage-contract";

/// Request header naming the client and its version (informational; the reference server logs it
/// when it refuses a version).
pub const AGENT_HEADER: &str = "x-vantage-sdk";

/// Checks a requested version against [`SERVED_VERSIONS`].
///
/// # Errors
/// The message for `unsupported_version`, naming the requested and the served versions.
pub fn check(requested: Option<&str>) -> Result<(), String> {
    match requested.map(str::trim) {
        None => Ok(()),
        Some(v) if SERVED_VERSIONS.contains(&v) => Ok(()),
        Some(v) => Err(format!(
            "this backend serves contract version {}; the client asked for version {:?}",
            SERVED_VERSIONS.join(", "),
            v.chars().take(32).collect::<String>()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_and_missing_versions_pass() {
        assert_eq!(check(None), Ok(()));
        assert_eq!(check(Some(CONTRACT_VERSION)), Ok(()));
        assert_eq!(check(Some(" 1 ")), Ok(()));
    }

    #[test]
    fn other_versions_are_refused_naming_both() {
        let message = check(Some("2")).unwrap_err();
        assert!(message.contains("version 1"), "{message}");
        assert!(message.contains("\"2\""), "{message}");
        let long = "9".repeat(100);
        assert!(check(Some(&long)).unwrap_err().len() < 150);
    }
}

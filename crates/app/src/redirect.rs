//! Where the app may send a visitor after an action: the `next` (login) and `back` (drill-down)
//! URL parameters come from links anyone can craft, so only paths on this origin are followed —
//! never `//host`, `/\host` (browsers read a backslash as a slash) or paths hiding either behind
//! tabs or newlines (which browsers strip from URLs).

/// `value` if it is a path on this origin, else `None`.
pub fn same_origin_path(value: &str) -> Option<&str> {
    let mut chars = value.chars();
    let safe = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !value.contains('\\')
        && !value.chars().any(char::is_control);
    safe.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::same_origin_path;

    #[test]
    fn local_paths_are_followed() {
        for ok in ["/", "/dashboards/x?range=last1h", "/a/b#c"] {
            assert_eq!(same_origin_path(ok), Some(ok));
        }
    }

    #[test]
    fn other_origins_are_refused() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "dashboards",
            "",
            "/x\\y",
        ] {
            assert_eq!(same_origin_path(bad), None, "{bad:?}");
        }
    }
}

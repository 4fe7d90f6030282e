//! Tenants, their white-label branding and the origins allowed to embed their dashboards.
//!
//! Branding is validated here so the server and the UI reject the same values:
//! ```
//! use vantage_contract::Branding;
//! let mut b = Branding::default();
//! assert!(b.validate().is_ok());
//! b.primary_color = "red; background:url(x)".into();
//! assert_eq!(b.validate().unwrap_err().field, "primaryColor");
//! ```

use crate::validation::{FieldError, Rule, Validated};
use serde::{Deserialize, Serialize};

use crate::wire::unit_enum;

/// Longest accepted product name, in characters.
pub const PRODUCT_NAME_MAX: usize = 40;
/// Longest accepted logo/favicon URL (data URLs included), in bytes.
pub const IMAGE_URL_MAX: usize = 200_000;
/// Longest accepted font family, in characters.
pub const FONT_FAMILY_MAX: usize = 100;
/// Most colours in a chart palette.
pub const PALETTE_MAX: usize = 16;

unit_enum! {
    /// Light, dark, or follow the viewer's system setting.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum ThemeMode {
        Light,
        Dark,
        #[default]
        System,
    }
}

/// A tenant's white-label settings (`PUT /api/v1/tenant/branding`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Branding {
    /// 1..=40 characters, shown in the app chrome.
    pub product_name: String,
    /// `https://…` or `data:image/…` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// `https://…` or `data:image/…` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub favicon_url: Option<String>,
    /// `#rgb` or `#rrggbb`.
    pub primary_color: String,
    /// `#rgb` or `#rrggbb`.
    pub secondary_color: String,
    /// Letters, digits, spaces, `-`, `_`, `,`, `'` and `"` only (no CSS injection).
    pub font_family: String,
    #[serde(default)]
    pub mode: ThemeMode,
    /// Series colours, each `#rgb` or `#rrggbb`; empty means the default palette.
    #[serde(default)]
    pub chart_palette: Vec<String>,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            product_name: "Vantage".into(),
            logo_url: None,
            favicon_url: None,
            primary_color: "#2563eb".into(),
            secondary_color: "#64748b".into(),
            font_family: "Inter, system-ui, sans-serif".into(),
            mode: ThemeMode::System,
            chart_palette: vec![
                "#2563eb".into(),
                "#16a34a".into(),
                "#f59e0b".into(),
                "#dc2626".into(),
                "#7c3aed".into(),
                "#0891b2".into(),
            ],
        }
    }
}

impl Branding {
    /// Checks every field.
    ///
    /// # Errors
    /// The first invalid field, named by its camelCase JSON name.
    pub fn validate(&self) -> Validated {
        let name = self.product_name.trim();
        if name.is_empty() || self.product_name.chars().count() > PRODUCT_NAME_MAX {
            return Err(FieldError::new(
                "productName",
                format!("must be 1 to {PRODUCT_NAME_MAX} characters"),
            )
            .with_rule(Rule::OneToChars(PRODUCT_NAME_MAX)));
        }
        if self.product_name.chars().any(char::is_control) {
            return Err(
                FieldError::new("productName", "must not contain control characters")
                    .with_rule(Rule::NoControlCharacters),
            );
        }
        for (field, url) in [
            ("logoUrl", &self.logo_url),
            ("faviconUrl", &self.favicon_url),
        ] {
            if let Some(url) = url {
                validate_image_url(url).map_err(|m| FieldError::new(field, m))?;
            }
        }
        for (field, colour) in [
            ("primaryColor", &self.primary_color),
            ("secondaryColor", &self.secondary_color),
        ] {
            if !is_hex_color(colour) {
                return Err(hex_colour_expected(field));
            }
        }
        if let Err(m) = validate_font_family(&self.font_family) {
            let e = FieldError::new("fontFamily", m);
            return Err(if font_family_fits(&self.font_family) {
                e
            } else {
                e.with_rule(Rule::OneToChars(FONT_FAMILY_MAX))
            });
        }
        if self.chart_palette.len() > PALETTE_MAX {
            return Err(
                FieldError::new("chartPalette", format!("at most {PALETTE_MAX} colours"))
                    .with_rule(Rule::AtMostColours(PALETTE_MAX)),
            );
        }
        for (i, colour) in self.chart_palette.iter().enumerate() {
            if !is_hex_color(colour) {
                return Err(hex_colour_expected(format!("chartPalette[{i}]")));
            }
        }
        Ok(())
    }
}

/// `#rgb` or `#rrggbb` (case-insensitive).
pub fn is_hex_color(s: &str) -> bool {
    let Some(hex) = s.strip_prefix('#') else {
        return false;
    };
    matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// Accepts `https://host/...` and `data:image/<type>;base64,...` URLs only.
///
/// # Errors
/// A message saying what is wrong.
pub fn validate_image_url(url: &str) -> Result<(), String> {
    if url.len() > IMAGE_URL_MAX {
        return Err(format!("must be at most {IMAGE_URL_MAX} bytes"));
    }
    if url.chars().any(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '(' | ')')
    }) {
        return Err("must not contain spaces, quotes, brackets or backslashes".into());
    }
    if let Some(rest) = url.strip_prefix("https://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() {
            return Err("https URL needs a host".into());
        }
        return Ok(());
    }
    if let Some(rest) = url.strip_prefix("data:image/") {
        let (mime, _) = rest.split_once([';', ',']).ok_or("malformed data URL")?;
        let ok_mime = [
            "png",
            "jpeg",
            "jpg",
            "gif",
            "webp",
            "svg+xml",
            "x-icon",
            "vnd.microsoft.icon",
        ];
        if !ok_mime.contains(&mime) {
            return Err(format!("unsupported image type image/{mime}"));
        }
        return Ok(());
    }
    Err("must be an https:// or data:image/ URL".into())
}

fn hex_colour_expected(field: impl Into<String>) -> FieldError {
    FieldError::new(field, "must be a hex colour like #1a2b3c").with_rule(Rule::HexColour)
}

/// Whether a font-family list is 1 to [`FONT_FAMILY_MAX`] characters (not blank).
fn font_family_fits(font: &str) -> bool {
    !font.trim().is_empty() && font.chars().count() <= FONT_FAMILY_MAX
}

/// A CSS font-family list from a safe character set.
///
/// # Errors
/// A message saying what is wrong.
pub fn validate_font_family(font: &str) -> Result<(), String> {
    if !font_family_fits(font) {
        return Err(format!("must be 1 to {FONT_FAMILY_MAX} characters"));
    }
    let safe =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | ',' | '\'' | '"');
    if !font.chars().all(safe) {
        return Err("may contain only letters, digits, spaces and - _ , ' \"".into());
    }
    Ok(())
}

/// Checks an exact web origin: `http(s)://host[:port]` with no path, query or trailing slash.
///
/// # Errors
/// A message saying what is wrong.
pub fn validate_origin(origin: &str) -> Result<(), String> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or("must start with http:// or https://")?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
        && !host.starts_with('.')
        && !host.ends_with('.');
    if !host_ok {
        return Err("must be scheme://host[:port] with no path".into());
    }
    if let Some(port) = port {
        match port.parse::<u32>() {
            Ok(p) if (1..=65535).contains(&p) && !port.starts_with('0') => {}
            _ => return Err("port must be 1..65535".into()),
        }
    }
    if origin.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("must be lower case".into());
    }
    Ok(())
}

/// `GET /api/v1/tenant`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub branding: Branding,
    /// Exact origins (`https://shop.example:8443`) allowed to embed this tenant's dashboards.
    pub embed_origins: Vec<String>,
}

/// `PUT /api/v1/tenant/embed-origins`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmbedOrigins {
    pub origins: Vec<String>,
}

impl EmbedOrigins {
    /// Every origin must be exact and well-formed; at most 50.
    ///
    /// # Errors
    /// The first bad origin, e.g. field `origins[1]`.
    pub fn validate(&self) -> Validated {
        if self.origins.len() > 50 {
            return Err(FieldError::new("origins", "at most 50 origins"));
        }
        for (i, o) in self.origins.iter().enumerate() {
            validate_origin(o).map_err(|m| FieldError::new(format!("origins[{i}]"), m))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(b: &Branding) -> String {
        b.validate().unwrap_err().field
    }

    #[test]
    fn default_branding_is_valid() {
        Branding::default().validate().unwrap();
    }

    #[test]
    fn hex_colours() {
        for ok in ["#fff", "#FFFFFF", "#1a2B3c"] {
            assert!(is_hex_color(ok), "{ok}");
        }
        for bad in ["fff", "#ffff", "#ggg", "red", "#1a2b3c;", "", "#"] {
            assert!(!is_hex_color(bad), "{bad}");
        }
        let mut b = Branding {
            secondary_color: "blue".into(),
            ..Branding::default()
        };
        assert_eq!(field_of(&b), "secondaryColor");
        b.secondary_color = "#000".into();
        b.chart_palette.push("url(x)".into());
        assert_eq!(field_of(&b), "chartPalette[6]");
    }

    #[test]
    fn image_urls_must_be_https_or_data_image() {
        assert!(validate_image_url("https://cdn.example.com/logo.png").is_ok());
        assert!(validate_image_url("data:image/png;base64,iVBORw0KGgo=").is_ok());
        assert!(validate_image_url("data:image/svg+xml;base64,PHN2Zz4=").is_ok());
        for bad in [
            "http://cdn.example.com/logo.png",
            "javascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "https://",
            "https://x.com/a b.png",
            "https://x.com/a\").png",
            "//x.com/a.png",
        ] {
            assert!(validate_image_url(bad).is_err(), "{bad}");
        }
        let b = Branding {
            logo_url: Some("javascript:alert(1)".into()),
            ..Branding::default()
        };
        assert_eq!(field_of(&b), "logoUrl");
        let b = Branding {
            favicon_url: Some("ftp://x".into()),
            ..Branding::default()
        };
        assert_eq!(field_of(&b), "faviconUrl");
    }

    #[test]
    fn font_family_safe_charset() {
        assert!(validate_font_family("\"Open Sans\", Arial, sans-serif").is_ok());
        for bad in [
            "",
            "Arial; color:red",
            "a{b}",
            "x</style>",
            &"a".repeat(101),
        ] {
            assert!(validate_font_family(bad).is_err(), "{bad}");
        }
        let b = Branding {
            font_family: "x;y".into(),
            ..Branding::default()
        };
        assert_eq!(field_of(&b), "fontFamily");
    }

    #[test]
    fn product_name_length() {
        let b = Branding {
            product_name: "".into(),
            ..Branding::default()
        };
        assert_eq!(field_of(&b), "productName");
        let b = Branding {
            product_name: "x".repeat(41),
            ..Branding::default()
        };
        assert_eq!(field_of(&b), "productName");
        let b = Branding {
            product_name: "é".repeat(40),
            ..Branding::default()
        };
        assert!(b.validate().is_ok());
    }

    #[test]
    fn origins() {
        for ok in [
            "http://127.0.0.1:8080",
            "https://shop.example.com",
            "http://localhost:3000",
        ] {
            assert!(validate_origin(ok).is_ok(), "{ok}");
        }
        for bad in [
            "shop.example.com",
            "https://shop.example.com/",
            "https://shop.example.com/path",
            "ftp://x.com",
            "https://x.com:99999",
            "https://x.com:abc",
            "https://",
            "https://Shop.com",
            "*",
        ] {
            assert!(validate_origin(bad).is_err(), "{bad}");
        }
        let e = EmbedOrigins {
            origins: vec!["https://a.com".into(), "nope".into()],
        };
        assert_eq!(e.validate().unwrap_err().field, "origins[1]");
    }

    #[test]
    fn unknown_branding_fields_are_rejected() {
        let err = serde_json::from_value::<Branding>(serde_json::json!({
            "productName": "X", "primaryColor": "#000", "secondaryColor": "#fff",
            "fontFamily": "Arial", "css": "body{}"
        }))
        .unwrap_err();
        assert!(err.to_string().contains("unknown field"));
    }
}

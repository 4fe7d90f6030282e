//! Design tokens and white-label themes.
//!
//! A [`Theme`] is the single source of colours and fonts for widgets: it becomes CSS custom
//! properties (`--vt-*`) on a widget root and an ECharts theme registered under a name unique to
//! its content ([`Theme::echarts_name`]), so two embeds with different brands on one page never
//! share a theme by accident. Brand colours are validated hex values and the font family is
//! restricted to a safe character set, so nothing from a tenant is ever injected into CSS as-is.
//!
//! Chart palettes are adjusted to reach a 3:1 contrast ratio against the background (WCAG 2.x
//! non-text contrast, 1.4.11), which is what "AA" means for graphical objects.

use serde_json::{json, Value};

/// Light or dark rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    #[default]
    Light,
    Dark,
}

impl Mode {
    /// The mode a light/dark/system choice shows now: "system" follows the viewer's
    /// `prefers-color-scheme` (light where there is no browser).
    pub fn resolve(choice: vantage_contract::ThemeMode) -> Self {
        match choice {
            vantage_contract::ThemeMode::Light => Mode::Light,
            vantage_contract::ThemeMode::Dark => Mode::Dark,
            vantage_contract::ThemeMode::System if prefers_dark() => Mode::Dark,
            vantage_contract::ThemeMode::System => Mode::Light,
        }
    }
}

/// Whether the viewer prefers a dark colour scheme (`prefers-color-scheme: dark`).
pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses `#rgb` or `#rrggbb` (case-insensitive).
    pub fn parse(hex: &str) -> Option<Self> {
        let digits = hex.strip_prefix('#')?;
        if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).ok();
        match digits.len() {
            3 => {
                let expand = |i: usize| channel(&digits[i..=i].repeat(2));
                Some(Rgb(expand(0)?, expand(1)?, expand(2)?))
            }
            6 => Some(Rgb(
                channel(&digits[0..2])?,
                channel(&digits[2..4])?,
                channel(&digits[4..6])?,
            )),
            _ => None,
        }
    }

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// WCAG contrast ratio between two colours (1 to 21).
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a > b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }

    fn mix(self, other: Rgb, t: f64) -> Rgb {
        let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(
            lerp(self.0, other.0),
            lerp(self.1, other.1),
            lerp(self.2, other.2),
        )
    }

    /// This colour, darkened (on light backgrounds) or lightened (on dark ones) just enough to
    /// reach `ratio` against `background`.
    pub fn with_contrast(self, background: Rgb, ratio: f64) -> Rgb {
        if self.contrast(background) >= ratio {
            return self;
        }
        let target = if background.luminance() > 0.4 {
            Rgb(0, 0, 0)
        } else {
            Rgb(255, 255, 255)
        };
        (1..=20)
            .map(|step| self.mix(target, f64::from(step) / 20.0))
            .find(|c| c.contrast(background) >= ratio)
            .unwrap_or(target)
    }
}

/// For a primary colour on `surface`: the text colour drawn on it, and the primary as text.
///
/// On it: white, else near black, else black — the first with 4.5:1 (white is 3.7:1 on a
/// mid-tone brand colour such as `#3b82f6`; black always reaches 4.5:1 where white does not).
/// As text (links, the current page in a navigation, an info alert's label): 4.5:1 against the
/// surface and against the 10% tint of the primary that marks a current item — WCAG AA for
/// body text, where the primary itself only needs 3:1 as a fill or a border.
fn primary_pair(primary: Rgb, surface: Rgb) -> (Rgb, Rgb) {
    let on_primary = [Rgb(255, 255, 255), Rgb(0x11, 0x18, 0x27)]
        .into_iter()
        .find(|c| c.contrast(primary) >= 4.5)
        .unwrap_or(Rgb(0, 0, 0));
    let text = primary
        .with_contrast(surface, 4.5)
        .with_contrast(surface.mix(primary, 0.1), 4.5);
    (on_primary, text)
}

/// Why a theme value was rejected; names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    #[error("{field} must be a hex colour like #1a73e8, got '{value}'")]
    Colour { field: &'static str, value: String },
    #[error("fontFamily may only contain letters, digits, spaces, commas, quotes and hyphens")]
    FontFamily,
    #[error("chartPalette needs between 1 and 12 colours")]
    PaletteSize,
}

/// Resolved colours and fonts for one brand in one mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub mode: Mode,
    pub primary: Rgb,
    pub secondary: Rgb,
    pub font_family: String,
    palette: Vec<Rgb>,
    base_palette: Vec<Rgb>,
}

const LIGHT_PALETTE: [&str; 8] = [
    "#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d",
];
const DEFAULT_FONT: &str = "Inter, \"Segoe UI\", system-ui, -apple-system, sans-serif";

impl Default for Theme {
    fn default() -> Self {
        Self::light()
    }
}

struct Surface {
    background: Rgb,
    surface: Rgb,
    border: Rgb,
    text: Rgb,
    muted: Rgb,
    grid: Rgb,
}

impl Theme {
    /// The default light theme.
    pub fn light() -> Self {
        let palette: Vec<Rgb> = LIGHT_PALETTE.iter().filter_map(|c| Rgb::parse(c)).collect();
        Self::build(
            Mode::Light,
            palette[0],
            palette[1],
            DEFAULT_FONT.into(),
            palette,
        )
    }

    /// The default dark theme.
    pub fn dark() -> Self {
        Self::light().with_mode(Mode::Dark)
    }

    fn build(
        mode: Mode,
        primary: Rgb,
        secondary: Rgb,
        font_family: String,
        base: Vec<Rgb>,
    ) -> Self {
        let background = Self::surface_for(mode).surface;
        let palette = base
            .iter()
            .map(|c| c.with_contrast(background, 3.0))
            .collect();
        Self {
            mode,
            primary,
            secondary,
            font_family,
            palette,
            base_palette: base,
        }
    }

    /// The theme for a tenant's `branding` in `mode`: the one branding → theme rule, for the app
    /// and the embed alike. Invalid branding (which the server never stores) falls back to the
    /// default look in `mode` rather than failing the page.
    pub fn for_branding(branding: &vantage_contract::Branding, mode: Mode) -> Self {
        Self::branded(
            mode,
            &branding.primary_color,
            &branding.secondary_color,
            Some(&branding.font_family),
            &branding.chart_palette,
        )
        .unwrap_or_else(|_| Theme::light().with_mode(mode))
    }

    /// A brand theme from validated strings (as found in the contract's branding).
    ///
    /// # Errors
    /// A [`ThemeError`] naming the first invalid field.
    pub fn branded(
        mode: Mode,
        primary: &str,
        secondary: &str,
        font_family: Option<&str>,
        palette: &[String],
    ) -> Result<Self, ThemeError> {
        let colour = |field: &'static str, value: &str| {
            Rgb::parse(value).ok_or_else(|| ThemeError::Colour {
                field,
                value: value.to_owned(),
            })
        };
        let primary = colour("primaryColor", primary)?;
        let secondary = colour("secondaryColor", secondary)?;
        let font = match font_family.map(str::trim).filter(|f| !f.is_empty()) {
            Some(font) if is_safe_font(font) => format!("{font}, {DEFAULT_FONT}"),
            Some(_) => return Err(ThemeError::FontFamily),
            None => DEFAULT_FONT.to_owned(),
        };
        let mut base = if palette.is_empty() {
            let mut colours = vec![primary, secondary];
            colours.extend(LIGHT_PALETTE.iter().skip(2).filter_map(|c| Rgb::parse(c)));
            colours
        } else {
            if palette.len() > 12 {
                return Err(ThemeError::PaletteSize);
            }
            palette
                .iter()
                .map(|c| colour("chartPalette", c))
                .collect::<Result<_, _>>()?
        };
        base.dedup();
        Ok(Self::build(mode, primary, secondary, font, base))
    }

    /// The same brand in another mode.
    pub fn with_mode(&self, mode: Mode) -> Self {
        Self::build(
            mode,
            self.primary,
            self.secondary,
            self.font_family.clone(),
            self.base_palette.clone(),
        )
    }

    /// Series colours, contrast-adjusted for this mode's background.
    pub fn palette(&self) -> &[Rgb] {
        &self.palette
    }

    fn surface_for(mode: Mode) -> Surface {
        let c = |hex: &str| Rgb::parse(hex).unwrap_or(Rgb(0, 0, 0));
        match mode {
            Mode::Light => Surface {
                background: c("#f5f7fb"),
                surface: c("#ffffff"),
                border: c("#e3e8ef"),
                text: c("#111827"),
                muted: c("#5b6474"),
                grid: c("#edf0f5"),
            },
            Mode::Dark => Surface {
                background: c("#0f141b"),
                surface: c("#171e27"),
                border: c("#2a3442"),
                text: c("#e6ebf2"),
                muted: c("#9aa6b8"),
                grid: c("#243040"),
            },
        }
    }

    /// The CSS custom properties for a widget root, as `(name, value)` pairs.
    pub fn css_variables(&self) -> Vec<(&'static str, String)> {
        let s = Self::surface_for(self.mode);
        // Fills, borders and focus rings: 3:1 against the surface (WCAG's non-text contrast).
        let primary = self.primary.with_contrast(s.surface, 3.0);
        let (on_primary, primary_text) = primary_pair(primary, s.surface);
        vec![
            ("--vt-font", self.font_family.clone()),
            ("--vt-bg", s.background.hex()),
            ("--vt-surface", s.surface.hex()),
            ("--vt-border", s.border.hex()),
            ("--vt-text", s.text.hex()),
            ("--vt-muted", s.muted.hex()),
            ("--vt-primary", primary.hex()),
            ("--vt-secondary", self.secondary.hex()),
            ("--vt-on-primary", on_primary.hex()),
            ("--vt-primary-text", primary_text.hex()),
            (
                "--vt-good",
                if self.mode == Mode::Light {
                    "#067647"
                } else {
                    "#47cd89"
                }
                .to_owned(),
            ),
            (
                "--vt-bad",
                if self.mode == Mode::Light {
                    "#b42318"
                } else {
                    "#f97066"
                }
                .to_owned(),
            ),
            (
                "--vt-warn",
                if self.mode == Mode::Light {
                    "#b54708"
                } else {
                    "#fdb022"
                }
                .to_owned(),
            ),
            ("--vt-skeleton", s.grid.hex()),
        ]
    }

    /// The ECharts theme object for [`Theme::echarts_name`].
    pub fn echarts_theme(&self) -> Value {
        let s = Self::surface_for(self.mode);
        let axis = json!({
            "axisLine": { "lineStyle": { "color": s.border.hex() } },
            "axisTick": { "lineStyle": { "color": s.border.hex() } },
            "axisLabel": { "color": s.muted.hex() },
            "splitLine": { "lineStyle": { "color": [s.grid.hex()] } },
            // Stripes behind a heatmap's cells (its empty cells show them): faint in both
            // modes (ECharts' own are near white, or near black in its dark theme, and read
            // as data).
            "splitArea": { "areaStyle": { "color": [s.surface.hex(), s.surface.mix(s.grid, 0.5).hex()] } },
            "nameTextStyle": { "color": s.muted.hex() }
        });
        // A heatmap's scale runs from a tint of the surface to the first series colour, so
        // the highest values stand out in dark mode too (ECharts' scale starts near white).
        let primary = self.palette.first().copied().unwrap_or(s.text);
        let visual_map = json!({
            "inRange": { "color": [s.surface.mix(primary, 0.12).hex(), primary.hex()] },
            "textStyle": { "color": s.muted.hex() },
            "itemWidth": 10,
            "itemHeight": 120,
            "padding": [2, 5]
        });
        json!({
            "color": self.palette.iter().map(|c| c.hex()).collect::<Vec<_>>(),
            "backgroundColor": "transparent",
            "textStyle": { "fontFamily": self.font_family, "color": s.text.hex() },
            "title": { "textStyle": { "color": s.text.hex() } },
            "legend": { "textStyle": { "color": s.muted.hex() } },
            "tooltip": {
                "backgroundColor": s.surface.hex(),
                "borderColor": s.border.hex(),
                "textStyle": { "color": s.text.hex() }
            },
            "categoryAxis": axis,
            "valueAxis": axis,
            "timeAxis": axis,
            "logAxis": axis,
            "gauge": {
                "axisLine": { "lineStyle": { "color": [[1, s.grid.hex()]] } },
                "detail": { "color": s.text.hex() },
                "title": { "color": s.muted.hex() }
            },
            // Percentages sit inside the slices: plain light text, no halo.
            "pie": { "label": { "color": "#ffffff", "textBorderWidth": 0, "fontWeight": 600 } },
            "visualMap": visual_map
        })
    }

    /// A theme name unique to this theme's content, for `echarts.registerTheme`.
    pub fn echarts_name(&self) -> String {
        let text = self.echarts_theme().to_string();
        // FNV-1a: stable across builds and platforms, unlike `DefaultHasher`.
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("vantage-{hash:016x}")
    }
}

fn is_safe_font(font: &str) -> bool {
    font.len() <= 200
        && font
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | ',' | '-' | '"' | '\''))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_short_and_long_hex_and_rejects_everything_else() {
        assert_eq!(Rgb::parse("#1A73e8"), Some(Rgb(0x1a, 0x73, 0xe8)));
        assert_eq!(Rgb::parse("#fff"), Some(Rgb(255, 255, 255)));
        for bad in ["1a73e8", "#12345", "#ggg", "red", "#fff;}body{", ""] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        let ratio = Rgb(0, 0, 0).contrast(Rgb(255, 255, 255));
        assert!((ratio - 21.0).abs() < 0.01, "{ratio}");
        assert!((Rgb(0x77, 0x77, 0x77).contrast(Rgb(255, 255, 255)) - 4.48).abs() < 0.01);
    }

    #[test]
    fn palettes_reach_three_to_one_against_their_background_in_both_modes() {
        for theme in [Theme::light(), Theme::dark()] {
            let surface = Theme::surface_for(theme.mode).surface;
            for colour in theme.palette() {
                assert!(
                    colour.contrast(surface) >= 3.0,
                    "{:?} {}",
                    theme.mode,
                    colour.hex()
                );
            }
        }
        // A pale brand colour is darkened on light backgrounds rather than used as-is.
        let pale = Theme::branded(Mode::Light, "#ffe08a", "#cccccc", None, &[]).unwrap();
        assert!(pale.palette()[0].contrast(Rgb(255, 255, 255)) >= 3.0);
    }

    #[test]
    fn brand_colours_as_text_and_under_text_reach_four_and_a_half_to_one_in_both_modes() {
        // Dark, mid-tone, pale and saturated brand colours (HealthCo's teal was 3.1:1 as link
        // text in dark mode; white on #3b82f6 is 3.7:1).
        for brand in [
            "#0f766e", "#3b82f6", "#2563eb", "#ffe08a", "#22c55e", "#111827", "#ffffff",
        ] {
            for mode in [Mode::Light, Mode::Dark] {
                let theme = Theme::branded(mode, brand, "#cccccc", None, &[]).unwrap();
                let vars: std::collections::HashMap<_, _> =
                    theme.css_variables().into_iter().collect();
                let var = |name: &str| Rgb::parse(&vars[name]).unwrap();
                let (surface, primary) = (var("--vt-surface"), var("--vt-primary"));
                let text = var("--vt-primary-text");
                for (what, ratio) in [
                    ("text on the surface", text.contrast(surface)),
                    ("text on the tint", text.contrast(surface.mix(primary, 0.1))),
                    ("on-primary", var("--vt-on-primary").contrast(primary)),
                ] {
                    assert!(ratio >= 4.5, "{brand} {mode:?}: {what} {ratio:.2}");
                }
                assert!(primary.contrast(surface) >= 3.0, "{brand} {mode:?}: fill");
            }
        }
    }

    #[test]
    fn invalid_brand_values_name_the_field() {
        let err = Theme::branded(Mode::Light, "red", "#000", None, &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "primaryColor must be a hex colour like #1a73e8, got 'red'"
        );
        let err = Theme::branded(Mode::Light, "#000", "#000", Some("x;}body{color:red"), &[])
            .unwrap_err();
        assert_eq!(err, ThemeError::FontFamily);
        let err = Theme::branded(Mode::Light, "#000", "#000", None, &["#12".into()]).unwrap_err();
        assert!(err.to_string().starts_with("chartPalette"));
    }

    #[test]
    fn theme_names_differ_by_content_and_are_stable() {
        let a = Theme::light();
        assert_eq!(a.echarts_name(), Theme::light().echarts_name());
        assert_ne!(a.echarts_name(), Theme::dark().echarts_name());
        assert!(a.echarts_name().starts_with("vantage-"));
    }
}

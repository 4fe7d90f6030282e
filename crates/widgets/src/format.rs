//! Number and time formatting for labels, tooltips, KPI values and table cells.
//!
//! Numbers follow the widget's options (`options.format`: `"number" | "percent" | "ms" |
//! "currency" | "compact"`, `options.unit`, `options.decimals`, `options.currency`), so the same
//! value reads the same in a chart axis, a KPI card and a table cell. In the browser the text
//! comes from [`Intl.NumberFormat`](https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/Intl/NumberFormat)
//! for the active locale ([`crate::locale`]): Indian grouping in `en-IN` (`12,34,567`), the
//! currency sign where the locale puts it (`1.234,50 €` in `de-DE`), compact forms (`1,3 Mio.`).
//! [`NumberFormat::intl_options`] is the choice of options, testable natively; natively the
//! text falls back to English-style grouping. Times are epoch milliseconds shown through
//! `Intl.DateTimeFormat` in the active locale and time zone; natively ISO 8601 UTC.
//!
//! ```
//! use vantage_widgets::format::NumberFormat;
//! let f = NumberFormat::from_options(&serde_json::json!({"format": "ms"}));
//! assert_eq!(f.format(1234.0), "1,234 ms");
//! ```

use serde_json::Value;

#[cfg(target_arch = "wasm32")]
mod intl;

/// How a number is shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum NumberKind {
    /// Grouped thousands (`12,345.6`).
    #[default]
    Number,
    /// A ratio (0.25) shown as `25%`; values above 1.5 are taken as already in percent.
    Percent,
    /// Milliseconds (`850 ms`, `1.2 s` above 10 s).
    Millis,
    /// A currency amount with its ISO code or symbol (`$1,234.50`).
    Currency(String),
    /// Short form for axes (`12.3k`, `4.5M`).
    Compact,
}

/// A number format read from widget options.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NumberFormat {
    pub kind: NumberKind,
    /// Fixed decimals; `None` picks a sensible amount from the magnitude.
    pub decimals: Option<u8>,
    /// Unit appended after the number (`"req/s"`), unless the kind has its own.
    pub unit: Option<String>,
}

impl NumberFormat {
    /// Reads `format`, `unit`, `decimals` and `currency` from a widget's options object.
    /// Unknown or missing values fall back to a plain grouped number.
    pub fn from_options(options: &Value) -> Self {
        let text = |key: &str| options.get(key).and_then(Value::as_str).map(str::to_owned);
        let unit = text("unit").filter(|u| !u.is_empty());
        let kind = match text("format").as_deref() {
            Some("percent" | "%") => NumberKind::Percent,
            Some("ms" | "millis" | "duration") => NumberKind::Millis,
            Some("currency") => {
                NumberKind::Currency(text("currency").unwrap_or_else(|| "USD".into()))
            }
            Some("compact") => NumberKind::Compact,
            _ => match unit.as_deref() {
                Some("%") => NumberKind::Percent,
                Some("ms") => NumberKind::Millis,
                Some(code @ ("USD" | "EUR" | "GBP" | "$" | "€" | "£")) => {
                    NumberKind::Currency(code.to_owned())
                }
                _ => NumberKind::Number,
            },
        };
        let unit = match kind {
            NumberKind::Number | NumberKind::Compact => unit,
            _ => None,
        };
        let decimals = options
            .get("decimals")
            .and_then(Value::as_u64)
            .map(|d| d.min(6) as u8);
        Self {
            kind,
            decimals,
            unit,
        }
    }

    /// The `Intl.NumberFormat` options (and the value and suffix) that show `value` in this
    /// format; `compact` asks for the short form axis labels use.
    pub fn intl_options(&self, value: f64, compact: bool) -> IntlNumber {
        let fixed = |d: u8| (d, d);
        let (value, style, digits, suffix) = match &self.kind {
            NumberKind::Number if compact => (value, IntlStyle::Compact, (0, 1), None),
            NumberKind::Number => (
                value,
                IntlStyle::Decimal,
                fixed(self.decimals.unwrap_or(auto_decimals(value))),
                None,
            ),
            NumberKind::Percent => {
                let ratio = if value.abs() <= 1.5 {
                    value
                } else {
                    value / 100.0
                };
                (
                    ratio,
                    IntlStyle::Percent,
                    fixed(self.decimals.unwrap_or(1)),
                    None,
                )
            }
            NumberKind::Millis if value.abs() >= 10_000.0 => (
                value / 1000.0,
                IntlStyle::Decimal,
                fixed(self.decimals.unwrap_or(1)),
                Some("s".to_owned()),
            ),
            NumberKind::Millis => (
                value,
                IntlStyle::Decimal,
                fixed(self.decimals.unwrap_or(0)),
                Some("ms".to_owned()),
            ),
            NumberKind::Currency(code) => {
                let digits = fixed(self.decimals.unwrap_or(2));
                match currency_code(code) {
                    Some(iso) => (value, IntlStyle::Currency(iso), digits, None),
                    None => (value, IntlStyle::Decimal, digits, Some(code.clone())),
                }
            }
            NumberKind::Compact => (value, IntlStyle::Compact, (0, 1), None),
        };
        let suffix = match (&self.kind, &self.unit) {
            (NumberKind::Number | NumberKind::Compact, Some(unit)) => Some(unit.clone()),
            _ => suffix,
        };
        IntlNumber {
            value,
            style,
            min_fraction: digits.0,
            max_fraction: digits.1,
            max_significant: None,
            suffix,
        }
    }

    /// Formats `value` as text.
    pub fn format(&self, value: f64) -> String {
        if !value.is_finite() {
            return "–".into();
        }
        #[cfg(target_arch = "wasm32")]
        if let Some(text) = intl::number(&self.intl_options(value, false)) {
            return text;
        }
        let body = match &self.kind {
            NumberKind::Number => group(value, self.decimals.unwrap_or(auto_decimals(value))),
            NumberKind::Percent => {
                let percent = if value.abs() <= 1.5 {
                    value * 100.0
                } else {
                    value
                };
                format!("{}%", group(percent, self.decimals.unwrap_or(1)))
            }
            NumberKind::Millis if value.abs() >= 10_000.0 => {
                format!("{} s", group(value / 1000.0, self.decimals.unwrap_or(1)))
            }
            NumberKind::Millis => format!("{} ms", group(value, self.decimals.unwrap_or(0))),
            NumberKind::Currency(code) => {
                let amount = group(value.abs(), self.decimals.unwrap_or(2));
                let sign = if value < 0.0 { "-" } else { "" };
                match currency_symbol(code) {
                    Some(symbol) => format!("{sign}{symbol}{amount}"),
                    None => format!("{sign}{amount} {code}"),
                }
            }
            NumberKind::Compact => compact(value),
        };
        match &self.unit {
            Some(unit) => format!("{body} {unit}"),
            None => body,
        }
    }

    /// A short form for axis ticks: compact for large plain numbers, else [`Self::format`] —
    /// with as many decimals as the tick needs (unless `decimals` is fixed), so ticks that differ
    /// read differently: a narrow axis shows `0.812`, `0.815`, `0.818`, never `0.81`, `0.82`,
    /// `0.82`. ECharts places ticks on "nice" steps, so a tick's shortest exact decimal form is
    /// the axis interval's precision.
    pub fn format_axis(&self, value: f64) -> String {
        if !value.is_finite() {
            return "–".into();
        }
        if matches!(self.kind, NumberKind::Number | NumberKind::Compact) && value.abs() >= 10_000.0
        {
            let decimals = self
                .decimals
                .unwrap_or_else(|| tick_decimals(value / 1000f64.powi(thousands(value))).min(3));
            #[cfg(target_arch = "wasm32")]
            {
                let mut options = self.intl_options(value, true);
                options.min_fraction = 0;
                options.max_fraction = decimals;
                if self.decimals.is_none() {
                    options.max_significant = Some(significant_digits(value));
                }
                if let Some(text) = intl::number(&options) {
                    return text;
                }
            }
            let body = compact_with(value, decimals);
            return match &self.unit {
                Some(unit) => format!("{body} {unit}"),
                None => body,
            };
        }
        let tick = match self.kind {
            NumberKind::Number => Some(tick_decimals(value)),
            NumberKind::Percent if value.abs() <= 1.5 => Some(tick_decimals(value * 100.0)),
            NumberKind::Percent => Some(tick_decimals(value)),
            NumberKind::Millis if value.abs() < 10_000.0 => Some(tick_decimals(value)),
            _ => None,
        };
        match (self.decimals, tick) {
            (None, Some(decimals)) => NumberFormat {
                decimals: Some(decimals),
                ..self.clone()
            }
            .format(value),
            _ => self.format(value),
        }
    }
}

/// The fewest decimals (at most [`MAX_TICK_DECIMALS`]) that write `value` exactly, ignoring
/// floating-point noise (`0.815` is stored as `0.81499999…`).
pub fn tick_decimals(value: f64) -> u8 {
    let mut scaled = value.abs();
    for decimals in 0..MAX_TICK_DECIMALS {
        if (scaled - scaled.round()).abs() <= 1e-9 * scaled.max(1.0) {
            return decimals;
        }
        scaled *= 10.0;
    }
    MAX_TICK_DECIMALS
}

/// The significant digits `value` is written with (`12,000` → 2, `10,250` → 4), at least 2 and
/// at most 6.
pub fn significant_digits(value: f64) -> u8 {
    let magnitude = value.abs();
    if magnitude == 0.0 || !magnitude.is_finite() {
        return 2;
    }
    let integer_digits = magnitude.log10().floor() as i32 + 1;
    let scaled = magnitude / 10f64.powi(integer_digits);
    tick_decimals(scaled).clamp(2, MAX_TICK_DECIMALS)
}

/// The most decimals an axis tick is given.
pub const MAX_TICK_DECIMALS: u8 = 6;

/// How `Intl.NumberFormat` is asked to show a number (its `style`, or compact notation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntlStyle {
    Decimal,
    Percent,
    /// With an ISO 4217 code.
    Currency(String),
    /// `notation: "compact"` (`12K`, `1,3 Mio.`).
    Compact,
}

/// The options chosen for one number: `value` goes to `Intl.NumberFormat` with `style` and
/// the fraction digits; `suffix` (a unit) follows after a space.
#[derive(Debug, Clone, PartialEq)]
pub struct IntlNumber {
    pub value: f64,
    pub style: IntlStyle,
    pub min_fraction: u8,
    pub max_fraction: u8,
    /// `maximumSignificantDigits`, which then wins over the fraction digits: axis ticks in
    /// compact form, where the locale decides the scale (`12K` in English, `1.2万` in Japanese),
    /// keep the digits the tick has whatever that scale is.
    pub max_significant: Option<u8>,
    pub suffix: Option<String>,
}

/// The ISO 4217 code for a currency option (`$` → `USD`); `None` when it is not one.
pub fn currency_code(code: &str) -> Option<String> {
    let iso = match code {
        "$" => "USD",
        "€" => "EUR",
        "£" => "GBP",
        "¥" => "JPY",
        "₹" => "INR",
        other => other,
    };
    (iso.len() == 3 && iso.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| iso.to_ascii_uppercase())
}

fn currency_symbol(code: &str) -> Option<&'static str> {
    match code {
        "USD" | "$" => Some("$"),
        "EUR" | "€" => Some("€"),
        "GBP" | "£" => Some("£"),
        "JPY" | "¥" => Some("¥"),
        _ => None,
    }
}

fn auto_decimals(value: f64) -> u8 {
    let magnitude = value.abs();
    if magnitude == magnitude.trunc() || magnitude >= 100.0 {
        0
    } else if magnitude >= 1.0 {
        1
    } else {
        2
    }
}

/// The characters between digit groups and before the decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Separators {
    /// Between thousands (`,` in en, `.` in de, a narrow no-break space in fr).
    pub group: char,
    /// Before the fraction (`.` in en, `,` in de and fr).
    pub decimal: char,
}

impl Separators {
    /// English: `1,234.5`. The native default.
    pub const EN: Self = Self {
        group: ',',
        decimal: '.',
    };

    /// From the `group` and `decimal` parts a locale's number format produced (missing or
    /// multi-character parts fall back to English).
    pub fn from_parts(group: Option<&str>, decimal: Option<&str>) -> Self {
        let single = |part: Option<&str>| {
            let mut chars = part?.chars();
            let first = chars.next()?;
            chars.next().is_none().then_some(first)
        };
        Self {
            group: single(group).unwrap_or(Self::EN.group),
            decimal: single(decimal).unwrap_or(Self::EN.decimal),
        }
    }
}

thread_local! {
    static SEPARATORS: std::cell::Cell<Option<Separators>> = const { std::cell::Cell::new(None) };
}

/// Sets up the browser's `Intl` soon, in four short tasks of its own (once per page): the first
/// `Intl` formatter a page builds loads the browser's locale data, 80–150 ms on a throttled phone
/// (BENCHMARKS.md, "Mobile profile"), which otherwise lands in the task that first shows a
/// number or a time — a dashboard's data task, already the longest of its load. Call it where a
/// load begins, so it runs while the network works; the formatters it builds are cached for
/// the active locale like any other (a later locale change drops them as usual).
pub fn warm_up_soon() {
    #[cfg(target_arch = "wasm32")]
    intl::warm_up_soon();
}

/// Drops cached separators and `Intl` formatters (the locale or time zone changed).
pub fn clear_caches() {
    SEPARATORS.with(|cell| cell.set(None));
    #[cfg(target_arch = "wasm32")]
    intl::clear();
}

/// The separators numbers are shown with: set by [`set_separators`], else the viewer's locale
/// (`Intl.NumberFormat` in the browser, read once), else English.
pub fn separators() -> Separators {
    SEPARATORS.with(|cell| {
        cell.get().unwrap_or_else(|| {
            let found = locale_separators();
            cell.set(Some(found));
            found
        })
    })
}

/// Overrides the separators (e.g. for a locale chosen by the host page); `None` goes back to
/// the viewer's locale.
pub fn set_separators(separators: Option<Separators>) {
    SEPARATORS.with(|cell| cell.set(separators));
}

#[cfg(target_arch = "wasm32")]
fn locale_separators() -> Separators {
    use wasm_bindgen::JsCast;
    let format = js_sys::Intl::NumberFormat::new(&intl::locales(), &js_sys::Object::new());
    let parts = format.format_to_parts(12_345.6);
    let part = |kind: &str| {
        parts.iter().find_map(|part| {
            let part = part.dyn_into::<js_sys::Object>().ok()?;
            let get = |key: &str| js_sys::Reflect::get(&part, &key.into()).ok()?.as_string();
            (get("type")?.as_str() == kind)
                .then(|| get("value"))
                .flatten()
        })
    };
    Separators::from_parts(part("group").as_deref(), part("decimal").as_deref())
}

#[cfg(not(target_arch = "wasm32"))]
fn locale_separators() -> Separators {
    Separators::EN
}

/// `value` with `decimals` digits, grouped in thousands with the viewer's separators
/// (see [`separators`]).
pub fn group(value: f64, decimals: u8) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::number(&IntlNumber {
        value,
        style: IntlStyle::Decimal,
        min_fraction: decimals,
        max_fraction: decimals,
        max_significant: None,
        suffix: None,
    }) {
        return text;
    }
    group_with(value, decimals, separators())
}

/// `value` with `decimals` digits and the given separators.
pub fn group_with(value: f64, decimals: u8, separators: Separators) -> String {
    let fixed = format!("{:.*}", usize::from(decimals), value.abs());
    let (int_part, frac_part) = match fixed.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (fixed.as_str(), None),
    };
    let mut grouped = String::with_capacity(int_part.len() + int_part.len() / 3 + 4);
    for (i, digit) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(separators.group);
        }
        grouped.push(digit);
    }
    if let Some(frac) = frac_part {
        grouped.push(separators.decimal);
        grouped.push_str(frac);
    }
    let is_zero = fixed.chars().all(|c| c == '0' || c == '.');
    if value < 0.0 && !is_zero {
        grouped.insert(0, '-');
    }
    grouped
}

/// `12.3k`, `4.5M`, `1.2B`.
pub fn compact(value: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = intl::number(&NumberFormat::default().intl_options(value, true)) {
        return text;
    }
    compact_with(value, 1)
}

/// How many thousands `value` is scaled by in its compact form (`k` 1, `M` 2, `B` 3).
fn thousands(value: f64) -> i32 {
    let magnitude = value.abs();
    if magnitude >= 1e9 {
        3
    } else if magnitude >= 1e6 {
        2
    } else if magnitude >= 1e3 {
        1
    } else {
        0
    }
}

/// [`compact`] with up to `decimals` after the scaled number (axis ticks 10,250 and 10,500
/// read `10.25k` and `10.5k`); trailing zeros are dropped.
fn compact_with(value: f64, decimals: u8) -> String {
    let magnitude = value.abs();
    let (scaled, suffix) = if magnitude >= 1e9 {
        (value / 1e9, "B")
    } else if magnitude >= 1e6 {
        (value / 1e6, "M")
    } else if magnitude >= 1e3 {
        (value / 1e3, "k")
    } else {
        return group(value, auto_decimals(value));
    };
    let text = format!("{scaled:.prec$}", prec = usize::from(decimals));
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    let decimal = separators().decimal;
    if decimal == '.' {
        format!("{text}{suffix}")
    } else {
        format!("{}{suffix}", text.replace('.', &decimal.to_string()))
    }
}

/// How much of a timestamp to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeStyle {
    /// Hours and minutes (axes spanning up to two days).
    Time,
    /// Month and day (longer axes).
    Date,
    /// Month and year (axes with ticks a month or more apart).
    Month,
    /// Date and time (tooltips, table cells).
    DateTime,
}

impl TimeStyle {
    /// The style for axis labels of data spanning `span_ms`.
    pub fn for_span(span_ms: f64) -> Self {
        if span_ms <= 2.0 * 86_400_000.0 {
            TimeStyle::Time
        } else {
            TimeStyle::Date
        }
    }
}

/// Formats epoch milliseconds in the active locale and time zone ([`crate::locale`]).
#[cfg(target_arch = "wasm32")]
pub fn format_time(ms: f64, style: TimeStyle) -> String {
    intl::time(ms, style).unwrap_or_default()
}

/// Formats epoch milliseconds (native fallback: ISO 8601 in UTC).
#[cfg(not(target_arch = "wasm32"))]
pub fn format_time(ms: f64, style: TimeStyle) -> String {
    let secs = (ms / 1000.0).floor() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm) = (rem / 3600, (rem % 3600) / 60);
    match style {
        TimeStyle::Time => format!("{hh:02}:{mm:02}"),
        TimeStyle::Date => format!("{y:04}-{m:02}-{d:02}"),
        TimeStyle::DateTime => format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}"),
        TimeStyle::Month => format!("{y:04}-{m:02}"),
    }
}

/// The active time zone's offset from UTC at epoch `ms`, in milliseconds (east positive): the
/// zone set by [`crate::locale`], else the browser's own (also when `Intl` refuses the zone).
#[cfg(target_arch = "wasm32")]
pub fn zone_offset(ms: f64) -> f64 {
    intl::zone_offset(ms)
        .unwrap_or_else(|| -js_sys::Date::new(&ms.into()).get_timezone_offset() * 60_000.0)
}

/// The active time zone's offset from UTC (native: 0, as [`format_time`] shows UTC).
#[cfg(not(target_arch = "wasm32"))]
pub fn zone_offset(_ms: f64) -> f64 {
    0.0
}

/// (year, month, day) of the proleptic Gregorian calendar to days since 1970-01-01, Howard
/// Hinnant's algorithm (also the app's CSV import's dates).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn civil_dates_and_day_numbers_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 12, 1), 20_788);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        for day in [-800_000, -1, 0, 59, 60, 11_016, 20_788, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day, "{y}-{m}-{d}");
        }
        assert_eq!(
            civil_from_days(days_from_civil(2024, 2, 29) + 1),
            (2024, 3, 1)
        );
    }

    #[test]
    fn groups_thousands_and_keeps_sign() {
        assert_eq!(group(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(group(-1234.0, 0), "-1,234");
        assert_eq!(group(999.0, 0), "999");
        assert_eq!(group(-0.0001, 2), "0.00");
    }

    #[test]
    fn formats_from_widget_options() {
        let f = |o| NumberFormat::from_options(&o);
        assert_eq!(f(json!({})).format(12345.0), "12,345");
        assert_eq!(f(json!({})).format(12.34), "12.3");
        assert_eq!(f(json!({"format": "percent"})).format(0.256), "25.6%");
        assert_eq!(f(json!({"unit": "%"})).format(97.5), "97.5%");
        assert_eq!(f(json!({"format": "ms"})).format(850.4), "850 ms");
        assert_eq!(f(json!({"unit": "ms"})).format(12_500.0), "12.5 s");
        assert_eq!(
            f(json!({"format": "currency", "currency": "EUR"})).format(-1234.5),
            "-€1,234.50"
        );
        assert_eq!(
            f(json!({"format": "currency", "currency": "CHF"})).format(10.0),
            "10.00 CHF"
        );
        assert_eq!(
            f(json!({"unit": "req/s", "decimals": 1})).format(1200.0),
            "1,200.0 req/s"
        );
        assert_eq!(f(json!({"format": "compact"})).format(1_260_000.0), "1.3M");
        assert_eq!(f(json!({})).format(f64::NAN), "–");
    }

    #[test]
    fn thousands_and_decimals_follow_the_viewers_locale() {
        let de = Separators::from_parts(Some("."), Some(","));
        assert_eq!(group_with(1_234_567.891, 2, de), "1.234.567,89");
        let fr = Separators::from_parts(Some("\u{202f}"), Some(","));
        assert_eq!(group_with(-12_345.5, 1, fr), "-12\u{202f}345,5");
        assert_eq!(
            Separators::from_parts(None, Some("dot")),
            Separators::EN,
            "unusable parts fall back to English"
        );

        // Every formatter uses the viewer's separators (this test thread's override).
        set_separators(Some(de));
        let f = |o| NumberFormat::from_options(&o);
        assert_eq!(f(json!({})).format(12_345.0), "12.345");
        assert_eq!(f(json!({"format": "percent"})).format(0.256), "25,6%");
        assert_eq!(f(json!({"format": "ms"})).format(1234.0), "1.234 ms");
        assert_eq!(
            f(json!({"format": "currency", "currency": "EUR"})).format(1234.5),
            "€1.234,50"
        );
        assert_eq!(f(json!({"format": "compact"})).format(1_260_000.0), "1,3M");
        set_separators(None);
        assert_eq!(
            f(json!({})).format(12_345.0),
            "12,345",
            "natively the viewer is en"
        );
    }

    #[test]
    fn intl_options_follow_the_widget_format() {
        let f = |o| NumberFormat::from_options(&o);
        let plain = f(json!({})).intl_options(1_234_567.0, false);
        assert_eq!(
            (plain.style, plain.min_fraction, plain.max_fraction),
            (IntlStyle::Decimal, 0, 0)
        );
        let euro = f(json!({"format": "currency", "currency": "€"})).intl_options(1234.5, false);
        assert_eq!(euro.style, IntlStyle::Currency("EUR".into()));
        assert_eq!(
            (euro.min_fraction, euro.max_fraction, euro.suffix),
            (2, 2, None)
        );
        let odd = f(json!({"format": "currency", "currency": "points"})).intl_options(3.0, false);
        assert_eq!(
            (odd.style, odd.suffix.as_deref()),
            (IntlStyle::Decimal, Some("points")),
            "a unit Intl does not know as a currency follows the number"
        );
        let pct = f(json!({"unit": "%"})).intl_options(97.5, false);
        assert_eq!((pct.style, pct.value), (IntlStyle::Percent, 0.975));
        let ratio = f(json!({"format": "percent", "decimals": 0})).intl_options(0.25, false);
        assert_eq!((ratio.value, ratio.max_fraction), (0.25, 0));
        let slow = f(json!({"format": "ms"})).intl_options(12_500.0, false);
        assert_eq!((slow.value, slow.suffix.as_deref()), (12.5, Some("s")));
        let axis = f(json!({"unit": "req/s"})).intl_options(25_000.0, true);
        assert_eq!(
            (axis.style, axis.max_fraction, axis.suffix.as_deref()),
            (IntlStyle::Compact, 1, Some("req/s"))
        );
        assert_eq!(currency_code("usd").as_deref(), Some("USD"));
        assert_eq!(currency_code("₹").as_deref(), Some("INR"));
    }

    #[test]
    fn axis_labels_are_compact_for_large_numbers() {
        let f = NumberFormat::default();
        assert_eq!(f.format_axis(25_000.0), "25k");
        assert_eq!(f.format_axis(10_250.0), "10.25k");
        assert_eq!(f.format_axis(1_500_000.0), "1.5M");
        assert_eq!(f.format_axis(250.0), "250");
        assert_eq!(compact(1_000.0), "1k");
    }

    #[test]
    fn native_time_fallback_is_iso_utc() {
        assert_eq!(
            format_time(1_700_000_000_000.0, TimeStyle::DateTime),
            "2023-11-14 22:13"
        );
        assert_eq!(format_time(0.0, TimeStyle::Date), "1970-01-01");
        assert_eq!(TimeStyle::for_span(3_600_000.0), TimeStyle::Time);
        assert_eq!(TimeStyle::for_span(7.0 * 86_400_000.0), TimeStyle::Date);
    }

    #[test]
    fn axis_ticks_keep_the_interval_precision() {
        let f = NumberFormat::default();
        let ticks: Vec<String> = [0.812, 0.815, 0.818, 0.821]
            .iter()
            .map(|v| f.format_axis(*v))
            .collect();
        assert_eq!(ticks, ["0.812", "0.815", "0.818", "0.821"]);
        assert_eq!(f.format_axis(0.5), "0.5");
        assert_eq!(f.format_axis(2.0), "2");
        assert_eq!(f.format_axis(1_200.0), "1,200");
        assert_eq!(f.format_axis(-0.25), "-0.25");
        let percent = NumberFormat::from_options(&serde_json::json!({ "format": "percent" }));
        assert_eq!(percent.format_axis(0.125), "12.5%");
        assert_eq!(percent.format_axis(0.2), "20%");
        let ms = NumberFormat::from_options(&serde_json::json!({ "unit": "ms" }));
        assert_eq!(ms.format_axis(812.5), "812.5 ms");
        let fixed = NumberFormat::from_options(&serde_json::json!({ "decimals": 1 }));
        assert_eq!(fixed.format_axis(0.815), "0.8");
        assert_eq!(tick_decimals(0.1 + 0.2), 1);
        assert_eq!(significant_digits(12_000.0), 2);
        assert_eq!(significant_digits(10_250.0), 4);
        assert_eq!(significant_digits(1_300_000.0), 2);
        assert_eq!(significant_digits(100_000.0), 2);
        assert_eq!(tick_decimals(1.0 / 3.0), MAX_TICK_DECIMALS);
    }
}

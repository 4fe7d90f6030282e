//! `Intl` formatters for the active locale ([`crate::locale`]), built once per set of options
//! and dropped when the locale changes. Built with `Reflect::construct`, so a locale, currency
//! or time zone `Intl` refuses (a `RangeError`) falls back instead of throwing into wasm.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::{IntlNumber, IntlStyle, TimeStyle};

type Cache<T> = RefCell<HashMap<String, Option<T>>>;

thread_local! {
    static NUMBERS: Cache<js_sys::Intl::NumberFormat> = RefCell::new(HashMap::new());
    static TIMES: Cache<js_sys::Intl::DateTimeFormat> = RefCell::new(HashMap::new());
}

thread_local! {
    /// `en-US` digits of the active zone's wall clock, for [`zone_offset`].
    static ZONE_CLOCK: RefCell<Option<Option<js_sys::Intl::DateTimeFormat>>> = const { RefCell::new(None) };
}

thread_local! {
    static WARM_UP_SCHEDULED: Cell<bool> = const { Cell::new(false) };
}

/// Builds the formatters widgets use first (numbers, table times, axis times) for the active
/// locale, once per page ([`super::warm_up_soon`]), in four tasks queued at once: the locale's
/// likely subtags (`Intl.Locale.prototype.maximize`), the number formatter, then each time
/// formatter. In one task this was one long task (105–160 ms at a 4× CPU slowdown); measured
/// in a blank page at 4×, the locale step takes 15–50 ms, the first formatter after it 40–100
/// and each one after that 1–30. All four are queued now, not each from the one before: views
/// deferred meanwhile (a page mounting its cards) queue tasks too, and a step queued behind
/// them would let the first card showing a number pay for the locale data after all.
pub(super) fn warm_up_soon() {
    if WARM_UP_SCHEDULED.with(|s| s.replace(true)) {
        return;
    }
    crate::echarts::pace::next_task(maximize_locale);
    crate::echarts::pace::next_task(|| {
        let _ = super::NumberFormat::from_options(&serde_json::Value::Null).format(1234.5);
    });
    crate::echarts::pace::next_task(|| {
        let _ = time(0.0, TimeStyle::DateTime);
    });
    crate::echarts::pace::next_task(|| {
        let _ = time(0.0, TimeStyle::Time);
    });
}

/// Loads the locale's likely-subtags data (the first part of what a page's first `Intl`
/// formatter loads) for the active tag, or the browser's own language.
fn maximize_locale() {
    let tag = crate::locale::active()
        .tag
        .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
        .unwrap_or_else(|| "en".into());
    // A tag `Intl.Locale` refuses (or no `Intl.Locale`) is an error here, not a throw into wasm.
    if let Ok(locale) = js_sys::Intl::Locale::new(&tag) {
        let _ = locale.maximize();
    }
}

/// Drops every cached formatter.
pub(super) fn clear() {
    NUMBERS.with(|c| c.borrow_mut().clear());
    TIMES.with(|c| c.borrow_mut().clear());
    ZONE_CLOCK.with(|c| c.borrow_mut().take());
}

/// The active zone's offset from UTC at epoch `ms` (milliseconds, east positive), read from
/// its wall clock: `Intl` formats the instant in the zone as `en-US` digits (month, day, year,
/// hours, minutes, seconds), and their distance from the instant is the offset. `None` when no
/// zone is set or `Intl` refuses it.
pub(super) fn zone_offset(ms: f64) -> Option<f64> {
    let zone = crate::locale::active().time_zone?;
    ZONE_CLOCK.with(|cache| {
        let mut cache = cache.borrow_mut();
        let clock = cache
            .get_or_insert_with(|| {
                let options = Object::new();
                set(&options, "timeZone", zone.into());
                set(&options, "hourCycle", "h23".into());
                for key in ["year", "month", "day", "hour", "minute", "second"] {
                    set(&options, key, "numeric".into());
                }
                let args = Array::of2(&"en-US".into(), &options);
                Reflect::construct(&intl("DateTimeFormat")?, &args)
                    .ok()?
                    .dyn_into()
                    .ok()
            })
            .as_ref()?;
        let text = clock
            .format()
            .call1(&JsValue::UNDEFINED, &js_sys::Date::new(&ms.into()))
            .ok()?
            .as_string()?;
        // The six numbers, digit by digit (no `str::parse` and its error type in the wasm).
        let (mut n, mut count, mut in_number) = ([0i64; 6], 0, false);
        for byte in text.bytes() {
            if !byte.is_ascii_digit() {
                in_number = false;
                continue;
            }
            if !in_number {
                in_number = true;
                count += 1;
            }
            let slot = n.get_mut(count - 1)?;
            *slot = *slot * 10 + i64::from(byte - b'0');
        }
        let [month, day, year, hour, minute, second] = n;
        if count != 6 {
            return None;
        }
        let days = super::days_from_civil(year, month as u32, day as u32);
        let wall = ((days * 24 + hour) * 60 + minute) * 60 + second;
        Some(wall as f64 * 1000.0 - (ms / 1000.0).floor() * 1000.0)
    })
}

fn intl(name: &str) -> Option<Function> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    Reflect::get(&intl, &name.into()).ok()?.dyn_into().ok()
}

/// The locale list for `Intl`: the active tag when `Intl` accepts it, else `[]` (the
/// browser's own locale).
pub(super) fn locales() -> Array {
    let Some(tag) = crate::locale::active().tag else {
        return Array::new();
    };
    let canonical = Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|intl| Reflect::get(&intl, &"getCanonicalLocales".into()))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call1(&JsValue::UNDEFINED, &tag.into()).ok());
    canonical.map_or_else(Array::new, |list| list.unchecked_into())
}

fn construct<T: JsCast>(name: &str, options: &Object) -> Option<T> {
    let args = Array::of2(&locales(), options);
    Reflect::construct(&intl(name)?, &args)
        .ok()?
        .dyn_into()
        .ok()
}

fn set(options: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(options, &key.into(), &value);
}

fn number_format(o: &IntlNumber) -> Option<js_sys::Intl::NumberFormat> {
    let options = Object::new();
    match &o.style {
        IntlStyle::Decimal => set(&options, "style", "decimal".into()),
        IntlStyle::Percent => set(&options, "style", "percent".into()),
        IntlStyle::Currency(code) => {
            set(&options, "style", "currency".into());
            set(&options, "currency", code.as_str().into());
        }
        IntlStyle::Compact => {
            set(&options, "notation", "compact".into());
            set(&options, "compactDisplay", "short".into());
        }
    }
    set(&options, "minimumFractionDigits", o.min_fraction.into());
    set(&options, "maximumFractionDigits", o.max_fraction.into());
    if let Some(digits) = o.max_significant {
        set(&options, "minimumSignificantDigits", 1.into());
        set(&options, "maximumSignificantDigits", digits.into());
    }
    construct("NumberFormat", &options)
}

/// `o.value` formatted by `Intl.NumberFormat` (then the suffix); `None` when `Intl` refused
/// the options.
pub(super) fn number(o: &IntlNumber) -> Option<String> {
    let key = format!(
        "{:?}|{}|{}|{:?}",
        o.style, o.min_fraction, o.max_fraction, o.max_significant
    );
    let text = NUMBERS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let format = cache
            .entry(key)
            .or_insert_with(|| number_format(o))
            .as_ref()?;
        format
            .format()
            .call1(&JsValue::UNDEFINED, &o.value.into())
            .ok()?
            .as_string()
    })?;
    Some(match &o.suffix {
        Some(suffix) => format!("{text} {suffix}"),
        None => text,
    })
}

fn time_format(style: TimeStyle) -> Option<js_sys::Intl::DateTimeFormat> {
    let options = Object::new();
    let pairs: &[(&str, &str)] = match style {
        TimeStyle::Time => &[("hour", "2-digit"), ("minute", "2-digit")],
        TimeStyle::Date => &[("month", "short"), ("day", "numeric")],
        TimeStyle::DateTime => &[("dateStyle", "medium"), ("timeStyle", "short")],
        TimeStyle::Month => &[("month", "short"), ("year", "numeric")],
    };
    for (key, value) in pairs {
        set(&options, key, (*value).into());
    }
    if let Some(zone) = crate::locale::active().time_zone {
        set(&options, "timeZone", zone.into());
    }
    construct("DateTimeFormat", &options)
}

/// Epoch `ms` formatted by `Intl.DateTimeFormat` in the active locale and time zone.
pub(super) fn time(ms: f64, style: TimeStyle) -> Option<String> {
    TIMES.with(|cache| {
        let mut cache = cache.borrow_mut();
        let format = cache
            .entry(format!("{style:?}"))
            .or_insert_with(|| time_format(style))
            .as_ref()?;
        format
            .format()
            .call1(&JsValue::UNDEFINED, &js_sys::Date::new(&ms.into()))
            .ok()?
            .as_string()
    })
}

//! Data tables: sortable typed columns, pagination that stays fast at 100,000 rows, a sticky
//! header and keyboard navigation. Cells are text nodes, never HTML.
//!
//! Sorting reorders an index (`Vec<u32>`), never the data; only the visible page is rendered.
//! Keys (when the table has focus): ↑/↓ move the active row, PageUp/PageDown change page,
//! Home/End jump to the first/last page.

use std::cmp::Ordering;
use std::sync::Arc;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use serde_json::Value;
use vantage_contract::{ColumnType, QueryResult, SortDir};

use crate::format::{format_time, NumberFormat, TimeStyle};
use crate::messages::{t, tf, Msg};

/// Rows per page unless `page_size` is given.
pub const DEFAULT_PAGE_SIZE: usize = 50;

/// Row indexes of `result` ordered by `sort` (stable; nulls last in both directions).
pub fn sorted_rows(result: &QueryResult, sort: Option<(usize, SortDir)>) -> Vec<u32> {
    let rows = result.row_count();
    let mut order: Vec<u32> = (0..rows as u32).collect();
    let Some((column, dir)) = sort else {
        return order;
    };
    let Some(values) = result.data.get(column) else {
        return order;
    };
    let flip = |o: Ordering| if dir == SortDir::Desc { o.reverse() } else { o };
    if result.columns[column].column_type.is_numeric() {
        // Indexed by row even when a malformed result has a short column.
        let keys: Vec<Option<f64>> = (0..rows)
            .map(|r| values.get(r).and_then(Value::as_f64))
            .collect();
        crate::sort::sort_positions_by(&mut order, |a, b| {
            match (keys[a as usize], keys[b as usize]) {
                (Some(x), Some(y)) => flip(x.total_cmp(&y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        });
    } else {
        let keys: Vec<Option<String>> = (0..rows)
            .map(|r| {
                values
                    .get(r)
                    .filter(|v| !v.is_null())
                    .map(|v| vantage_contract::result::value_text(v).to_lowercase())
            })
            .collect();
        crate::sort::sort_positions_by(&mut order, |a, b| {
            match (&keys[a as usize], &keys[b as usize]) {
                (Some(x), Some(y)) => flip(x.cmp(y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        });
    }
    order
}

/// The text of one cell: numbers grouped (with `options.columns.<name>` number options when
/// given), timestamps in the viewer's locale, `""` for null.
pub fn cell_text(
    result: &QueryResult,
    column: usize,
    row: usize,
    formats: &[NumberFormat],
) -> String {
    let Some(value) = result.data.get(column).and_then(|c| c.get(row)) else {
        return String::new();
    };
    if value.is_null() {
        return String::new();
    }
    match (result.columns[column].column_type, value.as_f64()) {
        (ColumnType::Timestamp, Some(ms)) => format_time(ms, TimeStyle::DateTime),
        (ColumnType::Integer | ColumnType::Float, Some(n)) => formats
            .get(column)
            .map_or_else(|| n.to_string(), |f| f.format(n)),
        _ => vantage_contract::result::value_text(value),
    }
}

/// Per-column number formats from `options.columns.<name>` (falling back to `options`).
pub fn column_formats(result: &QueryResult, options: &Value) -> Vec<NumberFormat> {
    result
        .columns
        .iter()
        .map(|c| {
            let own = options.get("columns").and_then(|cs| cs.get(&c.name));
            NumberFormat::from_options(own.unwrap_or(options))
        })
        .collect()
}

/// `(start, end)` row positions of page `page` (clamped to the last page).
pub fn page_bounds(total: usize, page: usize, size: usize) -> (usize, usize) {
    let size = size.max(1);
    let last_page = total.saturating_sub(1) / size;
    let start = page.min(last_page) * size;
    (start, (start + size).min(total))
}

fn next_sort(current: Option<(usize, SortDir)>, column: usize) -> Option<(usize, SortDir)> {
    match current {
        Some((c, SortDir::Asc)) if c == column => Some((column, SortDir::Desc)),
        Some((c, SortDir::Desc)) if c == column => None,
        _ => Some((column, SortDir::Asc)),
    }
}

/// A sortable, paginated table of a query result.
#[component]
pub fn DataTable(
    /// The data.
    #[prop(into)]
    result: Signal<Arc<QueryResult>>,
    /// Widget options (`columns.<name>` number formats, `pageSize`).
    #[prop(optional)]
    options: Value,
    /// Accessible name of the table.
    #[prop(into, optional)]
    label: MaybeProp<String>,
    /// Called with the row (its index in `result`) when a row is clicked or Enter is pressed
    /// on the active row; rows look clickable then.
    #[prop(optional)]
    on_row_click: Option<Callback<usize>>,
) -> impl IntoView {
    let page_size = options
        .get("pageSize")
        .and_then(Value::as_u64)
        .map_or(DEFAULT_PAGE_SIZE, |n| n.clamp(1, 1000) as usize);
    let (sort, set_sort) = signal(None::<(usize, SortDir)>);
    let (page, set_page) = signal(0_usize);
    let (active, set_active) = signal(0_usize);
    let order = Memo::new(move |_| Arc::new(result.with(|r| sorted_rows(r, sort.get()))));
    let formats = Memo::new(move |_| result.with(|r| column_formats(r, &options)));
    let total = Memo::new(move |_| result.with(|r| r.row_count()));
    let last_page = move || total.get().saturating_sub(1) / page_size;
    let go = move |p: usize| {
        set_page.set(p.min(last_page()));
        set_active.set(0);
    };

    let on_key = move |ev: KeyboardEvent| {
        let (start, end) = page_bounds(total.get(), page.get(), page_size);
        let rows = end - start;
        match ev.key().as_str() {
            "ArrowDown" => set_active.update(|a| *a = (*a + 1).min(rows.saturating_sub(1))),
            "ArrowUp" => set_active.update(|a| *a = a.saturating_sub(1)),
            "PageDown" => go(page.get() + 1),
            "PageUp" => go(page.get().saturating_sub(1)),
            "Home" => go(0),
            "End" => go(last_page()),
            "Enter" => {
                let Some(callback) = on_row_click else { return };
                let row = order.with(|o| o.get(start + active.get()).copied());
                if let Some(row) = row {
                    callback.run(row as usize);
                }
            }
            _ => return,
        }
        ev.prevent_default();
    };

    let header = move || {
        result.with(|r| {
            r.columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let numeric =
                        c.column_type.is_numeric() && c.column_type != ColumnType::Timestamp;
                    let aria = move || match sort.get() {
                        Some((col, SortDir::Asc)) if col == i => "ascending",
                        Some((col, SortDir::Desc)) if col == i => "descending",
                        _ => "none",
                    };
                    let indicator = move || match sort.get() {
                        Some((col, SortDir::Asc)) if col == i => " ▲",
                        Some((col, SortDir::Desc)) if col == i => " ▼",
                        _ => "",
                    };
                    // The field's label and unit ("Cost (total) (USD)"), not its storage name.
                    let title = c.title();
                    view! {
                        <th scope="col" aria-sort=aria class:vt-num=numeric>
                            <button type="button" class="vt-sort" on:click=move |_| {
                                set_sort.update(|s| *s = next_sort(*s, i));
                                go(0);
                            }>
                                {title}
                                <span aria-hidden="true">{indicator}</span>
                            </button>
                        </th>
                    }
                })
                .collect_view()
        })
    };

    let body = move || {
        let order = order.get();
        let formats = formats.get();
        let (start, end) = page_bounds(total.get(), page.get(), page_size);
        let active_row = active.get();
        result.with(|r| {
            order[start..end]
                .iter()
                .enumerate()
                .map(|(i, &row)| {
                    let cells = (0..r.columns.len())
                        .map(|c| {
                            let numeric = r.columns[c].column_type.is_numeric()
                                && r.columns[c].column_type != ColumnType::Timestamp;
                            view! { <td class:vt-num=numeric>{cell_text(r, c, row as usize, &formats)}</td> }
                        })
                        .collect_view();
                    let on_row = move |_| {
                        set_active.set(i);
                        if let Some(callback) = on_row_click {
                            callback.run(row as usize);
                        }
                    };
                    view! { <tr class:vt-active=i == active_row aria-selected=(i == active_row).to_string() on:click=on_row>{cells}</tr> }
                })
                .collect_view()
        })
    };

    let status = move || {
        let (start, end) = page_bounds(total.get(), page.get(), page_size);
        if total.get() == 0 {
            t(Msg::NoRows).to_owned()
        } else {
            tf(
                Msg::RowsRange,
                &[
                    &crate::format::group((start + 1) as f64, 0),
                    &crate::format::group(end as f64, 0),
                    &crate::format::group(total.get() as f64, 0),
                ],
            )
        }
    };

    let invalid = Memo::new(move |_| result.with(|r| r.validate().err().map(|e| e.to_string())));
    move || {
        if let Some(message) = invalid.get() {
            return view! { <div class="vt-widget-error" role="alert">{tf(Msg::CannotShowData, &[&message])}</div> }
                .into_any();
        }
        view! {
        <div class="vt-table" class:vt-clickable=on_row_click.is_some()>
            <div class="vt-table-scroll" tabindex="0" role="region" aria-label=move || label.get() on:keydown=on_key>
                <table>
                    <thead><tr>{header}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
                {move || (total.get() == 0).then(|| view! { <div class="vt-empty">{t(Msg::NoData)}</div> })}
            </div>
            <div class="vt-table-footer">
                <span class="vt-table-status" aria-live="polite">{status}</span>
                <button type="button" class="vt-button" aria-label=t(Msg::PreviousPage)
                    disabled=move || page.get() == 0
                    on:click=move |_| go(page.get().saturating_sub(1))>"‹"</button>
                <button type="button" class="vt-button" aria-label=t(Msg::NextPage)
                    disabled=move || { page.get() >= last_page() }
                    on:click=move |_| go(page.get() + 1)>"›"</button>
            </div>
        </div>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::Column;

    fn people() -> QueryResult {
        QueryResult::new(
            vec![
                Column::new("name", ColumnType::String),
                Column::new("count", ColumnType::Integer),
            ],
            vec![
                vec![json!("bo"), json!("Al"), json!(null), json!("cy")],
                vec![json!(3), json!(null), json!(1), json!(2000)],
            ],
        )
        .unwrap()
    }

    #[test]
    fn sorts_numbers_numerically_text_case_insensitively_nulls_last() {
        let r = people();
        assert_eq!(sorted_rows(&r, None), vec![0, 1, 2, 3]);
        assert_eq!(sorted_rows(&r, Some((1, SortDir::Asc))), vec![2, 0, 3, 1]);
        assert_eq!(sorted_rows(&r, Some((1, SortDir::Desc))), vec![3, 0, 2, 1]);
        assert_eq!(sorted_rows(&r, Some((0, SortDir::Asc))), vec![1, 0, 3, 2]);
    }

    #[test]
    fn cells_are_formatted_by_type() {
        let r = people();
        let formats = column_formats(&r, &json!({}));
        assert_eq!(cell_text(&r, 1, 3, &formats), "2,000");
        assert_eq!(cell_text(&r, 1, 1, &formats), "");
        assert_eq!(cell_text(&r, 0, 0, &formats), "bo");
    }

    #[test]
    fn sorting_a_ragged_result_does_not_panic() {
        let mut r = people();
        r.data[1].truncate(2);
        assert_eq!(sorted_rows(&r, Some((1, SortDir::Asc))).len(), 4);
    }

    #[test]
    fn pages_clamp_to_the_data() {
        assert_eq!(page_bounds(100_000, 0, 50), (0, 50));
        assert_eq!(page_bounds(100_000, 1999, 50), (99_950, 100_000));
        assert_eq!(page_bounds(120, 99, 50), (100, 120));
        assert_eq!(page_bounds(0, 3, 50), (0, 0));
    }

    #[test]
    fn header_clicks_cycle_asc_desc_none() {
        assert_eq!(next_sort(None, 1), Some((1, SortDir::Asc)));
        assert_eq!(
            next_sort(Some((1, SortDir::Asc)), 1),
            Some((1, SortDir::Desc))
        );
        assert_eq!(next_sort(Some((1, SortDir::Desc)), 1), None);
        assert_eq!(
            next_sort(Some((0, SortDir::Desc)), 1),
            Some((1, SortDir::Asc))
        );
    }
}

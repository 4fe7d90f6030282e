//! The import's IO, kept out of the components: reading the `File` in slices
//! (`Blob.slice` + `arrayBuffer`, [`CHUNK_BYTES`] at a time, yielding to the event loop between
//! slices so the page stays responsive on any file size), and sending rows through the ingest
//! API in batches of [`BATCH_ROWS`] (fewer when the rows are wide).
//!
//! Refused rows, and how a batch with bad rows is handled:
//! - every row is checked in the browser first (types, missing time, field count); a bad row
//!   is refused there with its CSV line and never sent;
//! - the server may still refuse rows the browser cannot judge (a time older than the dataset's
//!   retention or more than a day ahead). It then answers `422` listing them and stores nothing
//!   of that batch; the import drops exactly those rows (refusing them with their CSV line) and
//!   sends the rest of the batch again under a new `Idempotency-Key`, until the server takes it.
//!   So no batch is ever half-stored and every good row is stored once.
//! - a network failure or 5xx resends the same batch with the same `Idempotency-Key` (up to 3
//!   times), so a batch whose answer was lost is not stored twice;
//! - Cancel takes effect between batches: the batch in flight is answered first, so the count of
//!   stored rows is exact.

use leptos::prelude::*;
use serde_json::Value;
use vantage_contract::BatchErrorDetails;
use vantage_sdk::{ApiClient, SdkError};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::columns::{ImportPlan, RowProblem, SAMPLE_ROWS};
use super::outcome::{refused_positions, Ending, Tally};
use super::parse::{sniff_delimiter, CsvRecord, CsvStream};
use crate::i18n::{tr, trf, I};

/// Bytes read from the file per step.
pub const CHUNK_BYTES: u64 = 1024 * 1024;
/// Rows per ingest request.
pub const BATCH_ROWS: usize = 1000;
/// A batch is sent early once its cells add up to this many bytes, well under the ingest API's
/// 10 MiB body limit however wide the rows are.
const BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Bytes read to show the preview and guess types.
const PREVIEW_BYTES: u64 = 256 * 1024;

/// The start of a file: its delimiter, header and first rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub delimiter: u8,
    pub headers: Vec<String>,
    pub rows: Vec<CsvRecord>,
}

/// Reads the start of `file` for the preview.
///
/// # Errors
/// The file cannot be read, or has no header.
pub async fn read_preview(file: &web_sys::File) -> Result<Preview, String> {
    let size = file_size(file);
    let head = read_slice(file, 0, size.min(PREVIEW_BYTES)).await?;
    let delimiter = sniff_delimiter(&head);
    let mut stream = CsvStream::new(delimiter);
    let mut records = Vec::new();
    stream.feed(&head, &mut records);
    if size <= PREVIEW_BYTES {
        stream.finish(&mut records);
    }
    let mut records = records.into_iter();
    let headers = records
        .next()
        .filter(|h| h.fields.iter().any(|f| !f.trim().is_empty()))
        .ok_or_else(|| untrack(|| tr(I::FileEmpty)).to_owned())?
        .fields;
    Ok(Preview {
        delimiter,
        headers,
        rows: records.take(SAMPLE_ROWS).collect(),
    })
}

/// Everything an import needs.
pub struct ImportJob {
    pub api: ApiClient,
    pub file: web_sys::File,
    pub delimiter: u8,
    pub plan: ImportPlan,
    pub dataset: String,
}

/// Reads the whole file and sends its rows, publishing progress to `progress` (counts only)
/// and returning the full tally. Stops between batches once `cancel` is true (or gone).
pub async fn run(
    job: ImportJob,
    progress: RwSignal<Tally>,
    cancel: RwSignal<bool>,
) -> (Tally, Ending) {
    let mut tally = Tally {
        bytes_total: file_size(&job.file),
        ..Tally::default()
    };
    let ending = run_into(&job, &mut tally, progress, cancel).await;
    tally.bytes_read = tally.bytes_read.min(tally.bytes_total);
    (tally, ending)
}

async fn run_into(
    job: &ImportJob,
    tally: &mut Tally,
    progress: RwSignal<Tally>,
    cancel: RwSignal<bool>,
) -> Ending {
    let cancelled = move || cancel.try_get_untracked().unwrap_or(true);
    let key_base = format!("csv-{}-{}", job.dataset, js_sys::Date::now() as u64);
    let mut stream = CsvStream::new(job.delimiter);
    let mut records = Vec::new();
    let mut batch: Vec<(u64, Value)> = Vec::with_capacity(BATCH_ROWS);
    let (mut header, mut batch_no, mut batch_bytes) = (true, 0_u64, 0_usize);
    loop {
        if cancelled() {
            return Ending::Cancelled;
        }
        let start = tally.bytes_read;
        let end = (start + CHUNK_BYTES).min(tally.bytes_total);
        if start < end {
            match read_slice(&job.file, start, end).await {
                Ok(bytes) => stream.feed(&bytes, &mut records),
                Err(e) => return Ending::Failed(e),
            }
        }
        tally.bytes_read = end;
        let done = end >= tally.bytes_total;
        if done {
            stream.finish(&mut records);
        }
        for record in std::mem::take(&mut records) {
            if std::mem::take(&mut header) {
                continue;
            }
            tally.rows_read += 1;
            // Refusal reasons are read in the active language once, not subscribed to.
            match untrack(|| job.plan.row(&record.fields)) {
                Ok(row) => {
                    batch_bytes += record.fields.iter().map(|f| f.len() + 16).sum::<usize>();
                    batch.push((record.line, row));
                }
                Err(problems) => tally.refuse(record.line, by_header(&job.plan, problems)),
            }
            if batch.len() >= BATCH_ROWS || batch_bytes >= BATCH_BYTES {
                batch_no += 1;
                batch_bytes = 0;
                let key = format!("{key_base}-{batch_no}");
                if let Err(e) = send_batch(job, std::mem::take(&mut batch), &key, tally).await {
                    return Ending::Failed(e);
                }
                publish(progress, tally);
                if cancelled() {
                    return Ending::Cancelled;
                }
            }
        }
        publish(progress, tally);
        if done {
            break;
        }
        // Let the page paint and handle input before the next slice.
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    if cancelled() {
        return Ending::Cancelled;
    }
    if !batch.is_empty() {
        batch_no += 1;
        let key = format!("{key_base}-{batch_no}");
        if let Err(e) = send_batch(job, batch, &key, tally).await {
            return Ending::Failed(e);
        }
    }
    Ending::Finished
}

/// Shows the counts (not the refusal list, which can be long) while the import runs.
fn publish(progress: RwSignal<Tally>, tally: &Tally) {
    progress.try_set(Tally {
        refusals: Vec::new(),
        ..tally.clone()
    });
}

/// Sends one batch until it is stored, dropping the rows the server refuses (see the module
/// docs).
async fn send_batch(
    job: &ImportJob,
    batch: Vec<(u64, Value)>,
    key_base: &str,
    tally: &mut Tally,
) -> Result<(), String> {
    let (mut lines, mut rows): (Vec<u64>, Vec<Value>) = batch.into_iter().unzip();
    let (mut round, mut retries) = (0, 0);
    while !rows.is_empty() {
        match job
            .api
            .ingest(&job.dataset, &rows, &format!("{key_base}-{round}"))
            .await
        {
            Ok(_) => {
                tally.stored(&lines);
                return Ok(());
            }
            Err(SdkError::Api {
                status: 422,
                details,
                message,
                ..
            }) => {
                let refused = details
                    .and_then(|d| vantage_sdk::json::from_value::<BatchErrorDetails>(&d).ok())
                    .map(|d| refused_positions(&d, rows.len()))
                    .unwrap_or_default();
                if refused.is_empty() {
                    return Err(untrack(|| trf(I::BatchRefusedUnnamed, &[&message])));
                }
                for (i, problems) in refused.into_iter().rev() {
                    rows.remove(i);
                    tally.refuse(lines.remove(i), by_header(&job.plan, problems));
                }
                round += 1;
            }
            Err(e) if e.is_transient() && retries < 3 => {
                retries += 1;
                gloo_timers::future::TimeoutFuture::new(500 << retries).await;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(())
}

/// Problems named by the CSV header rather than the storage name.
fn by_header(plan: &ImportPlan, problems: Vec<RowProblem>) -> Vec<RowProblem> {
    problems
        .into_iter()
        .map(|p| RowProblem {
            field: if p.field.is_empty() {
                p.field
            } else {
                plan.header_of(&p.field)
            },
            reason: p.reason,
        })
        .collect()
}

fn file_size(file: &web_sys::File) -> u64 {
    let size = file.size();
    if size.is_finite() && size > 0.0 {
        size as u64
    } else {
        0
    }
}

/// The bytes `start..end` of `file`.
async fn read_slice(file: &web_sys::File, start: u64, end: u64) -> Result<Vec<u8>, String> {
    let unreadable = |_| untrack(|| tr(I::FileUnreadable)).to_owned();
    let blob = file
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(unreadable)?;
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(unreadable)?;
    let buffer: js_sys::ArrayBuffer = buffer.dyn_into().map_err(unreadable)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

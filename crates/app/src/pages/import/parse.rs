//! [`CsvStream`]: CSV records from bytes that arrive in chunks of any size (a `File` read with
//! `Blob.slice`), on top of `csv-core`'s incremental reader. A record split across two chunks
//! comes out whole once its end arrives; each record carries the file line it starts on, so a
//! refusal can name the line a person sees in their editor (the header is line 1).
//!
//! ```ignore
//! let mut stream = CsvStream::new(b',');
//! let mut records = Vec::new();
//! stream.feed(b"a,b\n1,", &mut records);
//! stream.feed(b"2\n", &mut records);
//! stream.finish(&mut records);
//! assert_eq!(records[1].fields, ["1", "2"]);
//! ```

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

/// One CSV record and where it starts in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRecord {
    /// 1-based line of the file the record starts on.
    pub line: u64,
    pub fields: Vec<String>,
}

/// An incremental CSV reader.
pub struct CsvStream {
    reader: Reader,
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// Newlines consumed so far (`line - 1` of the next unread byte).
    newlines: u64,
    /// Line the record being read starts on, once its first byte was seen.
    record_line: Option<u64>,
    /// True until the first record: its UTF-8 byte-order mark is dropped.
    first: bool,
}

impl CsvStream {
    /// A reader splitting fields on `delimiter` (`,`, `;` or tab), `"` quoting.
    pub fn new(delimiter: u8) -> Self {
        Self {
            reader: ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096],
            out_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            newlines: 0,
            record_line: None,
            first: true,
        }
    }

    /// Reads `input`, appending every record it completes to `records`.
    pub fn feed(&mut self, mut input: &[u8], records: &mut Vec<CsvRecord>) {
        while !input.is_empty() {
            self.step(&mut input, records);
        }
    }

    /// Ends the input: the last record (one without a final newline) comes out.
    pub fn finish(&mut self, records: &mut Vec<CsvRecord>) {
        let mut empty: &[u8] = &[];
        while self.step(&mut empty, records) {}
    }

    /// One call of the reader; false once it reports the end of the input.
    fn step(&mut self, input: &mut &[u8], records: &mut Vec<CsvRecord>) -> bool {
        let data: &[u8] = input;
        let (result, read, written, ended) = self.reader.read_record(
            data,
            &mut self.out[self.out_len..],
            &mut self.ends[self.ends_len..],
        );
        let consumed = &data[..read];
        if self.record_line.is_none() {
            // Blank lines before a record are skipped by the reader: the record starts after
            // the last of them.
            let leading: u64 = consumed
                .iter()
                .take_while(|b| **b == b'\n' || **b == b'\r')
                .filter(|b| **b == b'\n')
                .count()
                .try_into()
                .unwrap_or(0);
            if consumed.iter().any(|b| *b != b'\n' && *b != b'\r') {
                self.record_line = Some(self.newlines + leading + 1);
            }
        }
        self.newlines += consumed.iter().filter(|b| **b == b'\n').count() as u64;
        *input = &data[read..];
        self.out_len += written;
        self.ends_len += ended;
        match result {
            // All of `input` was used (and at the end of input the reader says `End`).
            ReadRecordResult::InputEmpty => false,
            ReadRecordResult::OutputFull => {
                self.out.resize(self.out.len() * 2, 0);
                true
            }
            ReadRecordResult::OutputEndsFull => {
                self.ends.resize(self.ends.len() * 2, 0);
                true
            }
            ReadRecordResult::Record => {
                records.push(self.take_record());
                true
            }
            ReadRecordResult::End => false,
        }
    }

    fn take_record(&mut self) -> CsvRecord {
        let mut start = 0;
        let mut fields = self.ends[..self.ends_len]
            .iter()
            .map(|&end| {
                let field = String::from_utf8_lossy(&self.out[start..end]).into_owned();
                start = end;
                field
            })
            .collect::<Vec<String>>();
        if std::mem::take(&mut self.first) {
            if let Some(first) = fields.first_mut() {
                if let Some(rest) = first.strip_prefix('\u{feff}') {
                    *first = rest.to_owned();
                }
            }
        }
        let line = self.record_line.take().unwrap_or(self.newlines);
        self.out_len = 0;
        self.ends_len = 0;
        CsvRecord { line, fields }
    }
}

/// The delimiter a file most likely uses, from its first line: the most frequent of `,`, `;`
/// and tab outside quotes (`,` when none appears).
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in line {
        if *b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in &mut counts {
                if b == d {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .fold(
            (b',', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_in_chunks(data: &[u8], chunk: usize) -> Vec<CsvRecord> {
        let mut stream = CsvStream::new(b',');
        let mut records = Vec::new();
        for part in data.chunks(chunk) {
            stream.feed(part, &mut records);
        }
        stream.finish(&mut records);
        records
    }

    #[test]
    fn records_come_out_whole_whatever_the_chunk_size() {
        let data = b"name,amount\n\"Smith, Jo\",12.5\n\"say \"\"hi\"\"\",3\nlast,4";
        let whole = read_in_chunks(data, data.len());
        for chunk in 1..8 {
            assert_eq!(read_in_chunks(data, chunk), whole, "chunk size {chunk}");
        }
        assert_eq!(whole.len(), 4);
        assert_eq!(whole[1].fields, ["Smith, Jo", "12.5"]);
        assert_eq!(whole[2].fields, ["say \"hi\"", "3"]);
        assert_eq!(whole[3].fields, ["last", "4"]);
    }

    #[test]
    fn each_record_knows_the_line_it_starts_on() {
        let data = b"a,b\r\n1,2\r\n\r\n3,\"multi\nline\"\r\n4,5\r\n";
        let lines: Vec<u64> = read_in_chunks(data, 3).iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 4, 6]);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_header() {
        let records = read_in_chunks(b"\xEF\xBB\xBFtime,v\n1,2\n", 2);
        assert_eq!(records[0].fields, ["time", "v"]);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let records = read_in_chunks(b"a\n\xFFok\n", 4);
        assert_eq!(records[1].fields, ["\u{FFFD}ok"]);
    }

    #[test]
    fn the_delimiter_is_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"x;y\",b,c\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }
}

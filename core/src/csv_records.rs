//! The records of a CSV stream, as the csv crate's reader reads them (flexible, the
//! delimiter given, `"` quotes, any of `\r`, `\n`, `\r\n` ending a record, empty lines
//! skipped), faster for the common line: a line with neither a quote nor a carriage return
//! (but its CRLF ending) is found with `memchr` and split at the delimiter; any other
//! record is read by `csv-core`, the csv crate's own parser. The same records and the same
//! errors (`records_are_the_csv_crates` checks it on random text); the line of a record is
//! the line its first character is on (the csv crate gives the line after the previous
//! record: one line early after blank lines, and after every CRLF line break).

use std::io::Read;

use csv::StringRecord;

/// The buffer's first size.
const CHUNK: usize = 256 * 1024;
/// Bytes asked of the source at a time: the csv crate's buffer, so that a source failing
/// part way (the line limit) fails after the same records.
const READ: usize = 8 * 1024;

/// Why a record could not be read.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The record's text is not UTF-8; it starts on `line`.
    Utf8 { line: u64 },
    /// The source failed; the stream ends.
    Io(std::io::Error),
}

/// Where `text` splits at `delimiter` into `ends` (each field's end, the last one's
/// `text.len()`), 8 bytes at a time; `false` (and `ends` meaningless) when `text` holds a
/// quote or a carriage return, which the plain split does not read.
fn split_plain(text: &[u8], delimiter: u8, ends: &mut Vec<usize>) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // The high bit of each byte of `x` that is zero, exactly (no borrow between bytes).
    let zero = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    let (d, q, r) = (
        u64::from(delimiter) * ONES,
        u64::from(b'"') * ONES,
        u64::from(b'\r') * ONES,
    );
    ends.clear();
    let mut words = text.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let w = u64::from_le_bytes(w);
        if zero(w ^ q) | zero(w ^ r) != 0 {
            return false;
        }
        let mut m = zero(w ^ d);
        while m != 0 {
            ends.push(base + m.trailing_zeros() as usize / 8);
            m &= m - 1;
        }
        base += 8;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        match b {
            b'"' | b'\r' => return false,
            b if b == delimiter => ends.push(base + k),
            _ => {}
        }
    }
    ends.push(text.len());
    true
}

/// A record as [`Records::read_raw`] reads it, borrowed until the next.
#[derive(Debug)]
pub(crate) struct Raw<'a> {
    /// The line the record starts on.
    pub(crate) line: u64,
    /// The fields, `gap` bytes apart.
    pub(crate) text: &'a str,
    /// Where each field ends in `text`.
    pub(crate) ends: &'a [usize],
    /// Bytes between two fields: 1 (a delimiter) or 0.
    pub(crate) gap: usize,
}

/// A reader of CSV records.
#[derive(Debug)]
pub(crate) struct Records<R> {
    input: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Bytes after `pos` already searched for a line break (none there): a long line read
    /// in many pieces is searched once, not again after each piece.
    searched: usize,
    eof: bool,
    done: bool,
    /// 1 + the line breaks consumed.
    line: u64,
    delimiter: u8,
    /// Boxed: its tables are large (as the csv crate keeps it).
    core: Box<csv_core::Reader>,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: Read> Records<R> {
    /// Records of `input` separated by `delimiter`.
    pub(crate) fn new(input: R, delimiter: u8) -> Self {
        Self {
            input,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            searched: 0,
            eof: false,
            done: false,
            line: 1,
            delimiter,
            core: Box::new(csv_core::ReaderBuilder::new().delimiter(delimiter).build()),
            out: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// The same reader counting lines from `line` (the input starts on that line).
    pub(crate) fn starting_at_line(mut self, line: u64) -> Self {
        self.line = line;
        self
    }

    /// The next record into `record` and the line it starts on. `None` at the end, and
    /// after an error of the source.
    pub(crate) fn read(&mut self, record: &mut StringRecord) -> Option<Result<u64, Failure>> {
        Some(self.read_raw()?.map(|raw| {
            record.clear();
            let mut at = 0;
            for &end in raw.ends {
                record.push_field(raw.text.get(at..end).unwrap_or(""));
                at = end + raw.gap;
            }
            raw.line
        }))
    }

    /// As [`read`](Self::read), without a record: the line, the text of the fields one
    /// after another with `gap` bytes between them (1: a plain line, its own text with the
    /// delimiters; 0: a record csv-core unquoted), and where each field ends in it.
    pub(crate) fn read_raw(&mut self) -> Option<Result<Raw<'_>, Failure>> {
        if self.done {
            return None;
        }
        loop {
            let avail = self.buf.get(self.pos..self.end).unwrap_or(&[]);
            let found = avail
                .get(self.searched..)
                .and_then(|rest| memchr::memchr(b'\n', rest))
                .map(|i| i + self.searched);
            // Whether the line ends with a line break (not the end of the source).
            let broken = u64::from(found.is_some());
            let (len, used) = match found {
                Some(i) => (i, i + 1),
                None if self.eof && avail.is_empty() => {
                    self.done = true;
                    return None;
                }
                None if self.eof => (avail.len(), avail.len()),
                None => {
                    self.searched = avail.len();
                    if let Err(e) = self.fill() {
                        self.done = true;
                        return Some(Err(Failure::Io(e)));
                    }
                    continue;
                }
            };
            self.searched = 0;
            // CRs before the text end empty records (skipped); a CRLF line without its CR.
            let text = avail.get(..len).unwrap_or(&[]);
            let lead = text.iter().take_while(|&&b| b == b'\r').count();
            let text = text.get(lead..).unwrap_or(&[]);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            let (from, len) = (self.pos + lead, text.len());
            let start = self.line;
            if text.is_empty() {
                // A blank line: skipped.
                self.pos += used;
                self.line += broken;
                continue;
            }
            if !split_plain(text, self.delimiter, &mut self.ends) {
                // A quote or a CR: the record starts on this line, after its leading CRs.
                self.pos = from;
                return self.slow(start);
            }
            self.pos += used;
            self.line += broken;
            let text = self.buf.get(from..from + len).unwrap_or(&[]);
            return Some(match std::str::from_utf8(text) {
                Ok(text) => Ok(Raw {
                    line: start,
                    text,
                    ends: &self.ends,
                    gap: 1,
                }),
                Err(_) => Err(Failure::Utf8 { line: start }),
            });
        }
    }

    /// A record read by csv-core, from the current position (`None`: only blank lines
    /// and terminators were left).
    fn slow(&mut self, start: u64) -> Option<Result<Raw<'_>, Failure>> {
        use csv_core::ReadRecordResult::{End, InputEmpty, OutputEndsFull, OutputFull, Record};
        self.core.reset();
        let (mut outlen, mut endlen) = (0, 0);
        loop {
            let input = self.buf.get(self.pos..self.end).unwrap_or(&[]);
            let (res, nin, nout, nend) = self.core.read_record(
                input,
                self.out.get_mut(outlen..).unwrap_or(&mut []),
                self.ends.get_mut(endlen..).unwrap_or(&mut []),
            );
            let consumed = input.get(..nin).unwrap_or(&[]);
            self.line += memchr::memchr_iter(b'\n', consumed).count() as u64;
            self.pos += nin;
            outlen += nout;
            endlen += nend;
            match res {
                InputEmpty if self.eof => {} // csv-core is called again with no input: it ends
                InputEmpty => {
                    if let Err(e) = self.fill() {
                        self.done = true;
                        return Some(Err(Failure::Io(e)));
                    }
                }
                OutputFull => self.out.resize(self.out.len().max(64) * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len().max(8) * 2, 0),
                Record => {
                    let out = self.out.get(..outlen).unwrap_or(&[]);
                    self.ends.truncate(endlen);
                    return Some(match std::str::from_utf8(out) {
                        Ok(text) => Ok(Raw {
                            line: start,
                            text,
                            ends: &self.ends,
                            gap: 0,
                        }),
                        Err(_) => Err(Failure::Utf8 { line: start }),
                    });
                }
                End => {
                    self.done = true;
                    return None;
                }
            }
        }
    }

    /// Read more of the source after what is left; `eof` when it has no more.
    fn fill(&mut self) -> std::io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            // A record longer than the buffer (the source's line limit bounds it).
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            let room = (self.end + READ).min(self.buf.len());
            match self
                .input
                .read(self.buf.get_mut(self.end..room).unwrap_or(&mut []))
            {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    /// What a reader gave: each record's fields and line, or the line of a UTF-8 error.
    type Got = Vec<Result<(Vec<String>, u64), u64>>;

    /// The csv crate's reader as the engine configured it before (flexible, no header),
    /// each record's line taken as the line of its first character: the csv crate's
    /// position is where it began to read (before the blank lines and line breaks it skips
    /// to reach the record).
    fn csv_crates(bytes: &[u8], delimiter: u8) -> Got {
        let line = |pos: &csv::Position| {
            let from = usize::try_from(pos.byte()).unwrap();
            let first = bytes[from..]
                .iter()
                .position(|b| !matches!(b, b'\r' | b'\n'))
                .map_or(bytes.len(), |k| from + k);
            1 + bytes[..first].iter().filter(|&&b| b == b'\n').count() as u64
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(bytes);
        let mut record = StringRecord::new();
        let mut got = Vec::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => return got,
                Ok(true) => got.push(Ok((
                    record.iter().map(str::to_owned).collect(),
                    line(record.position().unwrap()),
                ))),
                Err(e) => match e.kind() {
                    csv::ErrorKind::Utf8 { pos, .. } => got.push(Err(line(pos.as_ref().unwrap()))),
                    other => panic!("{other:?}"),
                },
            }
        }
    }

    /// A source that gives at most `step` bytes a read.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn ours(bytes: &[u8], delimiter: u8, step: usize) -> Got {
        let mut records = Records::new(Trickle { bytes, step }, delimiter);
        let mut record = StringRecord::new();
        let mut got = Vec::new();
        while let Some(r) = records.read(&mut record) {
            got.push(match r {
                Ok(line) => Ok((record.iter().map(str::to_owned).collect(), line)),
                Err(Failure::Utf8 { line }) => Err(line),
                Err(Failure::Io(e)) => panic!("{e}"),
            });
        }
        got
    }

    proptest::proptest! {
        /// The same records and UTF-8 errors as the csv crate's reader, each on the line of
        /// its first character, on text of
        /// plain lines, quotes (also across lines and doubled), carriage returns, blank
        /// lines, invalid UTF-8 and a missing last line break, read a few bytes at a time
        /// or all at once.
        #[test]
        fn records_are_the_csv_crates(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => proptest::string::bytes_regex("[a-z0-9 .]{0,6}").unwrap(),
                    4 => proptest::strategy::Just(b",".to_vec()),
                    2 => proptest::strategy::Just(b";".to_vec()),
                    3 => proptest::strategy::Just(b"\n".to_vec()),
                    1 => proptest::strategy::Just(b"\r\n".to_vec()),
                    1 => proptest::strategy::Just(b"\r".to_vec()),
                    1 => proptest::strategy::Just(b"\"".to_vec()),
                    1 => proptest::strategy::Just(b"\"x,\ny\"\"z\"".to_vec()),
                    1 => proptest::strategy::Just("é".as_bytes().to_vec()),
                    1 => proptest::strategy::Just(b"\xff".to_vec()),
                ],
                0..40,
            ),
            semicolon in proptest::bool::ANY,
            step in 1usize..9,
        ) {
            let bytes = parts.concat();
            let delimiter = if semicolon { b';' } else { b',' };
            let want = csv_crates(&bytes, delimiter);
            proptest::prop_assert_eq!(&ours(&bytes, delimiter, step), &want);
            proptest::prop_assert_eq!(&ours(&bytes, delimiter, usize::MAX), &want);
        }
    }

    proptest::proptest! {
        /// The 8-bytes-at-a-time split finds every delimiter, and refuses exactly the texts
        /// with a quote or a CR, for every byte value around them.
        #[test]
        fn split_plain_is_the_plain_split(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::num::u8::ANY,
                    2 => proptest::strategy::Just(b','),
                    1 => proptest::strategy::Just(b'"'),
                    1 => proptest::strategy::Just(b'\r'),
                ],
                0..40,
            ),
        ) {
            let mut ends = Vec::new();
            let plain = split_plain(&text, b',', &mut ends);
            proptest::prop_assert_eq!(plain, !text.iter().any(|&b| b == b'"' || b == b'\r'));
            if plain {
                let mut want: Vec<usize> = (0..text.len()).filter(|&k| text[k] == b',').collect();
                want.push(text.len());
                proptest::prop_assert_eq!(ends, want);
            }
        }
    }

    #[test]
    fn a_long_record_grows_the_buffer() {
        let long = "x".repeat(CHUNK * 3);
        let text = format!("a,b\n{long},\"{long}\"\nc\n");
        let got = ours(text.as_bytes(), b',', usize::MAX);
        assert_eq!(got, csv_crates(text.as_bytes(), b','));
        assert_eq!(got.len(), 3);
    }
}

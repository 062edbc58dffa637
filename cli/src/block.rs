//! A block of records read and not yet scored, packed so that reading a CSV file allocates
//! nothing per row: the cells of every row in one text buffer, reused block after block.
//! Handed between the reading thread and the scoring threads a whole block at a time.

use std::ops::Range;

use civic_value::stream::{CsvRow, RawCsvRow};

use crate::load::Raw;

/// One record of a block.
pub(crate) enum Entry {
    /// A CSV row: its number, its line, where its text starts and which cell ends are its.
    Row {
        number: usize,
        line: u64,
        start: Start,
        cells: Range<usize>,
    },
    /// Any other record (an item of a JSON stream, a row that could not be read).
    Other(Raw),
}

/// Where a row's text starts in a block, and the bytes between two of its cells (1: the
/// row's own line with its delimiters, copied whole; 0: cells end to end).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Start {
    at: usize,
    gap: usize,
}

/// Records in input order.
#[derive(Default)]
pub(crate) struct Block {
    text: String,
    /// End of each cell in `text`.
    ends: Vec<usize>,
    pub(crate) entries: Vec<Entry>,
}

impl Block {
    /// Number of records.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Empty, keeping the buffers.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.entries.clear();
    }

    /// Append a CSV row (its cells are copied).
    pub(crate) fn push_row(&mut self, row: &RawCsvRow<'_>) {
        let at = self.text.len();
        let first = self.ends.len();
        // The row's text in one copy, then its cells' ends.
        self.text.push_str(row.text);
        self.ends.extend(row.ends.iter().map(|end| at + end));
        self.entries.push(Entry::Row {
            number: row.number,
            line: row.line,
            start: Start { at, gap: row.gap },
            cells: first..self.ends.len(),
        });
    }

    /// The cells of a row entry, in file order.
    pub(crate) fn cells(&self, start: Start, cells: &Range<usize>) -> Cells<'_> {
        Cells {
            text: &self.text,
            ends: self.ends.get(cells.clone()).unwrap_or(&[]),
            at: start.at,
            gap: start.gap,
        }
    }

    /// A row entry as a raw record, for the explained path (allocates).
    pub(crate) fn raw(&self, number: usize, line: u64, start: Start, cells: &Range<usize>) -> Raw {
        Raw::Row(CsvRow {
            number,
            line,
            record: self.cells(start, cells).collect(),
        })
    }
}

/// The cells of one row of a block.
pub(crate) struct Cells<'a> {
    text: &'a str,
    ends: &'a [usize],
    at: usize,
    gap: usize,
}

impl<'a> Iterator for Cells<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (&end, rest) = self.ends.split_first()?;
        let cell = self.text.get(self.at..end).unwrap_or("");
        self.ends = rest;
        self.at = end + self.gap;
        Some(cell)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.ends.len(), Some(self.ends.len()))
    }
}

impl ExactSizeIterator for Cells<'_> {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_cell_by_cell() {
        let mut block = Block::default();
        for (k, cells) in [vec!["a", "", "b,c"], vec!["", "q"], vec!["é", "x", ""]]
            .iter()
            .enumerate()
        {
            // Rows 1 and 3 as a plain line (cells 1 byte apart), row 2 end to end.
            let gap = usize::from(k != 1);
            let text = cells.join(if gap == 1 { ";" } else { "" });
            let ends: Vec<usize> = cells
                .iter()
                .scan(0, |end, cell| {
                    let at = *end;
                    *end += cell.len() + gap;
                    Some(at + cell.len())
                })
                .collect();
            block.push_row(&RawCsvRow {
                number: k + 1,
                line: k as u64 + 2,
                text: &text,
                ends: &ends,
                gap,
            });
        }
        let got: Vec<Vec<&str>> = block
            .entries
            .iter()
            .map(|e| match e {
                Entry::Row { start, cells, .. } => block.cells(*start, cells).collect(),
                Entry::Other(_) => vec![],
            })
            .collect();
        assert_eq!(
            got,
            [vec!["a", "", "b,c"], vec!["", "q"], vec!["é", "x", ""]]
        );
        let Entry::Row {
            number,
            line,
            start,
            cells,
        } = &block.entries[2]
        else {
            panic!()
        };
        let Raw::Row(row) = block.raw(*number, *line, *start, cells) else {
            panic!()
        };
        assert_eq!((row.number, row.line, row.record.len()), (3, 4, 3));
        assert_eq!(row.record.iter().collect::<Vec<_>>(), ["é", "x", ""]);
        block.clear();
        assert_eq!(block.len(), 0);
    }
}

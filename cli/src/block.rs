//! A block of records read and not yet scored, packed so that reading a CSV file allocates
//! nothing per row: the cells of every row in one text buffer, reused block after block.
//! Handed between the reading thread and the scoring threads a whole block at a time.

use std::ops::Range;

use civic_value::stream::CsvRow;

use crate::load::Raw;

/// One record of a block.
pub(crate) enum Entry {
    /// A CSV row: its number, its line, where its text starts and which cell ends are its.
    Row {
        number: usize,
        line: u64,
        start: usize,
        cells: Range<usize>,
    },
    /// Any other record (an item of a JSON stream, a row that could not be read).
    Other(Raw),
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
    pub(crate) fn push_row(&mut self, row: &CsvRow) {
        let start = self.text.len();
        let first = self.ends.len();
        // The record keeps its cells one after another: one copy, then their ends.
        self.text.push_str(row.record.as_slice());
        let mut end = start;
        self.ends.reserve(row.record.len());
        for cell in &row.record {
            end += cell.len();
            self.ends.push(end);
        }
        self.entries.push(Entry::Row {
            number: row.number,
            line: row.line,
            start,
            cells: first..self.ends.len(),
        });
    }

    /// The cells of a row entry, in file order.
    pub(crate) fn cells(&self, start: usize, cells: &Range<usize>) -> Cells<'_> {
        Cells {
            text: &self.text,
            ends: self.ends.get(cells.clone()).unwrap_or(&[]),
            at: start,
        }
    }

    /// A row entry as a raw record, for the explained path (allocates).
    pub(crate) fn raw(&self, number: usize, line: u64, start: usize, cells: &Range<usize>) -> Raw {
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
}

impl<'a> Iterator for Cells<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (&end, rest) = self.ends.split_first()?;
        let cell = self.text.get(self.at..end).unwrap_or("");
        self.ends = rest;
        self.at = end;
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
        for (k, cells) in [vec!["a", "", "b,c"], vec![], vec!["é", "x"]]
            .iter()
            .enumerate()
        {
            let record: csv::StringRecord = cells.iter().copied().collect();
            block.push_row(&CsvRow {
                number: k + 1,
                line: k as u64 + 2,
                record,
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
        assert_eq!(got, [vec!["a", "", "b,c"], vec![], vec!["é", "x"]]);
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
        assert_eq!((row.number, row.line, row.record.len()), (3, 4, 2));
        block.clear();
        assert_eq!(block.len(), 0);
    }
}

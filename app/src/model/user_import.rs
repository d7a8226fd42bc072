//! CSV user import: what a checked or applied chunk of rows reports.

use serde::{Deserialize, Serialize};

/// Columns the import reads (a header row naming them is required; order is free).
pub const IMPORT_COLUMNS: &[&str] = &["username", "display_name", "email", "roles", "enabled"];

/// Most data rows one import request may carry; the page sends big files in chunks.
pub const IMPORT_CHUNK_ROWS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    /// Line number in the uploaded file (the header is line 1).
    pub line: i64,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: i64,
    /// Rows that were created (or, in a dry run, would be).
    pub created: i64,
    pub problems: Vec<ImportProblem>,
}

/// Splits a CSV file into requests of at most `IMPORT_CHUNK_ROWS` rows and
/// about `max_bytes`, each starting with the header row. Records are split
/// at line breaks outside quotes. Returns (file row number of the chunk's
/// first data row, chunk text); the header is row 1.
pub fn split_csv_chunks(text: &str, max_bytes: usize) -> Vec<(i64, String)> {
    let mut records = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    for ch in text.chars() {
        if ch == '"' {
            in_quotes = !in_quotes;
        }
        if ch == '\n' && !in_quotes {
            let record = current.trim_end_matches('\r').to_string();
            if !record.trim().is_empty() {
                records.push(record);
            }
            current.clear();
        } else {
            current.push(ch);
        }
    }
    if !current.trim().is_empty() {
        records.push(current.trim_end_matches('\r').to_string());
    }
    let mut records = records.into_iter();
    let Some(header) = records.next() else { return Vec::new() };
    let mut chunks = Vec::new();
    let (mut chunk, mut rows, mut first_row, mut next_row) = (String::new(), 0usize, 2i64, 2i64);
    for record in records {
        if rows > 0 && (rows == IMPORT_CHUNK_ROWS || chunk.len() + record.len() > max_bytes) {
            chunks.push((first_row, format!("{header}\n{chunk}")));
            chunk.clear();
            rows = 0;
            first_row = next_row;
        }
        chunk.push_str(&record);
        chunk.push('\n');
        rows += 1;
        next_row += 1;
    }
    if rows > 0 {
        chunks.push((first_row, format!("{header}\n{chunk}")));
    }
    chunks
}

/// Data rows in a file, for progress (the same record rules as the split).
pub fn count_csv_rows(text: &str) -> usize {
    split_csv_chunks(text, usize::MAX).iter().map(|(_, c)| c.lines().count().saturating_sub(1)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_the_header_and_quoted_line_breaks() {
        let mut text = String::from("username,display_name\r\n");
        for n in 0..4500 {
            text.push_str(&format!("u{n},\"Name, {n}\"\r\n"));
        }
        text.push_str("last,\"two\nlines\"\n");
        let chunks = split_csv_chunks(&text, usize::MAX);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0].0, 2);
        assert_eq!(chunks[1].0, 2 + 2000);
        assert_eq!(chunks[2].0, 2 + 4000);
        assert!(chunks.iter().all(|(_, c)| c.starts_with("username,display_name\n")));
        assert!(chunks[2].1.ends_with("last,\"two\nlines\"\n"));
        let small = split_csv_chunks(&text, 1000);
        assert!(small.len() > 3 && small.iter().all(|(_, c)| c.len() < 1200));
        assert!(split_csv_chunks("", 100).is_empty());
        assert!(split_csv_chunks("username\n", 100).is_empty());
    }
}

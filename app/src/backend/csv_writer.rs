//! The one CSV writer for every download (the admin users export, XNAT
//! listings): RFC 4180 quoting, and a `'` before a cell that starts with
//! `=`, `+`, `-` or `@` so spreadsheets do not run it; otherwise values are exact.

/// One field, quoted when it holds a comma, quote or line break.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Rows written one after another, each ended by `line_end`.
pub struct CsvWriter {
    out: String,
    line_end: &'static str,
}

impl CsvWriter {
    /// A writer whose first row is `header` (written as given).
    pub fn with_header(header: &[&str], line_end: &'static str) -> CsvWriter {
        let mut writer = CsvWriter { out: String::new(), line_end };
        writer.out.push_str(&header.join(","));
        writer.out.push_str(line_end);
        writer
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        let cells: Vec<String> = cells.iter().map(|c| field(c.as_ref())).collect();
        self.out.push_str(&cells.join(","));
        self.out.push_str(self.line_end);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("@x,y"), "\"'@x,y\"");
        assert_eq!(field("a=b-c"), "a=b-c", "only a leading sign is defused");
    }

    #[test]
    fn rows_follow_the_header() {
        let mut w = CsvWriter::with_header(&["a", "b"], "\r\n");
        w.row(&["1", "+2"]);
        assert_eq!(w.finish(), "a,b\r\n1,'+2\r\n");
    }
}

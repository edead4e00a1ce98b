//! [`Table`]: a light table of named columns that shows as an HTML table in a notebook and as aligned
//! text in a terminal (`Display`).
//!
//! It needs no polars: polars makes every notebook cell about 0.5 s slower and its first build takes
//! minutes. With the `tables` feature, [`Table::to_dataframe`] and [`Table::from_dataframe`] convert.
//!
//! ```
//! use calc_dl::table::Table;
//! let t = Table::new()
//!     .title("경사 하강법")
//!     .int("step", 0..3)?
//!     .num("w", &[4.0, 2.8, 1.96])?
//!     .num("손실", &[16.0, 7.84, 3.8416])?;
//! assert_eq!(
//!     t.to_string(),
//!     "경사 하강법\n\
//!      step       w     손실\n\
//!      ----  ------  -------\n   \
//!         0  4.0000  16.0000\n   \
//!         1  2.8000   7.8400\n   \
//!         2  1.9600   3.8416\n"
//! );
//! # Ok::<(), calc_dl::Error>(())
//! ```

use crate::display::{escape_html, html_display, text_columns};
use crate::error::{Error, Result};
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
enum Data {
    /// Numbers, formatted with the table's decimals.
    Num(Vec<f64>),
    /// Already formatted, right-aligned (integers, counters).
    Int(Vec<String>),
    /// Left-aligned text.
    Text(Vec<String>),
}

impl Data {
    fn len(&self) -> usize {
        match self {
            Data::Num(v) => v.len(),
            Data::Int(v) | Data::Text(v) => v.len(),
        }
    }
}

/// Columns of numbers or text under a header; every column has the same number of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    title: String,
    names: Vec<String>,
    columns: Vec<Data>,
    decimals: usize,
}

impl Default for Table {
    fn default() -> Self {
        Self::new()
    }
}

impl Table {
    /// An empty table; numbers show with 4 decimals, like Python's `{:.4f}`.
    pub fn new() -> Self {
        Table {
            title: String::new(),
            names: Vec::new(),
            columns: Vec::new(),
            decimals: 4,
        }
    }

    /// A caption above the table.
    pub fn title(mut self, s: impl Into<String>) -> Self {
        self.title = s.into();
        self
    }

    /// Decimals for every number column (numbers below `10^-decimals` or at least `1e7` in size
    /// switch to scientific notation so they never show as a misleading `0.0000`).
    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = decimals.min(17);
        self
    }

    /// A column of numbers.
    pub fn num(self, name: &str, values: &[f64]) -> Result<Self> {
        self.push(name, Data::Num(values.to_vec()))
    }

    /// A right-aligned column of integers (or anything displayed like one: steps, counts).
    pub fn int<I: IntoIterator<Item: fmt::Display>>(self, name: &str, values: I) -> Result<Self> {
        self.push(name, Data::Int(displayed(values)))
    }

    /// A left-aligned column of text.
    pub fn text<I: IntoIterator<Item: fmt::Display>>(self, name: &str, values: I) -> Result<Self> {
        self.push(name, Data::Text(displayed(values)))
    }

    fn push(mut self, name: &str, data: Data) -> Result<Self> {
        if let Some(first) = self.columns.first() {
            if first.len() != data.len() {
                return Err(Error::shape(
                    format!("column '{name}'"),
                    format!("{} rows", first.len()),
                    format!("{} rows", data.len()),
                ));
            }
        }
        self.names.push(name.to_string());
        self.columns.push(data);
        Ok(self)
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Data::len)
    }

    /// Column names.
    pub fn header(&self) -> &[String] {
        &self.names
    }

    /// The numbers of column `name`, if it is a number column.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let i = self.names.iter().position(|n| n == name)?;
        match &self.columns[i] {
            Data::Num(v) => Some(v),
            _ => None,
        }
    }

    /// Cell text, as both the HTML and the text view show it.
    fn cell(&self, col: usize, row: usize) -> String {
        match &self.columns[col] {
            Data::Num(v) => format_number(v[row], self.decimals),
            Data::Int(v) | Data::Text(v) => v[row].clone(),
        }
    }

    fn right_aligned(&self, col: usize) -> bool {
        !matches!(self.columns[col], Data::Text(_))
    }

    /// The table as HTML (`<table>` with inline styles, so it looks the same in any notebook viewer).
    pub fn html(&self) -> String {
        let mut s = String::from(
            "<table style=\"border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px\">",
        );
        if !self.title.is_empty() {
            s += &format!(
                "<caption style=\"font-weight:bold;padding:4px\">{}</caption>",
                escape_html(&self.title)
            );
        }
        let aligns: Vec<&str> = (0..self.columns.len())
            .map(|c| {
                if self.right_aligned(c) {
                    "right"
                } else {
                    "left"
                }
            })
            .collect();
        s += "<thead><tr>";
        for (name, align) in self.names.iter().zip(&aligns) {
            s += &format!(
                "<th style=\"text-align:{align};padding:3px 10px;border-bottom:1px solid #888\">{}</th>",
                escape_html(name)
            );
        }
        s += "</tr></thead><tbody>";
        for r in 0..self.n_rows() {
            s += "<tr>";
            for (c, align) in aligns.iter().enumerate() {
                s += &format!(
                    "<td style=\"text-align:{align};padding:2px 10px\">{}</td>",
                    escape_html(&self.cell(c, r))
                );
            }
            s += "</tr>";
        }
        s + "</tbody></table>"
    }

    /// Shows the table inline in a notebook.
    pub fn evcxr_display(&self) {
        html_display(&self.html());
    }
}

/// Each value as it displays: the cells of the integer and text columns.
fn displayed(values: impl IntoIterator<Item: fmt::Display>) -> Vec<String> {
    values.into_iter().map(|v| v.to_string()).collect()
}

/// `v` with `decimals` decimals, or in scientific notation when that would hide it.
fn format_number(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = v.abs();
    if a >= 1e7 || (a > 0.0 && a < 0.5 * 10f64.powi(-(decimals as i32))) {
        format!("{v:.3e}")
    } else {
        format!("{v:.decimals$}")
    }
}

/// Aligned text: numbers right, text left, two spaces between columns; Hangul counts two columns.
impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.title.is_empty() {
            writeln!(f, "{}", self.title)?;
        }
        let ncols = self.columns.len();
        let rows: Vec<Vec<String>> = (0..self.n_rows())
            .map(|r| (0..ncols).map(|c| self.cell(c, r)).collect())
            .collect();
        let widths: Vec<usize> = (0..ncols)
            .map(|c| {
                rows.iter()
                    .map(|row| text_columns(&row[c]))
                    .chain(std::iter::once(text_columns(&self.names[c])))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let pad = |s: &str, c: usize| {
            let fill = " ".repeat(widths[c] - text_columns(s));
            if self.right_aligned(c) {
                format!("{fill}{s}")
            } else {
                format!("{s}{fill}")
            }
        };
        let line = |f: &mut fmt::Formatter<'_>, row: Vec<String>| -> fmt::Result {
            writeln!(f, "{}", row.join("  ").trim_end())
        };
        line(
            f,
            self.names
                .iter()
                .enumerate()
                .map(|(c, s)| pad(s, c))
                .collect(),
        )?;
        line(f, widths.iter().map(|&w| "-".repeat(w)).collect())?;
        for row in &rows {
            line(f, row.iter().enumerate().map(|(c, s)| pad(s, c)).collect())?;
        }
        Ok(())
    }
}

#[cfg(feature = "tables")]
mod frame {
    use super::{Data, Table};
    use crate::error::{Error, Result};
    use polars::prelude::*;

    impl Table {
        /// The table as a polars `DataFrame`: number columns become `f64`, the others strings.
        pub fn to_dataframe(&self) -> Result<DataFrame> {
            let columns: Vec<Column> = self
                .names
                .iter()
                .zip(&self.columns)
                .map(|(name, data)| match data {
                    Data::Num(v) => Column::new(name.as_str().into(), v),
                    Data::Int(v) => match v
                        .iter()
                        .map(|s| s.parse::<i64>())
                        .collect::<std::result::Result<Vec<i64>, _>>()
                    {
                        Ok(ints) => Column::new(name.as_str().into(), ints),
                        Err(_) => Column::new(name.as_str().into(), v),
                    },
                    Data::Text(v) => Column::new(name.as_str().into(), v),
                })
                .collect();
            DataFrame::new(columns).map_err(|e| Error::output("the DataFrame", e))
        }

        /// A table from a polars `DataFrame`: float columns stay numbers (nulls become NaN), integer
        /// columns stay integers, everything else shows as text.
        pub fn from_dataframe(df: &DataFrame) -> Result<Table> {
            let mut t = Table::new();
            for col in df.get_columns() {
                let name = col.name().as_str();
                let err = |e: PolarsError| Error::Data {
                    what: format!("column '{name}'"),
                    reason: e.to_string(),
                };
                let dtype = col.dtype();
                t = if dtype.is_float() {
                    let c = col.cast(&DataType::Float64).map_err(err)?;
                    let v: Vec<f64> = c
                        .f64()
                        .map_err(err)?
                        .iter()
                        .map(|v| v.unwrap_or(f64::NAN))
                        .collect();
                    t.num(name, &v)?
                } else if dtype.is_integer() {
                    let c = col.cast(&DataType::Int64).map_err(err)?;
                    let v: Vec<String> = c
                        .i64()
                        .map_err(err)?
                        .iter()
                        .map(|v| v.map_or("null".into(), |v| v.to_string()))
                        .collect();
                    t.int(name, v)?
                } else {
                    let c = col.cast(&DataType::String).map_err(err)?;
                    let v: Vec<String> = c
                        .str()
                        .map_err(err)?
                        .iter()
                        .map(|v| v.unwrap_or("null").to_string())
                        .collect();
                    t.text(name, v)?
                };
            }
            Ok(t)
        }
    }

    impl TryFrom<&Table> for DataFrame {
        type Error = Error;
        fn try_from(t: &Table) -> Result<DataFrame> {
            t.to_dataframe()
        }
    }

    impl TryFrom<&DataFrame> for Table {
        type Error = Error;
        fn try_from(df: &DataFrame) -> Result<Table> {
            Table::from_dataframe(df)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn round_trip() {
            let t = Table::new()
                .int("step", 0..3)
                .unwrap()
                .num("w", &[4.0, 2.8, 1.96])
                .unwrap()
                .text("note", ["a", "나", "c"])
                .unwrap();
            let df = t.to_dataframe().unwrap();
            assert_eq!(df.shape(), (3, 3));
            assert_eq!(Table::from_dataframe(&df).unwrap(), t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatched_rows_are_an_error() {
        let t = Table::new().num("a", &[1.0, 2.0]).unwrap();
        let e = t.num("b", &[1.0]).unwrap_err();
        assert!(e.to_string().contains("column 'b'"), "{e}");
    }

    #[test]
    fn html_escapes_and_aligns() {
        let t = Table::new()
            .title("a<b")
            .text("이름", ["x&y"])
            .unwrap()
            .num("v", &[1e-9])
            .unwrap();
        let h = t.html();
        assert!(h.starts_with("<table") && h.ends_with("</table>"));
        assert!(h.contains("a&lt;b") && h.contains("x&amp;y") && h.contains("이름"));
        assert!(h.contains("text-align:right;padding:2px 10px\">1.000e-9<"));
    }

    #[test]
    fn text_layout_with_hangul() {
        let t = Table::new()
            .text("이름", ["가", "abc"])
            .unwrap()
            .num("x", &[f64::NAN, -1.5])
            .unwrap()
            .decimals(1);
        assert_eq!(
            t.to_string(),
            "이름     x\n----  ----\n가     NaN\nabc   -1.5\n"
        );
    }
}

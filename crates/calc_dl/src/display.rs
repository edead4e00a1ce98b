//! Inline output in Jupyter through evcxr's display protocol, shared by plots, tables and the
//! computation-graph drawing.
//!
//! evcxr shows a value rich when its type has a method `evcxr_display(&self)` that prints
//! `EVCXR_BEGIN_CONTENT <mime>` … `EVCXR_END_CONTENT`. We always send `text/html`: JupyterLab renders
//! HTML that holds an inline `<svg>` even in an untrusted notebook, but not `image/svg+xml`.
//! All rich output of one cell is one result with one entry per MIME type, so a second block of the
//! same type in one cell replaces the first: put several plots in one [`Figure`](crate::plot::Figure).

/// The evcxr content block that shows `html` inline.
pub(crate) fn html_block(html: &str) -> String {
    format!("EVCXR_BEGIN_CONTENT text/html\n{html}\nEVCXR_END_CONTENT")
}

/// Prints `html` as evcxr's `text/html` content block (what `evcxr_display` methods call).
pub(crate) fn html_display(html: &str) {
    println!("{}", html_block(html));
}

/// Escapes text for HTML or XML content and attribute values (`<`, `>`, `&`, `"`, `'`).
///
/// ```
/// assert_eq!(calc_dl::display::escape_html("a<b & \"기울기\""), "a&lt;b &amp; &quot;기울기&quot;");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Rough width of `text` in em: wide (CJK, Hangul) characters take one em, others about 0.6.
///
/// plotters' built-in estimate counts UTF-8 bytes, so a Hangul syllable (3 bytes) looks two em wide;
/// legends and table columns use this instead.
pub fn text_width_em(text: &str) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.6 })
        .sum()
}

/// Number of terminal columns `text` takes: wide characters take two.
pub(crate) fn text_columns(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// East Asian wide characters: Hangul, CJK ideographs, kana, full-width forms.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA960..=0xA97F | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_has_markers() {
        let b = html_block("<b>x</b>");
        assert!(b.starts_with("EVCXR_BEGIN_CONTENT text/html\n<b>x</b>\n"));
        assert!(b.ends_with("EVCXR_END_CONTENT"));
    }

    #[test]
    fn widths() {
        assert_eq!(text_columns("손실 w"), 2 + 2 + 1 + 1);
        assert!((text_width_em("학습률") - 3.0).abs() < 1e-12);
    }
}

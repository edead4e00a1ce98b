//! Inline output in Jupyter through evcxr's display protocol, shared by plots, tables and the
//! computation-graph drawing.
//!
//! evcxr shows a value rich when its type has a method `evcxr_display(&self)` that prints
//! `EVCXR_BEGIN_CONTENT <mime>` … `EVCXR_END_CONTENT`. We always send `text/html`, and a figure goes
//! in as an `<img>` whose source is the SVG as a data URL ([`svg_image`]): a freshly cloned notebook is
//! untrusted, and JupyterLab then sanitises its HTML, which strips an inline `<svg>` (the reader sees a
//! line of axis labels) and refuses `image/svg+xml` outputs, but keeps `<img>` with embedded data. The
//! same output draws in the exported HTML book and in static viewers, and an SVG shown as an image runs
//! no script, whatever text a user put in it.
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

/// Prints `content` as an evcxr content block of type `mime`: another entry of the cell's result.
pub(crate) fn content_display(mime: &str, content: &str) {
    println!(
        "EVCXR_BEGIN_CONTENT {mime}\n{}\nEVCXR_END_CONTENT",
        content.trim_end()
    );
}

/// An `<img>` that shows `svg` (a whole SVG document) at its own size, scaled down to the page width
/// where the page is narrower. `alt` is what a screen reader says and what shows if images are off.
pub(crate) fn svg_image(svg: &str, (width, height): (u32, u32), alt: &str) -> String {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(svg);
    format!(
        "<img src=\"data:image/svg+xml;base64,{data}\" width=\"{width}\" height=\"{height}\" \
         alt=\"{}\" style=\"max-width:100%;height:auto\"/>",
        escape_html(alt)
    )
}

/// Escapes text for HTML or XML content and attribute values (`<`, `>`, `&`, `"`, `'`).
pub(crate) fn escape_html(text: &str) -> String {
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
pub(crate) fn text_width_em(text: &str) -> f64 {
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

/// The bytes of the first `<img>` data URL in `html` (tests read back what a figure shows).
#[cfg(test)]
pub(crate) fn image_bytes(html: &str) -> Vec<u8> {
    use base64::Engine;
    let data = html
        .split("base64,")
        .nth(1)
        .and_then(|d| d.split('"').next())
        .unwrap_or("");
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("an <img> with base64 data")
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
    fn svg_image_embeds_the_document_and_escapes_alt() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>a<b</text></svg>";
        let html = svg_image(svg, (30, 20), "</script><script>alert(1)</script>");
        let decoded = image_bytes(&html);
        assert_eq!(decoded, svg.as_bytes());
        assert!(html.contains(" width=\"30\" height=\"20\" "));
        assert!(!html.contains("<script>") && html.contains("alt=\"&lt;/script&gt;&lt;script&gt;"));
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape_html("a<b & \"기울기\" 'x'"),
            "a&lt;b &amp; &quot;기울기&quot; &#39;x&#39;"
        );
    }

    #[test]
    fn widths() {
        assert_eq!(text_columns("손실 w"), 2 + 2 + 1 + 1);
        assert!((text_width_em("학습률") - 3.0).abs() < 1e-12);
    }
}

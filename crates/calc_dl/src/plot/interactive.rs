//! A figure a teacher can move live: one frame per value of a parameter, a slider that flips between
//! them in the browser.
//!
//! The kernel draws every frame once; the slider is a few lines of script in the HTML output, so it
//! moves instantly and needs no kernel (it works in the exported HTML book and the slides too). Where
//! scripts do not run (an untrusted notebook, a static viewer) the output is the starting frame as a
//! plain figure. Frames share most of their SVG (the axes, the fixed curves): only the part that differs
//! from the first frame is stored per frame, so fix the axis ranges with [`Plot::x_range`] /
//! [`Plot::y_range`] to keep the output small.
//!
//! [`Plot::x_range`]: super::Plot::x_range
//! [`Plot::y_range`]: super::Plot::y_range

use super::Figure;
use crate::display::{content_display, escape_html, html_display, svg_image};
use crate::error::{Error, Result};
use std::fmt::Write;

/// Frames over a parameter grid with a slider, shown inline by evcxr.
///
/// ```
/// use calc_dl::plot::{Plot, Slider};
/// let lrs = [0.1, 0.5, 0.9];
/// let slider = Slider::new(&lrs, |lr| format!("η = {lr}"), |lr| {
///     let w: Vec<f64> = (0..10).scan(4.0, |w, _| { *w -= lr * 2.0 * *w; Some(*w) }).collect();
///     let k: Vec<f64> = (1..=10).map(f64::from).collect();
///     Plot::new().title("w per step").x_range(0.0, 11.0).y_range(-5.0, 5.0).line(&k, &w, "w").figure()
/// })?
/// .start_at(0.5);
/// assert_eq!(slider.frames(), 3);
/// assert!(slider.html().contains("type=\"range\""));
/// # Ok::<(), calc_dl::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Slider {
    values: Vec<f64>,
    frames: Vec<Figure>,
    labels: Vec<String>,
    start: usize,
}

impl Slider {
    /// Draws one frame per value with `draw`; `label` says what each value is (shown beside the slider).
    pub fn new(
        values: &[f64],
        label: impl Fn(f64) -> String,
        draw: impl Fn(f64) -> Result<Figure>,
    ) -> Result<Slider> {
        if values.is_empty() {
            return Err(Error::empty("the slider's values"));
        }
        if let Some(&v) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::non_finite("a slider value", v));
        }
        let frames = values
            .iter()
            .map(|&v| draw(v))
            .collect::<Result<Vec<_>>>()?;
        let labels = values.iter().map(|&v| label(v)).collect();
        Ok(Slider {
            values: values.to_vec(),
            frames,
            labels,
            start: 0,
        })
    }

    /// Starts at the frame whose value is nearest to `value` (the first frame by default).
    pub fn start_at(mut self, value: f64) -> Slider {
        let distance = |i: usize| (self.values[i] - value).abs();
        self.start = (0..self.values.len())
            .min_by(|&a, &b| distance(a).total_cmp(&distance(b)))
            .unwrap_or(0);
        self
    }

    /// How many frames the slider flips through.
    pub fn frames(&self) -> usize {
        self.frames.len()
    }

    /// The HTML: the starting frame as an image, the slider, and the script that moves it.
    pub fn html(&self) -> String {
        let first = self.frames[0].svg();
        let (prefix, suffix) = shared_ends(self.frames.iter().map(Figure::svg));
        let parts: Vec<&str> = self
            .frames
            .iter()
            .map(|f| &f.svg()[prefix..f.svg().len() - suffix])
            .collect();
        let data = format!(
            "{{\"prefix\":{},\"suffix\":{},\"parts\":[{}],\"labels\":[{}]}}",
            json_string(&first[..prefix]),
            json_string(&first[first.len() - suffix..]),
            parts
                .iter()
                .map(|p| json_string(p))
                .collect::<Vec<_>>()
                .join(","),
            self.labels
                .iter()
                .map(|l| json_string(l))
                .collect::<Vec<_>>()
                .join(","),
        );
        let id = format!("calc-dl-slider-{:016x}", fnv1a(data.as_bytes()));
        let start = &self.frames[self.start];
        let mut html = String::new();
        let _ = write!(
            html,
            "<div id=\"{id}\" class=\"calc-dl-slider\">{}<div style=\"display:flex;gap:0.8em;align-items:center;\
             font-size:15px\"><input type=\"range\" min=\"0\" max=\"{}\" step=\"1\" value=\"{}\" \
             style=\"width:{}px;max-width:80%\" aria-label=\"{}\"/><output>{}</output></div>\
             <script type=\"application/json\">{data}</script><script>{SCRIPT}</script></div>",
            svg_image(start.svg(), start.size(), &super::svg_words(start.svg())),
            self.frames.len() - 1,
            self.start,
            start.size().0.min(640),
            escape_html(&self.labels[self.start]),
            escape_html(&self.labels[self.start]),
        );
        html.replace("__ID__", &id)
    }

    /// Shows the slider inline in a notebook; a projected slide shows its starting frame
    /// ([`Figure::slide_svg`]).
    pub fn evcxr_display(&self) {
        html_display(&self.html());
        if let Some(slides) = self.frames[self.start].slide_svg() {
            content_display("image/svg+xml", slides);
        }
    }
}

/// Runs once per output: reads the frames, and on every move of the slider shows the chosen one.
const SCRIPT: &str = "(function(){var r=document.getElementById('__ID__');if(!r||r.dataset.ready)return;\
r.dataset.ready='1';var d=JSON.parse(r.querySelector('script[type=\"application/json\"]').textContent);\
var img=r.querySelector('img'),s=r.querySelector('input'),o=r.querySelector('output');\
function show(i){img.src='data:image/svg+xml;charset=utf-8,'+encodeURIComponent(d.prefix+d.parts[i]+d.suffix);\
o.textContent=d.labels[i];}s.disabled=false;s.addEventListener('input',function(){show(+s.value);});})();";

/// Byte lengths of the longest prefix and suffix all the strings share (on char boundaries, not overlapping).
fn shared_ends<'a>(mut texts: impl Iterator<Item = &'a str> + Clone) -> (usize, usize) {
    let first = texts.next().unwrap_or("");
    let mut prefix = first.len();
    let mut suffix = first.len();
    for t in texts {
        prefix = first
            .bytes()
            .zip(t.bytes())
            .take(prefix)
            .take_while(|(a, b)| a == b)
            .count();
        suffix = first
            .bytes()
            .rev()
            .zip(t.bytes().rev())
            .take(suffix.min(t.len()))
            .take_while(|(a, b)| a == b)
            .count();
        prefix = prefix.min(t.len());
    }
    while !first.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let shortest = first.len(); // every frame is at least prefix + suffix long: keep the two apart
    suffix = suffix.min(shortest - prefix);
    while !first.is_char_boundary(first.len() - suffix) {
        suffix -= 1;
    }
    (prefix, suffix)
}

/// A JSON string literal that is also safe inside an HTML `<script>`: `<` is written `\u003c`, so no
/// `</script>` or `<!--` a user put in a title or label can end the script.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A stable id for the output (the same frames give the same id, so a re-run does not change the notebook).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::Plot;

    fn slider(title: &str) -> Slider {
        Slider::new(
            &[0.5, 1.0, 2.0],
            |k| format!("</script>k = {k}"),
            |k| {
                Plot::new()
                    .title(title)
                    .x_range(0.0, 1.0)
                    .y_range(0.0, 2.0)
                    .function(move |x| k * x, (0.0, 1.0), "k x")
                    .figure()
            },
        )
        .unwrap()
    }

    /// The frames as the script rebuilds them from the JSON in the page.
    fn rebuilt(html: &str) -> Vec<String> {
        let json = html
            .split("<script type=\"application/json\">")
            .nth(1)
            .unwrap()
            .split("</script>")
            .next()
            .unwrap();
        let field = |name: &str| -> String {
            let start = json.find(&format!("\"{name}\":\"")).unwrap() + name.len() + 4;
            unescape(&json[start..json[start..].find("\",\"").unwrap() + start])
        };
        let (prefix, suffix) = (field("prefix"), field("suffix"));
        let parts = json
            .split("\"parts\":[")
            .nth(1)
            .unwrap()
            .split("],\"labels\"")
            .next()
            .unwrap();
        parts[1..parts.len() - 1]
            .split("\",\"")
            .map(|p| format!("{prefix}{}{suffix}", unescape(p)))
            .collect()
    }

    fn unescape(s: &str) -> String {
        s.replace("\\u003c", "<")
            .replace("\\u003e", ">")
            .replace("\\u0026", "&")
            .replace("\\n", "\n")
            .replace("\\\"", "\"")
            .replace("\\\\", "\\")
    }

    #[test]
    fn every_frame_is_rebuilt_exactly_from_the_shared_ends() {
        let s = slider("기울기 k");
        let frames = rebuilt(&s.html());
        assert_eq!(frames.len(), 3);
        for (got, want) in frames.iter().zip(&s.frames) {
            assert_eq!(got, want.svg());
        }
        // The frames share the axes and the labels: the page stores the ends once and ~4 kB (the
        // curve) per frame, about 60% of three whole SVGs.
        let html = s.html();
        let data = html
            .split("application/json\">")
            .nth(1)
            .unwrap()
            .split("</script>")
            .next()
            .unwrap();
        let total: usize = s.frames.iter().map(|f| f.svg().len()).sum();
        assert!(10 * data.len() < 7 * total, "{} vs {}", data.len(), total);
    }

    #[test]
    fn user_text_never_reaches_the_page_as_markup() {
        let html = slider("</script><script>alert(1)</script>").html();
        // The only scripts are the slider's own two; the title lives escaped inside the frames.
        assert_eq!(html.matches("<script").count(), 2);
        assert_eq!(html.matches("</script>").count(), 2);
        assert!(!html.contains("alert(1)</script>"));
        assert!(html.contains("<output>&lt;/script&gt;k = 0.5</output>"));
    }

    #[test]
    fn starts_at_the_nearest_value_and_degrades_to_that_frame() {
        let s = slider("k").start_at(1.9);
        let html = s.html();
        assert!(html.contains("value=\"2\""));
        let shown = crate::display::image_bytes(&html);
        assert_eq!(shown, s.frames[2].svg().as_bytes());
    }

    #[test]
    fn bad_input_is_an_error() {
        let draw = |_| Plot::new().line(&[0.0, 1.0], &[0.0, 1.0], "").figure();
        assert!(Slider::new(&[], |_| String::new(), draw)
            .unwrap_err()
            .to_string()
            .contains("empty"));
        let err = Slider::new(&[1.0, f64::NAN], |_| String::new(), draw).unwrap_err();
        assert!(err.to_string().contains("not a finite number"));
        let failing = Slider::new(&[1.0], |_| String::new(), |_| Plot::new().figure());
        assert!(failing.is_err());
    }

    #[test]
    fn shared_ends_stay_on_char_boundaries_and_apart() {
        assert_eq!(shared_ends(["가나다", "가나라"].into_iter()), (6, 0));
        assert_eq!(shared_ends(["abc", "abc"].into_iter()), (3, 0));
        assert_eq!(shared_ends(["xay", "xby"].into_iter()), (1, 1));
    }
}

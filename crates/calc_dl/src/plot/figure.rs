//! [`Figure`]: a finished SVG document, one panel or a grid of them, shown inline by evcxr.

use super::{Plot, FONT};
use crate::display::{content_display, escape_html, html_display, svg_image};
use crate::error::{Error, Result};
use plotters::prelude::*;
use std::path::Path;

/// A finished figure: one SVG document, shown inline by evcxr and saved with [`Figure::save_svg`].
#[derive(Clone, PartialEq)]
pub struct Figure {
    svg: String,
    size: (u32, u32),
    /// The figure drawn again for a projected slide (see [`Figure::slide_svg`]).
    slides: Option<String>,
}

/// How many times larger than in the notebook a figure's text is on a slide: 11.3 px tick labels
/// become about 22 px at 1280 x 720, readable at the back of a room.
const SLIDE_TEXT_GAIN: f64 = 1.9;
/// The room a slide gives one figure, in reveal.js's logical pixels (`WIDTH` x `FIGURE_MAX_PX` in
/// python/calc_dl_nb/slides.py, which enlarges each slide panel to fill it).
const SLIDE_FRAME: (f64, f64) = (880.0, 520.0);

/// The canvas, as a fraction of `size`, on which a panel drawn with the notebook's text sizes and
/// then enlarged to fill the slide frame shows its text [`SLIDE_TEXT_GAIN`] times larger.
fn slide_scale((w, h): (u32, u32)) -> f64 {
    ((SLIDE_FRAME.0 / w as f64).min(SLIDE_FRAME.1 / h as f64) / SLIDE_TEXT_GAIN).min(1.0)
}

/// One SVG holding `panels` (whole SVG documents) in a column, with the rectangle of each in
/// `data-calc-dl-panels` ("x,y,w,h;..."): the slides show each rectangle on a slide of its own.
fn slide_column(panels: &[String]) -> String {
    let roots: Vec<&str> = panels
        .iter()
        .map(|p| &p[p.find("<svg").unwrap_or(0)..])
        .collect();
    let sizes: Vec<(u32, u32)> = roots
        .iter()
        .map(|p| {
            (
                attr_px(p, "width").unwrap_or(0),
                attr_px(p, "height").unwrap_or(0),
            )
        })
        .collect();
    let width = sizes.iter().map(|s| s.0).max().unwrap_or(0);
    let height: u32 = sizes.iter().map(|s| s.1).sum();
    let (mut body, mut rects, mut y) = (String::new(), Vec::new(), 0);
    for (root, (w, h)) in roots.iter().zip(&sizes) {
        body.push_str(&format!(
            "<svg y=\"{y}\"{}\n",
            root.strip_prefix("<svg").unwrap_or(root)
        ));
        rects.push(format!("0,{y},{w},{h}"));
        y += h;
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" data-calc-dl-panels=\"{}\">\n{body}</svg>\n",
        rects.join(";")
    )
}

impl std::fmt::Debug for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Figure({}x{}, {} bytes of SVG)",
            self.size.0,
            self.size.1,
            self.svg.len()
        )
    }
}

impl Figure {
    /// Several panels in one figure, `cols` per row, with an optional overall `title` (`""` for none).
    /// Each panel keeps the size set with [`Plot::size`] (the first panel's size is used for all).
    ///
    /// ```
    /// use calc_dl::plot::{Figure, Plot};
    /// let a = Plot::new().title("왼쪽").line(&[0.0, 1.0], &[0.0, 1.0], "");
    /// let b = Plot::new().title("right").scatter(&[0.0, 1.0], &[1.0, 0.0], "");
    /// let fig = Figure::grid("두 패널", &[a, b], 2)?;
    /// assert_eq!(fig.size(), (960, 436)); // two 480 x 400 panels and the title
    /// # Ok::<(), calc_dl::Error>(())
    /// ```
    pub fn grid(title: &str, plots: &[Plot], cols: usize) -> Result<Figure> {
        let mut figure = Figure::render(title, plots, cols)?;
        // On a slide: each panel alone, on a smaller canvas with the same text sizes (the slide's
        // heading stands for the overall title, which would not fit the small canvas).
        let panels = plots
            .iter()
            .map(|plot| {
                let (w, h) = plot.panel_size();
                let f = slide_scale((w, h));
                let small = plot
                    .clone()
                    .size((w as f64 * f) as u32, (h as f64 * f) as u32);
                Figure::render("", &[small], 1).map(|f| f.svg)
            })
            .collect::<Result<Vec<_>>>()?;
        figure.slides = Some(slide_column(&panels));
        Ok(figure)
    }

    /// The panels in a grid, with no slide rendition.
    fn render(title: &str, plots: &[Plot], cols: usize) -> Result<Figure> {
        if plots.is_empty() {
            return Err(Error::empty("the list of panels"));
        }
        if cols == 0 {
            return Err(Error::parameter("cols", 0.0, "pass at least one column"));
        }
        let cols = cols.min(plots.len());
        let rows = plots.len().div_ceil(cols);
        let (pw, ph) = plots[0].panel_size();
        let title_h = if title.is_empty() { 0 } else { 36 };
        let size = (pw * cols as u32, ph * rows as u32 + title_h);
        let mut buffer = String::new();
        let mut overlay = String::new();
        {
            let root = SVGBackend::with_string(&mut buffer, size).into_drawing_area();
            root.fill(&WHITE).map_err(draw_err)?;
            let (top, body) = root.split_vertically(title_h);
            if !title.is_empty() {
                let style = TextStyle::from((FONT, 21).into_font().style(FontStyle::Bold)).pos(
                    plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    ),
                );
                top.draw_text(title, &style, (size.0 as i32 / 2, title_h as i32 / 2 + 2))
                    .map_err(draw_err)?;
            }
            for (i, (plot, area)) in plots
                .iter()
                .zip(body.split_evenly((rows, cols)))
                .enumerate()
            {
                plot.render(&area, i, &mut overlay)?;
            }
            root.present().map_err(draw_err)?;
        }
        Ok(Figure {
            svg: insert_before_end(buffer, &overlay),
            size,
            slides: None,
        })
    }

    /// Draw anything with plotters directly (like `plotters::evcxr::evcxr_figure`, but errors are returned
    /// instead of panicking).
    ///
    /// ```
    /// use calc_dl::plot::Figure;
    /// use calc_dl::plotters::prelude::*;
    /// let fig = Figure::draw((300, 200), |root| {
    ///     root.fill(&WHITE)?;
    ///     root.draw(&Circle::new((150, 100), 50, RED.filled()))?;
    ///     Ok(())
    /// })?;
    /// assert!(fig.svg().contains("<circle"));
    /// # Ok::<(), calc_dl::Error>(())
    /// ```
    pub fn draw(
        size: (u32, u32),
        draw: impl FnOnce(
            DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        ) -> std::result::Result<(), Box<dyn std::error::Error>>,
    ) -> Result<Figure> {
        let mut buffer = String::new();
        {
            let root = SVGBackend::with_string(&mut buffer, size).into_drawing_area();
            draw(root).map_err(|e| Error::output("the figure", e))?;
        }
        Figure::from_svg(buffer)
    }

    /// Wraps an SVG document made elsewhere; it must start with `<svg` (an XML declaration before it is
    /// allowed) and end with `</svg>`.
    pub fn from_svg(svg: impl Into<String>) -> Result<Figure> {
        let svg = svg.into();
        let body = match svg.trim_start().strip_prefix("<?xml") {
            Some(rest) => rest.split_once("?>").map_or("", |(_, b)| b).trim_start(),
            None => svg.trim_start(),
        };
        if !body.starts_with("<svg") || !svg.trim_end().ends_with("</svg>") {
            return Err(Error::output(
                "the figure",
                "the text is not an SVG document (<svg ...>...</svg>)",
            ));
        }
        let size = (
            attr_px(body, "width").unwrap_or(0),
            attr_px(body, "height").unwrap_or(0),
        );
        Ok(Figure {
            svg,
            size,
            slides: None,
        })
    }

    /// The same figure with `svg` as its slide rendition (made by [`slide_column`]).
    pub(crate) fn with_slides(mut self, svg: String) -> Figure {
        self.slides = Some(svg);
        self
    }

    /// The figure as a projected slide shows it, if it has a rendition for that: each panel alone
    /// (`data-calc-dl-panels` names their rectangles), on a canvas small enough that the slide,
    /// enlarging it to its frame, shows the text about twice the notebook's size. Sent with the
    /// notebook's output as `image/svg+xml` (JupyterLab and nbconvert show the `text/html` beside it);
    /// the slides of scripts/build_book.py use it.
    pub fn slide_svg(&self) -> Option<&str> {
        self.slides.as_deref()
    }

    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// The HTML that shows the figure in a notebook: an `<img>` holding the SVG, so that it draws in an
    /// untrusted notebook too (see [`crate::display`]); its `alt` text is the figure's words.
    pub fn html(&self) -> String {
        svg_image(&self.svg, self.size, &svg_words(&self.svg))
    }

    /// Shows the figure inline in a notebook (evcxr calls this for the value of a cell).
    pub fn evcxr_display(&self) {
        html_display(&self.html());
        if let Some(slides) = &self.slides {
            content_display("image/svg+xml", slides);
        }
    }

    /// Writes the SVG to `path`.
    pub fn save_svg(&self, path: impl AsRef<Path>) -> Result<()> {
        write_file(path.as_ref(), &self.svg)
    }

    /// An HTML page holding the figure inline (its text selectable), for viewing a saved file in any browser.
    pub fn standalone_html(&self, title: &str) -> String {
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body>{}</body></html>",
            escape_html(title),
            self.svg
        )
    }
}

pub(super) fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::output("the figure", e)
}

/// Inserts `extra` just before the closing `</svg>`.
fn insert_before_end(mut svg: String, extra: &str) -> String {
    if let Some(i) = svg.rfind("</svg>") {
        svg.insert_str(i, extra);
    }
    svg
}

/// The words an SVG shows (its `<text>` contents, entities decoded), at most about 300 characters: the
/// figure's description for readers who cannot see it.
pub(crate) fn svg_words(svg: &str) -> String {
    let mut words = String::new();
    for piece in svg.split("<text").skip(1) {
        let Some((_, rest)) = piece.split_once('>') else {
            continue;
        };
        let text = rest.split("</text>").next().unwrap_or("").trim();
        if text.is_empty() || text.contains('<') {
            continue;
        }
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(text);
        if words.len() > 300 {
            break;
        }
    }
    words
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Reads `name="123"` from the root tag.
fn attr_px(root: &str, name: &str) -> Option<u32> {
    let tag = &root[..root.find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = &tag[start..];
    rest[..rest.find('"')?]
        .trim_end_matches("px")
        .parse::<f64>()
        .ok()
        .map(|v| v as u32)
}

/// Writes a saved figure or animation, naming the file in the error.
pub(super) fn write_file(path: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::output(path.display().to_string(), e))
}

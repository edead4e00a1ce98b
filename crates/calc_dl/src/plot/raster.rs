//! Pixels from the SVG figures (feature `raster`): PNG export and GIF animations, rasterised with resvg.
//!
//! Text needs a font installed on the machine (Debian's `fonts-nanum` has the Korean glyphs); without
//! one the figure would lose every label, so that is an error rather than a silent blank.

use super::Figure;
use crate::display::html_display;
use crate::error::{Error, Result};
use base64::Engine;
use resvg::{tiny_skia, usvg};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The machine's fonts, loaded once (scanning the font folders takes a noticeable fraction of a second).
fn fonts() -> Result<Arc<usvg::fontdb::Database>> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    let db = FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        Arc::new(db)
    });
    if db.is_empty() {
        return Err(Error::output(
            "a PNG or GIF",
            "no font is installed, so the labels cannot be drawn; install one (e.g. apt-get install fonts-nanum)",
        ));
    }
    Ok(Arc::clone(db))
}

fn raster_err(e: impl std::fmt::Display) -> Error {
    Error::output("the rasterised figure", e)
}

impl Figure {
    /// The figure as an RGBA pixmap at its own size.
    fn pixmap(&self) -> Result<tiny_skia::Pixmap> {
        let options = usvg::Options {
            fontdb: fonts()?,
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(self.svg(), &options).map_err(raster_err)?;
        let size = tree.size().to_int_size();
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
            raster_err(format!(
                "a figure of {}x{} pixels is empty",
                size.width(),
                size.height()
            ))
        })?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
        Ok(pixmap)
    }

    /// The figure as PNG bytes.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        self.pixmap()?.encode_png().map_err(raster_err)
    }

    /// Writes the figure as a PNG file.
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<()> {
        super::write_file(path.as_ref(), self.to_png()?)
    }
}

/// An animated GIF: shows inline in a notebook and saves as a `.gif` file.
#[derive(Clone, PartialEq)]
pub struct Gif {
    bytes: Vec<u8>,
    frames: usize,
}

impl std::fmt::Debug for Gif {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gif({} frames, {} bytes)", self.frames, self.bytes.len())
    }
}

impl Gif {
    /// Plays `frames` in a loop, `frame_ms` milliseconds each (GIF counts in 10 ms units). All frames
    /// take the first one's size.
    pub fn from_frames(frames: &[Figure], frame_ms: u32) -> Result<Gif> {
        let first = frames
            .first()
            .ok_or_else(|| Error::empty("the list of frames"))?;
        if frame_ms < 10 {
            return Err(Error::parameter(
                "frame_ms",
                f64::from(frame_ms),
                "a GIF frame lasts at least 10 ms",
            ));
        }
        let (w, h) = first.size();
        let (w16, h16) = (
            u16::try_from(w).map_err(raster_err)?,
            u16::try_from(h).map_err(raster_err)?,
        );
        let mut bytes = Vec::new();
        {
            let mut encoder = gif::Encoder::new(&mut bytes, w16, h16, &[]).map_err(raster_err)?;
            encoder
                .set_repeat(gif::Repeat::Infinite)
                .map_err(raster_err)?;
            for figure in frames {
                if figure.size() != (w, h) {
                    return Err(Error::shape(
                        "GIF frames",
                        format!("{w}x{h}"),
                        format!("{:?}", figure.size()),
                    ));
                }
                let mut rgba = figure.pixmap()?.take();
                let mut frame = gif::Frame::from_rgba_speed(w16, h16, &mut rgba, 10);
                frame.delay = u16::try_from(frame_ms / 10).unwrap_or(u16::MAX);
                encoder.write_frame(&frame).map_err(raster_err)?;
            }
        }
        Ok(Gif {
            bytes,
            frames: frames.len(),
        })
    }

    /// The GIF file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// How many frames it plays.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// An `<img>` holding the GIF as a data URL.
    pub fn html(&self) -> String {
        let data = base64::engine::general_purpose::STANDARD.encode(&self.bytes);
        format!("<img src=\"data:image/gif;base64,{data}\" alt=\"animation\"/>")
    }

    /// Shows the animation inline in a notebook.
    pub fn evcxr_display(&self) {
        html_display(&self.html());
    }

    /// Writes the `.gif` file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        super::write_file(path.as_ref(), &self.bytes)
    }
}

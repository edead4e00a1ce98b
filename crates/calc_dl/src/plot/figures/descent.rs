//! Gradient descent drawn: a 1-D path on its loss curve and the loss per step, one panel per
//! learning rate, a 2-D path on contour lines with the field of `-∇f`, and the animated descent.

#[cfg(feature = "raster")]
use super::min_max;
use super::{around, num, BLUE, GRAY, GREEN, RED};
use crate::error::{check_finite, check_point, Error, Result};
use crate::plot::contour::Grid;
use crate::plot::input::{check_range, samples};
use crate::plot::{Figure, Legend, Marker, Plot, PALETTE};
use plotters::style::{RGBColor, BLACK};

/// The loss at each step of a 1-D descent `path`, and `f` sampled around it, for the descent pictures.
fn descent_data(f: &impl Fn(f64) -> f64, path: &[f64]) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    check_point("the descent path", path)?;
    let losses: Vec<f64> = path.iter().map(|&w| f(w)).collect();
    check_point("the loss along the path", &losses)?;
    let (xs, ys) = samples(f, around(path), 300);
    Ok((losses, xs, ys))
}

/// Notebook 05's descent picture: the path of a 1-D gradient descent on the loss curve (left) and the
/// loss at each step (right). `path` holds the visited weights, start first.
///
/// ```
/// let mut w = vec![4.0];
/// for _ in 0..15 { let x = *w.last().unwrap(); w.push(x - 0.15 * 2.0 * x); }
/// let fig = calc_dl::plot::descent_on_curve("경사 하강법 (lr = 0.15)", |w| w * w, &w)?;
/// assert!(fig.svg().contains("start"));
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn descent_on_curve(title: &str, f: impl Fn(f64) -> f64, path: &[f64]) -> Result<Figure> {
    let (losses, xs, ys) = descent_data(&f, path)?;
    let last = path.len() - 1;
    let left = Plot::new()
        .title("loss curve and path")
        .x_label("w")
        .y_label("loss")
        .line(&xs, &ys, "L(w)")
        .color(BLUE)
        .line(path, &losses, "path")
        .color(RED)
        .width(1.5)
        .marker(Marker::Circle)
        .point(path[0], losses[0], "start")
        .color(GREEN)
        .marker_size(11.0)
        .point(path[last], losses[last], "end")
        .color(BLUE);
    let steps: Vec<f64> = (0..path.len()).map(|i| i as f64).collect();
    let floor = losses.iter().copied().fold(0.0, f64::min);
    let right = Plot::new()
        .title("loss per step")
        .x_label("step")
        .y_label("loss")
        .fill_between(&steps, &vec![floor; steps.len()], &losses, "")
        .color(RED)
        .line(&steps, &losses, "loss")
        .color(RED)
        .marker(Marker::Circle)
        .note(format!("final loss = {}", num(losses[last])));
    Figure::grid(title, &[left, right], 2)
}

/// The learning-rate comparison of notebooks 01 and 05: one panel per `(learning rate, path)` run on
/// the same loss, each noting its final loss.
///
/// ```
/// let run = |lr: f64| { let mut w = vec![4.0]; for _ in 0..20 { let x = *w.last().unwrap(); w.push(x - lr * 2.0 * x); } w };
/// let (a, b, c) = (run(0.01), run(0.15), run(0.9));
/// let fig = calc_dl::plot::learning_rates("학습률 비교", |w| w * w, &[(0.01, &a), (0.15, &b), (0.9, &c)])?;
/// assert!(fig.svg().contains("lr = 0.9"));
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn learning_rates(
    title: &str,
    f: impl Fn(f64) -> f64,
    runs: &[(f64, &[f64])],
) -> Result<Figure> {
    if runs.is_empty() {
        return Err(Error::empty("the list of runs"));
    }
    let mut all = Vec::new();
    for (lr, path) in runs {
        check_finite("learning rate", *lr)?;
        check_point(&format!("the path for lr = {lr}"), path)?;
        all.extend_from_slice(path);
    }
    let (xs, ys) = samples(&f, around(&all), 300);
    let colors = [BLUE, GREEN, RED, PALETTE[1], PALETTE[4]];
    let mut panels = Vec::new();
    for (k, (lr, path)) in runs.iter().enumerate() {
        let losses: Vec<f64> = path.iter().map(|&w| f(w)).collect();
        check_point(&format!("the loss along the path for lr = {lr}"), &losses)?;
        panels.push(
            Plot::new()
                .title(format!("lr = {}", num(*lr)))
                .x_label("w")
                .y_label("loss")
                .size(400, 360)
                .line(&xs, &ys, "")
                .color(GRAY)
                .opacity(0.6)
                .line(path, &losses, "")
                .color(colors[k % colors.len()])
                .width(1.5)
                .marker(Marker::Circle)
                .point(path[0], losses[0], "")
                .color(BLACK)
                .legend(Legend::Hidden)
                .note(format!("final loss = {}", num(losses[losses.len() - 1]))),
        );
    }
    Figure::grid(title, &panels, runs.len().min(3))
}

/// The 2-D picture of notebooks 06 and 10: iso-lines of `f(x, y)` (marching squares on a 60 x 60
/// grid), arrows of `-∇f` (the descent direction, central differences) and a descent `path` of
/// `(x, y)` points.
///
/// ```
/// let path: Vec<(f64, f64)> = (0..20).map(|k| { let s = 0.8f64.powi(k); (2.5 * s, -2.0 * s) }).collect();
/// let fig = calc_dl::plot::contour_descent("f(x, y) = x² + y²", |x, y| x * x + y * y, (-3.0, 3.0), (-3.0, 3.0), &path)?;
/// assert!(fig.svg().contains("-∇f"));
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn contour_descent(
    title: &str,
    f: impl Fn(f64, f64) -> f64,
    x_range: (f64, f64),
    y_range: (f64, f64),
    path: &[(f64, f64)],
) -> Result<Figure> {
    let (x, y) = (
        check_range("x range", x_range)?,
        check_range("y range", y_range)?,
    );
    let grid = Grid::sample(&f, x, y, 60);
    let levels = grid.levels(10);
    if levels.is_empty() {
        return Err(Error::non_finite("every value of f on the grid", f64::NAN));
    }
    let mut plot = Plot::new()
        .title(title)
        .x_label("x")
        .y_label("y")
        .size(560, 500)
        .x_range(x.0, x.1)
        .y_range(y.0, y.1);
    for (k, &level) in levels.iter().enumerate() {
        let label = if k == 0 || k == levels.len() - 1 {
            format!("f = {}", num(level))
        } else {
            String::new()
        };
        plot = plot
            .segments(&grid.iso_segments(level), &label)
            .color(viridis(k as f64 / (levels.len() - 1).max(1) as f64));
    }

    // -∇f on an 11 x 11 grid, scaled so the longest arrow spans 85 % of a cell.
    let n = 11;
    let (cx, cy) = ((x.1 - x.0) / n as f64, (y.1 - y.0) / n as f64);
    let (hx, hy) = (1e-5 * (x.1 - x.0), 1e-5 * (y.1 - y.0));
    let mut arrows = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let (px, py) = (x.0 + (i as f64 + 0.5) * cx, y.0 + (j as f64 + 0.5) * cy);
            let gx = (f(px + hx, py) - f(px - hx, py)) / (2.0 * hx);
            let gy = (f(px, py + hy) - f(px, py - hy)) / (2.0 * hy);
            if gx.is_finite() && gy.is_finite() {
                arrows.push(((px, py), (-gx, -gy)));
            }
        }
    }
    let gmax = arrows
        .iter()
        .map(|(_, g)| g.0.hypot(g.1))
        .fold(0.0, f64::max);
    if gmax > 0.0 {
        let s = 0.85 * cx.min(cy) / gmax;
        let mut labelled = false;
        for ((px, py), (gx, gy)) in arrows {
            if gx.hypot(gy) * s > 0.08 * cx.min(cy) {
                plot = plot
                    .arrow((px, py), (px + gx * s, py + gy * s))
                    .color(GRAY)
                    .width(1.0);
                if !labelled {
                    plot = plot.label("-∇f (descent direction)");
                    labelled = true;
                }
            }
        }
    }
    if !path.is_empty() {
        let last = path[path.len() - 1];
        plot = plot
            .path(path, "descent path")
            .color(RED)
            .width(1.8)
            .marker(Marker::Circle)
            .marker_size(3.0)
            .point(path[0].0, path[0].1, "start")
            .color(GREEN)
            .marker_size(10.0)
            .point(last.0, last.1, "end")
            .color(BLUE);
    }
    plot.figure()
}

/// matplotlib's viridis colour map at `t` in 0..1 (five stops, linear in between).
fn viridis(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let (a, b, u) = (STOPS[i], STOPS[i + 1], t - i as f64);
    let mix = |p: f64, q: f64| (p + (q - p) * u).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// An animated descent: the point walks along `path` on the curve of `f`, one step every `frame_ms`,
/// with the step, weight and loss written in the corner. It is SMIL inside the SVG, so it plays inline
/// in JupyterLab and any browser without a GIF encoder or a font file; static renderers show step 0.
///
/// ```
/// let mut w = vec![4.0];
/// for _ in 0..15 { let x = *w.last().unwrap(); w.push(x - 0.15 * 2.0 * x); }
/// let fig = calc_dl::plot::descent_animation("경사 하강법 애니메이션", |w| w * w, &w, 300)?;
/// assert!(fig.svg().contains("<animate"));
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn descent_animation(
    title: &str,
    f: impl Fn(f64) -> f64,
    path: &[f64],
    frame_ms: u32,
) -> Result<Figure> {
    let (losses, xs, ys) = descent_data(&f, path)?;
    let points: Vec<(f64, f64)> = path.iter().copied().zip(losses.iter().copied()).collect();
    let captions = points
        .iter()
        .enumerate()
        .map(|(i, (w, l))| format!("step {i}: w = {}, L = {}", num(*w), num(*l)))
        .collect();
    Plot::new()
        .title(title)
        .x_label("w")
        .y_label("loss")
        .size(640, 440)
        .line(&xs, &ys, "L(w)")
        .color(BLUE)
        .point(path[0], losses[0], "start")
        .color(GREEN)
        .marker_size(11.0)
        .animate(&points, captions, frame_ms)
        .legend(Legend::UpperLeft)
        .figure()
}

/// The descent of [`descent_animation`] as an animated GIF (feature `raster`): one frame per step, the
/// path so far drawn on the loss curve.
#[cfg(feature = "raster")]
pub fn descent_gif(
    title: &str,
    f: impl Fn(f64) -> f64,
    path: &[f64],
    frame_ms: u32,
) -> Result<crate::plot::Gif> {
    let (losses, xs, ys) = descent_data(&f, path)?;
    let (lo, hi) = min_max("the loss curve", &ys)?;
    let points: Vec<(f64, f64)> = path.iter().copied().zip(losses.iter().copied()).collect();
    let frames = (0..points.len())
        .map(|k| {
            let (w, l) = points[k];
            Plot::new()
                .title(title)
                .x_label("w")
                .y_label("loss")
                .size(640, 440)
                .y_range(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
                .line(&xs, &ys, "L(w)")
                .color(BLUE)
                .path(&points[..=k], "path")
                .color(RED)
                .note(format!("step {k}: w = {}, L = {}", num(w), num(l)))
                .legend(Legend::UpperLeft)
                .figure()
        })
        .collect::<Result<Vec<_>>>()?;
    crate::plot::Gif::from_frames(&frames, frame_ms)
}

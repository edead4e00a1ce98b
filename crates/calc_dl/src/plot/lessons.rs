//! The figures of the lessons, one function each. They take plain closures and slices (a descent
//! history is just the list of visited points), so they work with any optimiser.

use super::chart::{check_range, samples};
use super::contour::Grid;
use super::{Figure, Marker, Plot, PALETTE};
use crate::diff::taylor;
use crate::error::{check_finite, check_point, Error, Result};
use crate::jet::Jet;
use crate::numeric;
use plotters::style::{RGBColor, BLACK};

const GRAY: RGBColor = RGBColor(128, 128, 128);
const GREEN: RGBColor = PALETTE[2];
const RED: RGBColor = PALETTE[3];
const BLUE: RGBColor = PALETTE[0];

/// A number for a label: 4 decimals, but scientific where that would hide it (|v| < 1e-3, or ≥ 1e6).
fn num(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-3..1e6).contains(&v.abs()) {
        return format!("{v:.3e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// Finite min and max, or an error naming `what`.
fn min_max(what: &str, v: &[f64]) -> Result<(f64, f64)> {
    let lo = v
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = v
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() {
        Ok((lo, hi))
    } else {
        Err(Error::non_finite(
            format!("every value of {what}"),
            f64::NAN,
        ))
    }
}

/// The range of a descent history with room around it (at least 1 on each side).
fn around(path: &[f64]) -> (f64, f64) {
    let (lo, hi) = path
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let pad = (0.25 * (hi - lo)).max(1.0);
    (lo - pad, hi + pad)
}

/// `f` with its tangent lines at the points `at` (lesson 2: x² at -2, 0 and 1.5); slopes by central
/// differences. The y range fits `f`, so long tangents are clipped as in the lesson's `plt.ylim`.
///
/// ```
/// let fig = calc_dl::plot::tangent_lines("접선의 기울기 = 미분", |x| x * x, (-3.0, 3.0), &[-2.0, 0.0, 1.5])?;
/// assert!(fig.svg().contains("slope = -4"));
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn tangent_lines(
    title: &str,
    f: impl Fn(f64) -> f64,
    x_range: (f64, f64),
    at: &[f64],
) -> Result<Figure> {
    let (lo, hi) = check_range("x range", x_range)?;
    check_point("tangent points", at)?;
    let (xs, ys) = samples(&f, (lo, hi), 300);
    let (ymin, ymax) = min_max("f on the x range", &ys)?;
    let pad = 0.1 * (ymax - ymin).max(1e-9);
    let mut plot = Plot::new()
        .title(title)
        .x_label("x")
        .y_label("f(x)")
        .size(640, 480)
        .hline(0.0)
        .line(&xs, &ys, "f(x)")
        .color(BLUE)
        .width(2.5)
        .y_range(ymin - 2.0 * pad, ymax + pad);
    if lo < 0.0 && hi > 0.0 {
        plot = plot.vline(0.0);
    }
    let half = (hi - lo) / 4.0;
    for (k, &p) in at.iter().enumerate() {
        let (y, slope) = (f(p), numeric::derivative(&f, p)?.value);
        check_finite(&format!("f({p})"), y)?;
        let color = [RED, GREEN, PALETTE[1], PALETTE[4], PALETTE[5]][k % 5];
        let tx = [p - half, p + half];
        let ty = tx.map(|x| y + slope * (x - p));
        plot = plot
            .line(&tx, &ty, &format!("x = {}: slope = {}", num(p), num(slope)))
            .color(color)
            .dashed()
            .scatter(&[p], &[y], "")
            .color(color)
            .marker_size(6.0);
    }
    plot.figure()
}

/// Lesson 2's pair of panels: `f` on top with its extrema marked, `f'` below (central differences)
/// shaded green where f rises and red where it falls.
///
/// ```
/// let fig = calc_dl::plot::function_and_derivative("f(x) = x³ - 3x", |x| x.powi(3) - 3.0 * x, (-2.5, 2.5))?;
/// assert!(fig.svg().contains("local max") && fig.svg().contains("local min"));
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn function_and_derivative(
    title: &str,
    f: impl Fn(f64) -> f64,
    x_range: (f64, f64),
) -> Result<Figure> {
    let (lo, hi) = check_range("x range", x_range)?;
    let df = |x: f64| numeric::derivative(&f, x).map_or(f64::NAN, |d| d.value);
    let (xs, ys) = samples(&f, (lo, hi), 300);
    let (_, dys) = samples(&df, (lo, hi), 300);
    let (ymin, ymax) = min_max("f on the x range", &ys)?;
    min_max("f' on the x range", &dys)?;

    // Extrema: where f' changes sign, refined by bisection.
    let mut extrema = Vec::new();
    for i in 0..xs.len() - 1 {
        let (d0, d1) = (dys[i], dys[i + 1]);
        if !(d0.is_finite() && d1.is_finite()) || d0.signum() == d1.signum() || d0 == 0.0 {
            continue;
        }
        let (mut a, mut b) = (xs[i], xs[i + 1]);
        for _ in 0..60 {
            let m = 0.5 * (a + b);
            if df(m).signum() == d0.signum() {
                a = m;
            } else {
                b = m;
            }
        }
        extrema.push((0.5 * (a + b), d0 > 0.0));
    }

    let span = (ymax - ymin).max(1e-9);
    let mut top = Plot::new()
        .title("f(x)")
        .y_label("f(x)")
        .size(640, 300)
        .hline(0.0)
        .line(&xs, &ys, "f(x)")
        .color(BLUE);
    let zeros: Vec<f64> = extrema.iter().map(|_| 0.0).collect();
    let ex: Vec<f64> = extrema.iter().map(|e| e.0).collect();
    for &(x, is_max) in &extrema {
        let y = f(x);
        let (label, dy) = if is_max {
            ("local max", 0.18)
        } else {
            ("local min", -0.22)
        };
        top = top
            .scatter(&[x], &[y], "")
            .color(RED)
            .marker_size(6.0)
            .annotate(label, (x, y), (x + 0.12 * (hi - lo), y + dy * span));
    }
    top = top.y_range(ymin - 0.3 * span, ymax + 0.3 * span);

    let pos: Vec<f64> = dys.iter().map(|d| d.max(0.0)).collect();
    let neg: Vec<f64> = dys.iter().map(|d| d.min(0.0)).collect();
    let zero = vec![0.0; xs.len()];
    let finite: Vec<usize> = (0..xs.len()).filter(|&i| dys[i].is_finite()).collect();
    let pick = |v: &[f64]| finite.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let mut bottom = Plot::new()
        .title("f'(x)")
        .x_label("x")
        .y_label("f'(x)")
        .size(640, 300)
        .hline(0.0)
        .fill_between(
            &pick(&xs),
            &pick(&zero),
            &pick(&pos),
            "f'(x) > 0: increasing",
        )
        .color(GREEN)
        .fill_between(
            &pick(&xs),
            &pick(&neg),
            &pick(&zero),
            "f'(x) < 0: decreasing",
        )
        .color(RED)
        .line(&xs, &dys, "f'(x)")
        .color(RED);
    if !ex.is_empty() {
        bottom = bottom
            .scatter(&ex, &zeros, "f'(x) = 0: extremum")
            .color(RED)
            .marker_size(6.0);
    }
    Figure::grid(title, &[top, bottom], 1)
}

/// The loss at each step of a 1-D descent `path`, and `f` sampled around it, for the descent pictures.
fn descent_data(f: &impl Fn(f64) -> f64, path: &[f64]) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    check_point("the descent path", path)?;
    let losses: Vec<f64> = path.iter().map(|&w| f(w)).collect();
    check_point("the loss along the path", &losses)?;
    let (xs, ys) = samples(f, around(path), 300);
    Ok((losses, xs, ys))
}

/// Lesson 2's descent picture: the path of a 1-D gradient descent on the loss curve (left) and the
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

/// Lesson 2's learning-rate comparison: one panel per `(learning rate, path)` run on the same loss,
/// each noting its final loss.
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
                .legend(super::Legend::Hidden)
                .note(format!("final loss = {}", num(losses[losses.len() - 1]))),
        );
    }
    Figure::grid(title, &panels, runs.len().min(3))
}

/// Lesson 4's 2-D picture: iso-lines of `f(x, y)` (marching squares on a 60 x 60 grid), arrows of
/// `-∇f` (the descent direction, central differences) and a descent `path` of `(x, y)` points.
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

/// Lesson 4's Taylor picture: `f` against its Taylor polynomials at `x0` of the given `orders`
/// (exact coefficients from [`taylor`]); the y range fits `f` with room, so diverging polynomials
/// leave the panel instead of flattening it.
///
/// ```
/// use calc_dl::Scalar;
/// let fig = calc_dl::plot::taylor_approximations("sin x 의 테일러 근사", |x| x.sin(), 0.0, &[1, 3, 5, 7], (-6.0, 6.0))?;
/// assert!(fig.svg().contains("order 5"));
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn taylor_approximations(
    title: &str,
    f: impl Fn(Jet) -> Jet,
    x0: f64,
    orders: &[usize],
    x_range: (f64, f64),
) -> Result<Figure> {
    let r = check_range("x range", x_range)?;
    check_finite("x0", x0)?;
    if orders.is_empty() {
        return Err(Error::empty("the list of orders"));
    }
    let value = |x: f64| taylor(&f, x, 0).map_or(f64::NAN, |t| t.coeffs[0]);
    let (xs, ys) = samples(&value, r, 300);
    let (lo, hi) = min_max("f on the x range", &ys)?;
    let pad = 0.5 * (hi - lo).max(1.0);
    let mut plot = Plot::new()
        .title(title)
        .x_label("x")
        .y_label("y")
        .size(640, 440)
        .hline(0.0);
    for (k, &order) in orders.iter().enumerate() {
        let t = taylor(&f, x0, order)?;
        plot = plot
            .function(|x| t.at(x), r, &format!("order {order}"))
            .color(PALETTE[(k + 1) % 10])
            .dashed();
    }
    let y0 = value(x0);
    check_finite("f(x0)", y0)?;
    plot.line(&xs, &ys, "f(x)")
        .color(BLACK)
        .width(2.5)
        .point(x0, y0, &format!("x0 = {}", num(x0)))
        .color(RED)
        .y_range(lo - pad, hi + pad)
        .figure()
}

/// Gradient norm per layer on a log axis, one line per series (lesson 0's vanishing gradients):
/// `series` holds `(name, norms)` with `norms[k]` the norm at layer `k + 1`.
///
/// ```
/// let sigmoid: Vec<f64> = (0..20).map(|k| 0.25f64.powi(k)).collect();
/// let relu: Vec<f64> = (0..20).map(|k| 0.9f64.powi(k)).collect();
/// let fig = calc_dl::plot::gradient_norms("층별 기울기 크기", &[("sigmoid", &sigmoid), ("ReLU", &relu)])?;
/// assert!(fig.svg().contains("10⁻"));
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn gradient_norms(title: &str, series: &[(&str, &[f64])]) -> Result<Figure> {
    if series.is_empty() {
        return Err(Error::empty("the list of series"));
    }
    let mut plot = Plot::new()
        .title(title)
        .x_label("layer")
        .y_label("gradient norm")
        .size(640, 420)
        .log_y();
    for (name, norms) in series {
        let layers: Vec<f64> = (1..=norms.len()).map(|k| k as f64).collect();
        plot = plot
            .line(&layers, norms, name)
            .marker(Marker::Circle)
            .marker_size(3.0);
    }
    plot.figure()
}

/// Data points with the fitted line `y = w x + b` and the residuals (lessons 3 and 4).
///
/// ```
/// let xs = [1.0, 2.0, 3.0, 4.0];
/// let ys = [2.1, 3.9, 6.2, 7.8];
/// let fig = calc_dl::plot::regression_line("선형 회귀", &xs, &ys, 1.94, 0.15)?;
/// assert!(fig.svg().contains("y = 1.94x + 0.15"));
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn regression_line(title: &str, xs: &[f64], ys: &[f64], w: f64, b: f64) -> Result<Figure> {
    check_point("xs", xs)?;
    check_point("ys", ys)?;
    if xs.len() != ys.len() {
        return Err(Error::shape("xs and ys", xs.len(), ys.len()));
    }
    check_finite("w", w)?;
    check_finite("b", b)?;
    let (lo, hi) = min_max("xs", xs)?;
    let pad = 0.05 * (hi - lo).max(1.0);
    let lx = [lo - pad, hi + pad];
    let ly = lx.map(|x| w * x + b);
    let residuals: Vec<[(f64, f64); 2]> = xs
        .iter()
        .zip(ys)
        .map(|(&x, &y)| [(x, y), (x, w * x + b)])
        .collect();
    let sign = if b < 0.0 { "-" } else { "+" };
    Plot::new()
        .title(title)
        .x_label("x")
        .y_label("y")
        .size(600, 420)
        .segments(&residuals, "residual")
        .color(GRAY)
        .dashed()
        .line(
            &lx,
            &ly,
            &format!("y = {}x {sign} {}", num(w), num(b.abs())),
        )
        .color(RED)
        .scatter(xs, ys, "data")
        .color(BLUE)
        .marker_size(5.0)
        .figure()
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
        .legend(super::Legend::UpperLeft)
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
) -> Result<super::Gif> {
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
                .legend(super::Legend::UpperLeft)
                .figure()
        })
        .collect::<Result<Vec<_>>>()?;
    super::Gif::from_frames(&frames, frame_ms)
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_numbers() {
        assert_eq!(super::num(-4.0), "-4");
        assert_eq!(super::num(0.15), "0.15");
        assert_eq!(super::num(-0.0), "0");
        // Tiny but not zero: scientific, so a converged loss is not labelled 0.
        assert_eq!(super::num(-0.00001), "-1.000e-5");
        assert_eq!(super::num(2.5e6), "2.500e6");
    }
}

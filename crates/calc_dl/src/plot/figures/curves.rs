//! A function and what calculus says about it: tangent lines, extrema from the sign of `f'`,
//! Taylor polynomials; and two pictures of data: a fitted line, gradient norms per layer.

use super::{min_max, num, BLUE, GRAY, GREEN, RED};
use crate::diff::taylor;
use crate::error::{check_finite, check_point, Error, Result};
use crate::jet::Jet;
use crate::numeric;
use crate::plot::input::{check_range, samples};
use crate::plot::{Figure, Marker, Plot, PALETTE};
use plotters::style::BLACK;

/// `f` with its tangent lines at the points `at` (notebook 03: x² at -2, 0 and 1.5); slopes by central
/// differences. The y range fits `f`, so long tangents are clipped as by matplotlib's `plt.ylim`.
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

/// Notebook 03's pair of panels: `f` on top with its extrema marked, `f'` below (central differences)
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

/// Notebook 10's Taylor picture: `f` against its Taylor polynomials at `x0` of the given `orders`
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

/// Gradient norm per layer on a log axis, one line per series (the vanishing gradients of notebooks
/// 01 and 04): `series` holds `(name, norms)` with `norms[k]` the norm at layer `k + 1`.
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

/// Data points with the fitted line `y = w x + b` and the residuals (notebooks 07 and 08).
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

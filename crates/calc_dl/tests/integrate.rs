//! Integrals against closed forms: adaptive quadrature to twelve digits with an honest error estimate
//! (never below the true error), the composite rules at their textbook orders, Riemann sums, the
//! cumulative integral and Monte Carlo; then random polynomials and exponentials, and the fundamental
//! theorem of calculus through the library's own derivative.

use calc_dl::integrate::{self, Distribution, Quad, QuadResult, Riemann};
use calc_dl::prelude::*;
use proptest::prelude::*;
use std::f64::consts::{E, PI};

const INF: f64 = f64::INFINITY;

/// A named integrand on a range: `(name, f, a, b)`, and with the exact value.
type Case = (&'static str, fn(f64) -> f64, f64, f64);
type Known = (&'static str, fn(f64) -> f64, f64, f64, f64);

/// Quadrature of `f` over `[a, b]` with the default tolerances: it must succeed, and its error
/// estimate must cover the true error.
fn quad_against(name: &str, f: impl Fn(f64) -> f64, a: f64, b: f64, truth: f64) -> QuadResult {
    let r = Quad::default()
        .integral(f, a, b)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let err = (r.value - truth).abs();
    assert!(
        r.error >= err,
        "{name}: estimate {:e} below the true error {err:e}",
        r.error
    );
    r
}

fn gaussian(x: f64) -> f64 {
    (-x * x / 2.0).exp() / (2.0 * PI).sqrt()
}

#[test]
fn smooth_integrals_reach_twelve_digits_with_honest_errors() {
    let cases: [Known; 7] = [
        ("sin on [0, π]", f64::sin, 0.0, PI, 2.0),
        ("exp on [0, 1]", f64::exp, 0.0, 1.0, E - 1.0),
        ("4/(1+x²) on [0, 1]", |x| 4.0 / (1.0 + x * x), 0.0, 1.0, PI),
        ("normal density on ℝ", gaussian, -INF, INF, 1.0),
        // erf(1.96/√2), the 95% interval of a normal distribution.
        (
            "normal density on ±1.96",
            gaussian,
            -1.96,
            1.96,
            0.950_004_209_703_559_1,
        ),
        ("exp(-x) on [0, ∞)", |x| (-x).exp(), 0.0, INF, 1.0),
        ("exp on (-∞, 0]", f64::exp, -INF, 0.0, 1.0),
    ];
    for (name, f, a, b, truth) in cases {
        let r = quad_against(name, f, a, b, truth);
        let rel = (r.value - truth).abs() / truth;
        assert!(rel <= 1e-12, "{name}: relative error {rel:e}");
        assert!(r.error <= 1e-12 * truth, "{name}: estimate {:e}", r.error);
        // Smooth integrands need few subintervals: 21 points each, 15 (30 on ℝ) after the change of
        // variables.
        assert!(r.intervals <= 10 && r.evaluations <= 600, "{name}: {r:?}");
    }
    // One 21-point rule is enough for an analytic integrand on a short range.
    let r = quad_against("exp", f64::exp, 0.0, 1.0, E - 1.0);
    assert_eq!((r.evaluations, r.intervals), (21, 1));
}

#[test]
fn endpoint_singularities_converge_by_extrapolation() {
    let r = quad_against("1/√x", |x| 1.0 / x.sqrt(), 0.0, 1.0, 2.0);
    assert!(r.error <= 2e-12, "{r:?}");
    let r = quad_against("ln x", f64::ln, 0.0, 1.0, -1.0);
    assert!(r.error <= 1e-12, "{r:?}");
    let r = quad_against("ln x / √x", |x| x.ln() / x.sqrt(), 0.0, 1.0, -4.0);
    assert!(r.error <= 4e-12, "{r:?}");
    // x^-0.9: the integral (10) converges so slowly that bisection alone would need 2^-120-wide
    // intervals for twelve digits; the epsilon algorithm gets there.
    match Quad::default().integral(|x| x.powf(-0.9), 0.0, 1.0) {
        Ok(r) => {
            assert!(
                (r.value - 10.0).abs() <= r.error && r.error <= 1e-11,
                "{r:?}"
            );
        }
        Err(e) => assert!(e.to_string().contains("did not settle"), "{e}"),
    }
    // An integrable singularity inside the range (off the nodes): slower, but it gets there.
    let truth = 2.0 * (0.3f64.sqrt() + 0.7f64.sqrt());
    let r = quad_against(
        "1/√|x-0.3|",
        |x| 1.0 / (x - 0.3).abs().sqrt(),
        0.0,
        1.0,
        truth,
    );
    assert!(r.error <= 1e-12 * truth, "{r:?}");
}

#[test]
fn reversed_and_empty_ranges() {
    let forward = integrate::quad(|x| 1.0 / x.sqrt(), 0.0, 1.0).unwrap();
    let backward = integrate::quad(|x| 1.0 / x.sqrt(), 1.0, 0.0).unwrap();
    assert_eq!(
        (backward.value, backward.error),
        (-forward.value, forward.error)
    );
    let r = integrate::quad(|x| (-x).exp(), INF, 0.0).unwrap();
    assert!((r.value + 1.0).abs() <= r.error);
    let r = integrate::quad(gaussian, INF, -INF).unwrap();
    assert!((r.value + 1.0).abs() <= r.error);
    for (a, b) in [(2.0, 2.0), (INF, INF), (-INF, -INF)] {
        let r = Quad::default().integral(f64::exp, a, b).unwrap();
        assert_eq!((r.value, r.error, r.evaluations), (0.0, 0.0, 0));
    }
    assert_eq!(integrate::trapezoid(f64::exp, 1.0, 1.0, 4).unwrap(), 0.0);
    assert_eq!(integrate::simpson(f64::exp, 1.0, 1.0, 4).unwrap(), 0.0);
    let s = integrate::simpson(f64::exp, 1.0, 0.0, 8).unwrap();
    assert!((s + integrate::simpson(f64::exp, 0.0, 1.0, 8).unwrap()).abs() < 1e-15);
}

#[test]
fn cancelling_integrands_are_accepted_at_the_rounding_level() {
    // ∫ sin over whole periods is 0: no relative accuracy exists, the error is rounding's.
    for periods in [1.0, 10.0] {
        let r = quad_against("sin", f64::sin, 0.0, 2.0 * PI * periods, 0.0);
        assert!(r.error <= 1e-12 * 4.0 * periods, "{r:?}");
    }
    let r = quad_against("x - ½", |x| x - 0.5, -1.0, 2.0, 0.0);
    assert!(r.error < 1e-13, "{r:?}");
}

#[test]
fn divergent_integrals_are_errors_that_say_so() {
    let cases: [Case; 4] = [
        ("1/x on [0, 1]", |x| 1.0 / x, 0.0, 1.0),
        ("1/x² on [0, 1]", |x| 1.0 / (x * x), 0.0, 1.0),
        ("1/x on [1, ∞)", |x| 1.0 / x, 1.0, INF),
        ("1 on [0, ∞)", |_| 1.0, 0.0, INF),
    ];
    for (name, f, a, b) in cases {
        let err = integrate::quad(f, a, b).unwrap_err();
        assert!(matches!(err, Error::NotConverged { .. }), "{name}: {err:?}");
        let message = err.to_string();
        assert!(message.contains("did not settle"), "{name}: {message}");
        assert!(message.contains("diverge"), "{name}: {message}");
    }
    // A tolerance that cannot be met in the allowed subintervals is also an error, not a number.
    let err = Quad::default()
        .max_intervals(3)
        .integral(|x| 1.0 / x.sqrt(), 0.0, 1.0)
        .unwrap_err();
    assert!(
        err.to_string().contains("all 3 subintervals were used"),
        "{err}"
    );
}

/// The errors of `rule` on `exp` over `[0, 1]` for `n, 2n, 4n, …`, and the ratios of neighbours.
fn ratios(rule: impl Fn(usize) -> f64, ns: &[usize]) -> Vec<f64> {
    let errors: Vec<f64> = ns.iter().map(|&n| (rule(n) - (E - 1.0)).abs()).collect();
    errors.windows(2).map(|w| w[0] / w[1]).collect()
}

#[test]
fn composite_rules_are_exact_where_they_should_be_and_converge_at_their_order() {
    let line = |x: f64| 3.0 * x - 2.0; // ∫ from -1 to 2 = 3·(4 - 1)/2 - 2·3 = -1.5
    for n in [1, 2, 7] {
        assert!((integrate::trapezoid(line, -1.0, 2.0, n).unwrap() + 1.5).abs() < 1e-14);
    }
    let cubic = |x: f64| x * x * x - 2.0 * x * x + 1.0; // ∫ from -1 to 2 = 15/4 - 6 + 3 = 0.75
    for n in [2, 4, 10] {
        assert!((integrate::simpson(cubic, -1.0, 2.0, n).unwrap() - 0.75).abs() < 1e-14);
    }
    let ns = [8, 16, 32, 64];
    for r in ratios(
        |n| integrate::trapezoid(f64::exp, 0.0, 1.0, n).unwrap(),
        &ns,
    ) {
        assert!((r - 4.0).abs() < 0.01, "trapezoid ratio {r}");
    }
    for r in ratios(|n| integrate::simpson(f64::exp, 0.0, 1.0, n).unwrap(), &ns) {
        assert!((r - 16.0).abs() < 0.05, "Simpson ratio {r}");
    }
}

#[test]
fn riemann_sums_bracket_an_increasing_function_and_the_midpoint_is_second_order() {
    let truth = E - 1.0;
    for n in [1, 10, 100] {
        let left = integrate::riemann(f64::exp, 0.0, 1.0, n, Riemann::Left).unwrap();
        let right = integrate::riemann(f64::exp, 0.0, 1.0, n, Riemann::Right).unwrap();
        assert!(left < truth && truth < right, "n = {n}: {left} {right}");
        // The two differ by the last rectangle minus the first: h·(f(b) - f(a)).
        assert!((right - left - (E - 1.0) / n as f64).abs() < 1e-13);
    }
    let ns = [8, 16, 32, 64];
    for r in ratios(
        |n| integrate::riemann(f64::exp, 0.0, 1.0, n, Riemann::Left).unwrap(),
        &ns,
    ) {
        assert!((r - 2.0).abs() < 0.1, "left ratio {r}");
    }
    for r in ratios(
        |n| integrate::riemann(f64::exp, 0.0, 1.0, n, Riemann::Midpoint).unwrap(),
        &ns,
    ) {
        assert!((r - 4.0).abs() < 0.01, "midpoint ratio {r}");
    }
    // The midpoint rule's error is minus half the trapezoid's, to leading order.
    let mid = integrate::riemann(f64::exp, 0.0, 1.0, 64, Riemann::Midpoint).unwrap() - truth;
    let trap = integrate::trapezoid(f64::exp, 0.0, 1.0, 64).unwrap() - truth;
    assert!((mid / trap + 0.5).abs() < 1e-3, "{mid} {trap}");

    let rects = integrate::riemann_rectangles(f64::exp, 1.0, 2.0, 4, Riemann::Right).unwrap();
    assert_eq!(rects.len(), 4);
    assert_eq!((rects[0].left, rects[3].right), (1.0, 2.0));
    for w in rects.windows(2) {
        assert_eq!(w[0].right, w[1].left);
    }
    for r in &rects {
        assert_eq!(r.height, r.right.exp());
    }
    let area: f64 = rects.iter().map(|r| (r.right - r.left) * r.height).sum();
    let sum = integrate::riemann(f64::exp, 1.0, 2.0, 4, Riemann::Right).unwrap();
    assert!((area - sum).abs() < 1e-14);
}

#[test]
fn cumulative_integral_is_the_antiderivative_and_its_slope_is_f() {
    let (xs, big_f) = integrate::cumulative(f64::cos, 0.0, 2.0, 200).unwrap();
    assert_eq!(
        (xs.len(), big_f.len(), xs[0], xs[200], big_f[0]),
        (201, 201, 0.0, 2.0, 0.0)
    );
    for (x, value) in xs.iter().zip(&big_f) {
        assert!((value - x.sin()).abs() < 1e-13, "F({x}) = {value}");
    }
    // Central differences of F on the grid give f back, to the difference's own O(h²) error
    // h²/6·max|f'''| plus the error of F (1e-13 each, above) over 2h.
    let h = 0.01;
    let tolerance = h * h / 6.0 + 2e-13 / (2.0 * h);
    for i in 1..200 {
        let slope = (big_f[i + 1] - big_f[i - 1]) / (2.0 * h);
        assert!((slope - xs[i].cos()).abs() <= tolerance, "at {}", xs[i]);
    }
    // A singular integrand: F(x) = 2√x.
    let (xs, big_f) = integrate::cumulative(|x| 1.0 / x.sqrt(), 0.0, 1.0, 10).unwrap();
    for (x, value) in xs.iter().zip(&big_f) {
        assert!((value - 2.0 * x.sqrt()).abs() < 1e-12, "F({x}) = {value}");
    }
}

#[test]
fn monte_carlo_is_reproducible_and_its_standard_error_is_right() {
    let square = |x: f64| x * x;
    let normal = Distribution::standard_normal();
    let a = integrate::monte_carlo(square, normal, 10_000, 42).unwrap();
    let b = integrate::monte_carlo(square, normal, 10_000, 42).unwrap();
    let c = integrate::monte_carlo(square, normal, 10_000, 43).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.mean, c.mean);
    assert_eq!(a.n, 10_000);
    // E[X²] = 1 and Var[X²] = 2 for X ~ N(0, 1): the standard error is √(2/n).
    assert!((a.mean - 1.0).abs() < 4.0 * a.std_error, "{a:?}");
    assert!(
        (a.std_error / (2.0f64 / 1e4).sqrt() - 1.0).abs() < 0.1,
        "{a:?}"
    );
    // 100 times the samples, a tenth of the standard error.
    let big = integrate::monte_carlo(square, normal, 1_000_000, 42).unwrap();
    assert!(
        (a.std_error / big.std_error / 10.0 - 1.0).abs() < 0.1,
        "{a:?} {big:?}"
    );
    assert!((big.mean - 1.0).abs() < 4.0 * big.std_error, "{big:?}");
    // Over many seeds, about 95% of the estimates fall within two standard errors.
    let inside = (0..400)
        .filter(|&seed| {
            let e = integrate::monte_carlo(square, normal, 1000, seed).unwrap();
            (e.mean - 1.0).abs() < 2.0 * e.std_error
        })
        .count();
    assert!((360..=395).contains(&inside), "{inside} of 400");
    // N(2, 3²): E[X²] = μ² + σ² = 13. Uniform on [2, 5]: E[X] = 3.5, and 3·E[e^X] = e⁵ - e².
    let e = integrate::monte_carlo(square, Distribution::normal(2.0, 3.0), 100_000, 1).unwrap();
    assert!((e.mean - 13.0).abs() < 4.0 * e.std_error, "{e:?}");
    let u = Distribution::uniform(2.0, 5.0);
    let e = integrate::monte_carlo(|x| x, u, 100_000, 1).unwrap();
    assert!((e.mean - 3.5).abs() < 4.0 * e.std_error, "{e:?}");
    let e = integrate::monte_carlo(f64::exp, u, 100_000, 1).unwrap();
    assert!((3.0 * e.mean - (5f64.exp() - 2f64.exp())).abs() < 4.0 * 3.0 * e.std_error);
}

fn message<T: std::fmt::Debug>(r: Result<T>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn bad_input_is_an_error_that_says_what_to_do() {
    let nan = f64::NAN;
    let m = message(integrate::quad(f64::exp, nan, 1.0));
    assert!(m.contains("a = NaN") && m.contains("bound"), "{m}");
    let m = message(integrate::quad(f64::exp, 0.0, nan));
    assert!(m.contains("b = NaN"), "{m}");
    let m = message(integrate::quad(f64::exp, -f64::MAX, f64::MAX));
    assert!(m.contains("wider than an f64"), "{m}");
    // f returns a non-finite value: say where.
    let m = message(integrate::quad(|x| 1.0 / (x - 0.5), 0.0, 1.0));
    assert!(m.contains("f(0.5) = inf"), "{m}");
    let m = message(integrate::quad(|x| if x > 0.9 { nan } else { x }, 0.0, 1.0));
    assert!(m.contains("= NaN") && m.contains("f(0.9"), "{m}");
    // f grows so fast that f(x)·dx/dt overflows after the change of variables.
    let m = message(integrate::quad(|x| x.exp().min(f64::MAX), 0.0, INF));
    assert!(m.contains("did not settle"), "{m}");
    // Tolerances and limits.
    for (quad, what) in [
        (Quad::default().rel_tol(-1.0), "rel_tol = -1"),
        (Quad::default().abs_tol(nan), "abs_tol = NaN"),
        (Quad::default().rel_tol(1e-16), "at least 50·eps"),
        (Quad::default().max_intervals(0), "max_intervals = 0"),
    ] {
        let m = message(quad.integral(f64::exp, 0.0, 1.0));
        assert!(m.contains(what), "{m}");
    }
    assert!(Quad::default()
        .rel_tol(0.0)
        .abs_tol(1e-13)
        .integral(f64::exp, 0.0, 1.0)
        .is_ok());
    // An absolute tolerance below the rounding floor (50·eps·∫|f| per subinterval) cannot be met.
    let m = message(
        Quad::default()
            .abs_tol(1e-15)
            .rel_tol(0.0)
            .integral(f64::exp, 0.0, 1.0),
    );
    assert!(
        m.contains("did not settle") && m.contains("rounding"),
        "{m}"
    );

    // The composite rules.
    let m = message(integrate::trapezoid(f64::exp, 0.0, 1.0, 0));
    assert!(m.contains("n = 0") && m.contains("n >= 1"), "{m}");
    let m = message(integrate::simpson(f64::exp, 0.0, 1.0, 3));
    assert!(
        m.contains("n = 3") && m.contains("even") && m.contains("n = 4"),
        "{m}"
    );
    let m = message(integrate::simpson(f64::exp, 0.0, 1.0, 0));
    assert!(m.contains("n = 0") && m.contains("even n >= 2"), "{m}");
    let m = message(integrate::trapezoid(f64::exp, 0.0, INF, 4));
    assert!(
        m.contains("b = inf") && m.contains("integrate::quad"),
        "{m}"
    );
    let m = message(integrate::simpson(f64::exp, nan, 1.0, 4));
    assert!(m.contains("a = NaN"), "{m}");
    let m = message(integrate::trapezoid(|x| 1.0 / x, 0.0, 1.0, 4));
    assert!(m.contains("f(0) = inf"), "{m}");
    let m = message(integrate::riemann(f64::exp, 0.0, 1.0, 0, Riemann::Left));
    assert!(m.contains("n = 0"), "{m}");
    let m = message(integrate::riemann_rectangles(
        f64::ln,
        0.0,
        1.0,
        2,
        Riemann::Left,
    ));
    assert!(m.contains("f(0) = -inf"), "{m}");
    assert!(integrate::riemann(f64::ln, 0.0, 1.0, 2, Riemann::Right).is_ok());
    let m = message(integrate::cumulative(f64::exp, 0.0, 1.0, 0));
    assert!(m.contains("n = 0"), "{m}");
    let m = message(integrate::cumulative(|x| 1.0 / x, 0.0, 1.0, 4));
    assert!(m.contains("did not settle"), "{m}");

    // Monte Carlo.
    let normal = Distribution::standard_normal();
    for n in [0, 1] {
        let m = message(integrate::monte_carlo(f64::exp, normal, n, 0));
        assert!(
            m.contains(&format!("n = {n}")) && m.contains("n >= 2"),
            "{m}"
        );
    }
    let bad = [
        (Distribution::uniform(1.0, 1.0), ["high = 1", "low < high"]),
        (Distribution::uniform(nan, 1.0), ["low = NaN", "low < high"]),
        (Distribution::normal(0.0, 0.0), ["std_dev = 0", "> 0"]),
        (Distribution::normal(INF, 1.0), ["mean = inf", "finite"]),
    ];
    for (distribution, says) in bad {
        let m = message(integrate::monte_carlo(f64::exp, distribution, 10, 0));
        assert!(says.iter().all(|s| m.contains(s)), "{m}");
    }
    let m = message(integrate::monte_carlo(|x| x.ln(), normal, 100, 0));
    assert!(m.contains("f(-") && m.contains("NaN"), "{m}");
}

/// `p(x) = Σ c_k x^k` and its antiderivative `Σ c_k x^(k+1)/(k+1)`.
fn poly(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ck| acc * x + ck)
}
fn poly_antiderivative(c: &[f64], x: f64) -> f64 {
    c.iter()
        .enumerate()
        .rev()
        .fold(0.0, |acc, (k, &ck)| acc * x + ck / (k + 1) as f64)
        * x
}
/// An upper bound of `∫|p|` over `[a, b]`: `(b - a)·Σ |c_k|·M^k`, `M = max(|a|, |b|)`.
fn poly_abs_bound(c: &[f64], a: f64, b: f64) -> f64 {
    let m = a.abs().max(b.abs());
    (b - a).abs() * poly(&c.iter().map(|ck| ck.abs()).collect::<Vec<_>>(), m)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn polynomials_match_their_antiderivative(
        c in prop::collection::vec(-5.0..5.0f64, 1..=7),
        a in -3.0..3.0f64,
        width in 0.01..4.0f64,
    ) {
        let b = a + width;
        let exact = poly_antiderivative(&c, b) - poly_antiderivative(&c, a);
        let scale = poly_abs_bound(&c, a, b);
        let r = Quad::default().integral(|x| poly(&c, x), a, b).unwrap();
        // The exact value is itself rounded (a difference of two antiderivative values).
        let rounding = 8.0 * f64::EPSILON * (poly_abs_bound(&c, 0.0, b.abs()) + poly_abs_bound(&c, 0.0, a.abs()));
        prop_assert!((r.value - exact).abs() <= r.error + rounding, "{r:?} vs {exact}");
        prop_assert!(r.error <= 1e-12 * scale, "{r:?}, scale {scale}");
        if c.len() <= 4 {
            let s = integrate::simpson(|x| poly(&c, x), a, b, 2).unwrap();
            prop_assert!((s - exact).abs() <= 1e-13 * scale + rounding, "Simpson {s} vs {exact}");
        }
    }

    #[test]
    fn exponentials_match_their_closed_form(
        amp in prop_oneof![-3.0..-0.1f64, 0.1..3.0f64],
        rate in prop_oneof![-4.0..-0.01f64, 0.01..4.0f64],
        lo in -2.0..2.0f64,
        width in 0.01..3.0f64,
    ) {
        let hi = lo + width;
        // The range actually integrated is [lo, hi] with hi rounded: use its width, not `width`.
        let exact = amp / rate * (rate * lo).exp() * (rate * (hi - lo)).exp_m1();
        let r = Quad::default().integral(|x| amp * (rate * x).exp(), lo, hi).unwrap();
        prop_assert!((r.value - exact).abs() <= r.error + 4.0 * f64::EPSILON * exact.abs(), "{r:?} vs {exact}");
        prop_assert!(r.error <= 1e-12 * exact.abs(), "{r:?} vs {exact}");
        let back = integrate::quad(|x| amp * (rate * x).exp(), hi, lo).unwrap();
        prop_assert_eq!(back.value, -r.value);
    }

    #[test]
    fn the_derivative_of_the_integral_is_the_integrand(
        c in prop::collection::vec(-5.0..5.0f64, 1..=7),
        a in -2.0..2.0f64,
        offset in 0.05..2.0f64,
    ) {
        let f = |x: f64| poly(&c, x);
        let x = a + offset;
        let big_f = |t: f64| integrate::quad(f, a, t).map(|e| e.value).unwrap_or(f64::NAN);
        let d = calc_dl::numeric::derivative(big_f, x).unwrap();
        // numeric's central step, and what the quadrature errors at x ± h do to the difference.
        let h = f64::EPSILON.powf(1.0 / 3.0) * x.abs().max(1.0);
        let e = |t: f64| integrate::quad(f, a, t).unwrap().error;
        let tolerance = d.error + (e(x + h) + e(x - h)) / (2.0 * h);
        prop_assert!((d.value - f(x)).abs() <= tolerance, "F'({x}) = {} ± {tolerance:e}, f = {}", d.value, f(x));

        // The cumulative integral matches the exact antiderivative at every grid point.
        let (xs, values) = integrate::cumulative(f, a, x, 8).unwrap();
        for (t, value) in xs.iter().zip(&values) {
            let exact = poly_antiderivative(&c, *t) - poly_antiderivative(&c, a);
            let scale = poly_abs_bound(&c, a, *t) + poly_abs_bound(&c, 0.0, t.abs()) + poly_abs_bound(&c, 0.0, a.abs());
            prop_assert!((value - exact).abs() <= 1e-12 * scale, "F({t}) = {value} vs {exact}");
        }
    }
}

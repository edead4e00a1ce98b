//! Gauss–Kronrod rules: QUADPACK's `qk21` (finite ranges) and the 15-point rule of `qk15i` (the
//! transformed infinite ranges), with QUADPACK's error estimate.
//!
//! A Kronrod rule adds nodes to a Gauss rule so that both share the Gauss nodes' function values: the
//! difference between the two is a free estimate of the Gauss rule's error, and the Kronrod value (far
//! more accurate than that difference says) is the one kept.

use crate::error::Result;

/// Nodes on `[0, 1]` (largest first, the centre `0` last) of a symmetric rule on `[-1, 1]`, with the
/// Kronrod weights and the Gauss weights of the same nodes (`0` where a node is Kronrod's only).
pub(crate) struct Rule {
    nodes: &'static [f64],
    kronrod: &'static [f64],
    gauss: &'static [f64],
}

/// 10-point Gauss and 21-point Kronrod (QUADPACK's `qk21`: Fullerton's 80-digit values, printed
/// there to 33 digits, here rounded to the nearest f64); exact for polynomials of degree 31 (Kronrod)
/// and 19 (Gauss).
pub(crate) const GK21: Rule = Rule {
    nodes: &[
        0.9956571630258081,
        0.9739065285171717,
        0.9301574913557082,
        0.8650633666889845,
        0.7808177265864169,
        0.6794095682990244,
        0.5627571346686047,
        0.4333953941292472,
        0.2943928627014602,
        0.14887433898163122,
        0.0,
    ],
    kronrod: &[
        0.011694638867371874,
        0.032558162307964725,
        0.054755896574351995,
        0.07503967481091996,
        0.0931254545836976,
        0.10938715880229764,
        0.12349197626206584,
        0.13470921731147334,
        0.14277593857706009,
        0.14773910490133849,
        0.1494455540029169,
    ],
    gauss: &[
        0.0,
        0.06667134430868814,
        0.0,
        0.1494513491505806,
        0.0,
        0.21908636251598204,
        0.0,
        0.26926671930999635,
        0.0,
        0.29552422471475287,
        0.0,
    ],
};

/// 7-point Gauss and 15-point Kronrod (QUADPACK's `qk15i`); exact for degree 22 (Kronrod) and 13
/// (Gauss). Used after the change of variables that maps an infinite range onto `(0, 1]`.
pub(crate) const GK15: Rule = Rule {
    nodes: &[
        0.9914553711208126,
        0.9491079123427585,
        0.8648644233597691,
        0.7415311855993945,
        0.5860872354676911,
        0.4058451513773972,
        0.20778495500789848,
        0.0,
    ],
    kronrod: &[
        0.022935322010529224,
        0.06309209262997856,
        0.10479001032225019,
        0.14065325971552592,
        0.1690047266392679,
        0.19035057806478542,
        0.20443294007529889,
        0.20948214108472782,
    ],
    gauss: &[
        0.0,
        0.1294849661688697,
        0.0,
        0.27970539148927664,
        0.0,
        0.3818300505051189,
        0.0,
        0.4179591836734694,
    ],
};

/// One rule applied to one interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Panel {
    /// The Kronrod value of the integral.
    pub value: f64,
    /// QUADPACK's estimate of its absolute error.
    pub error: f64,
    /// The Kronrod value of `∫|f|` (the scale of rounding errors).
    pub abs: f64,
    /// The Kronrod value of `∫|f - mean|` (the scale the error estimate is measured against).
    pub asc: f64,
}

impl Rule {
    /// How many function values one application takes.
    pub(crate) fn points(&self) -> usize {
        2 * self.nodes.len() - 1
    }

    /// The rule on `[a, b]` (`a < b`), with QUADPACK's error estimate: `|K - G|` is the error of the
    /// Gauss value, far larger than the Kronrod value's, so it is rescaled as
    /// `asc · min(1, (200 |K - G| / asc)^1.5)` (a cautious guess at the order the Kronrod value gains),
    /// and never taken below the rounding floor `50 · eps · ∫|f|`.
    pub(crate) fn apply(
        &self,
        f: &mut impl FnMut(f64) -> Result<f64>,
        a: f64,
        b: f64,
    ) -> Result<Panel> {
        let centre = 0.5 * (a + b);
        let half = 0.5 * (b - a);
        let last = self.nodes.len() - 1;
        let mut values = Vec::with_capacity(self.points());
        let fc = f(centre)?;
        let mut gauss = self.gauss[last] * fc;
        let mut kronrod = self.kronrod[last] * fc;
        let mut abs = kronrod.abs();
        for j in 0..last {
            let offset = half * self.nodes[j];
            let (f1, f2) = (f(centre - offset)?, f(centre + offset)?);
            values.push((f1, f2));
            gauss += self.gauss[j] * (f1 + f2);
            kronrod += self.kronrod[j] * (f1 + f2);
            abs += self.kronrod[j] * (f1.abs() + f2.abs());
        }
        let mean = 0.5 * kronrod;
        let mut asc = self.kronrod[last] * (fc - mean).abs();
        for (j, (f1, f2)) in values.iter().enumerate() {
            asc += self.kronrod[j] * ((f1 - mean).abs() + (f2 - mean).abs());
        }
        let (abs, asc) = (abs * half.abs(), asc * half.abs());
        let mut error = ((kronrod - gauss) * half).abs();
        if asc != 0.0 && error != 0.0 {
            error = asc * (200.0 * error / asc).powf(1.5).min(1.0);
        }
        if abs > f64::MIN_POSITIVE / (50.0 * f64::EPSILON) {
            error = error.max(50.0 * f64::EPSILON * abs);
        }
        Ok(Panel {
            value: kronrod * half,
            error,
            abs,
            asc,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Kronrod value (from `apply`) and the Gauss value (from the Gauss weights) of `∫ x^k` over
    /// `[-1, 1]`, which is `2/(k+1)` for even `k`.
    fn monomial(rule: &Rule, k: i32) -> (f64, f64) {
        let mut count = 0;
        let mut f = |x: f64| {
            count += 1;
            Ok(x.powi(k))
        };
        let kronrod = rule.apply(&mut f, -1.0, 1.0).unwrap().value;
        assert_eq!(count, rule.points());
        let last = rule.nodes.len() - 1;
        let gauss = rule.gauss[last] * 0f64.powi(k)
            + (0..last)
                .map(|j| rule.gauss[j] * 2.0 * rule.nodes[j].powi(k))
                .sum::<f64>();
        (kronrod, gauss)
    }

    #[test]
    fn weights_integrate_polynomials_to_their_degree() {
        for (rule, kronrod_degree, gauss_degree) in [(&GK21, 31, 19), (&GK15, 22, 13)] {
            for k in (0..=kronrod_degree).step_by(2) {
                let exact = 2.0 / f64::from(k + 1);
                let (kronrod, gauss) = monomial(rule, k);
                assert!(
                    (kronrod - exact).abs() < 4e-16,
                    "K, x^{k}: {kronrod} vs {exact}"
                );
                if k <= gauss_degree {
                    assert!(
                        (gauss - exact).abs() < 4e-16,
                        "G, x^{k}: {gauss} vs {exact}"
                    );
                }
            }
            // One degree past the Kronrod rule's exactness, it is no longer exact.
            let k = kronrod_degree + 1 + kronrod_degree % 2;
            let (kronrod, _) = monomial(rule, k);
            assert!((kronrod - 2.0 / f64::from(k + 1)).abs() > 1e-12);
        }
    }

    #[test]
    fn error_estimate_follows_quadpack() {
        // A smooth integrand: the estimate is far below 1 but above the true error.
        let mut f = |x: f64| Ok(x.exp());
        let p = GK21.apply(&mut f, 0.0, 1.0).unwrap();
        let exact = std::f64::consts::E - 1.0;
        assert!((p.value - exact).abs() <= p.error && p.error < 1e-13);
        // The rounding floor: 50 eps ∫|f|.
        assert!(p.error >= 50.0 * f64::EPSILON * p.abs);
        assert!((p.abs - exact).abs() < 1e-14);
    }
}

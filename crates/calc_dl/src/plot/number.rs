//! The one number formatter of the figures: tick labels and the numbers written into labels, notes
//! and captions ("slope = -4", "final loss = 2.209e-5") all go through [`number`].

/// How a number is written: fixed-point with at most `decimals` decimals (trailing zeros and a
/// trailing point dropped, `-0` written `0`), or scientific outside `fixed` (nonzero magnitudes only).
#[derive(Debug, Clone, Copy)]
pub(super) struct Format {
    decimals: usize,
    /// Magnitudes written fixed-point: `lo <= |v| < hi`.
    fixed: (f64, f64),
    scientific: Scientific,
}

/// The mantissa in scientific notation.
#[derive(Debug, Clone, Copy)]
enum Scientific {
    /// Exactly this many decimals: `2.209e-5`, `1.000e-5`.
    Digits(usize),
    /// Rounded to this many decimals, trailing zeros dropped: `5e-6`, `1.25e7`.
    Rounded(usize),
}

/// Axis ticks: round numbers plotters picked, so up to 6 decimals, rounded so that float noise
/// (`4.9999999999999996e-6`) does not show: `2`, `0.5`, `-1.25`, `5e-6`.
pub(super) const TICK: Format = Format {
    decimals: 6,
    fixed: (1e-4, 1e6),
    scientific: Scientific::Rounded(6),
};

/// Measured values in text (slopes, losses, weights): 4 decimals, and 4 significant digits in
/// scientific notation where 4 decimals would hide the value (`|v| < 1e-3`, or `≥ 1e6`), so that a
/// converged loss is not labelled 0.
pub(super) const LABEL: Format = Format {
    decimals: 4,
    fixed: (1e-3, 1e6),
    scientific: Scientific::Digits(3),
};

/// `v` written as `format` says.
pub(super) fn number(v: f64, format: Format) -> String {
    if v != 0.0 && v.is_finite() && !(format.fixed.0..format.fixed.1).contains(&v.abs()) {
        return match format.scientific {
            Scientific::Digits(d) => format!("{v:.d$e}"),
            Scientific::Rounded(d) => {
                let s = format!("{v:.d$e}");
                let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
                let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
                format!("{mantissa}e{exponent}")
            }
        };
    }
    let s = format!("{v:.*}", format.decimals);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::{number, LABEL, TICK};

    #[test]
    fn labels_are_short_and_never_hide_a_small_value() {
        assert_eq!(number(-4.0, LABEL), "-4");
        assert_eq!(number(0.15, LABEL), "0.15");
        assert_eq!(number(-0.0, LABEL), "0");
        // Tiny but not zero: scientific, so a converged loss is not labelled 0.
        assert_eq!(number(-0.00001, LABEL), "-1.000e-5");
        assert_eq!(number(2.5e6, LABEL), "2.500e6");
    }

    #[test]
    fn ticks_drop_float_noise_and_trailing_zeros() {
        assert_eq!(number(0.30000000000000004, TICK), "0.3");
        assert_eq!(number(-1.25, TICK), "-1.25");
        assert_eq!(number(-0.0, TICK), "0");
        assert_eq!(number(1.5e7, TICK), "1.5e7");
        // A tiny axis: the tick at 5e-6 was written 4.9999999999999996e-6.
        assert_eq!(number(4.9999999999999996e-6, TICK), "5e-6");
        assert_eq!(number(1.0000000000000003e-5, TICK), "1e-5");
        assert_eq!(number(-1.25e-5, TICK), "-1.25e-5");
    }
}

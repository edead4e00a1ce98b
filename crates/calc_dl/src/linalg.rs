//! Small dense linear algebra the lessons need and `ndarray` alone does not have: eigenvalues of a
//! symmetric matrix (to read curvature off a Hessian).

use crate::error::{check_point, Error, Result};
use ndarray::Array2;

/// The eigenvalues of a symmetric matrix, ascending, by cyclic Jacobi rotations (accurate to a few ulps
/// of the largest eigenvalue; meant for the small Hessians of the lessons).
///
/// ```
/// use calc_dl::linalg::symmetric_eigenvalues;
/// let h = ndarray::array![[2.0, 1.0], [1.0, 2.0]];
/// let ev = symmetric_eigenvalues(&h)?;
/// assert!((ev[0] - 1.0).abs() < 1e-12 && (ev[1] - 3.0).abs() < 1e-12);
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn symmetric_eigenvalues(m: &Array2<f64>) -> Result<Vec<f64>> {
    let n = m.nrows();
    if n != m.ncols() {
        return Err(Error::shape(
            "symmetric_eigenvalues",
            "a square matrix",
            format!("{}×{}", n, m.ncols()),
        ));
    }
    check_point(
        "matrix",
        m.as_slice()
            .unwrap_or(&m.iter().copied().collect::<Vec<_>>()),
    )?;
    let scale = m.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    for i in 0..n {
        for j in 0..i {
            if (m[[i, j]] - m[[j, i]]).abs() > 1e-10 * scale.max(1.0) {
                return Err(Error::shape(
                    "symmetric_eigenvalues",
                    "a symmetric matrix",
                    format!("entry ({i},{j}) ≠ ({j},{i})"),
                ));
            }
        }
    }
    let mut a = m.clone();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]].powi(2))
            .sum();
        if off <= (f64::EPSILON * scale).powi(2) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[[p, q]] == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.5.2).
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * a[[p, q]]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[[k, p]], a[[k, q]]);
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
            }
        }
    }
    let mut ev: Vec<f64> = (0..n).map(|i| a[[i, i]]).collect();
    ev.sort_by(f64::total_cmp);
    Ok(ev)
}

/// What the Hessian says about a point where the gradient vanishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curvature {
    /// All eigenvalues > 0: a bowl, a local minimum.
    Minimum,
    /// All eigenvalues < 0: a cap, a local maximum.
    Maximum,
    /// Eigenvalues of both signs: a saddle point.
    Saddle,
    /// Some eigenvalue is (numerically) zero: the second derivative cannot decide.
    Flat,
}

/// Classifies a critical point from its Hessian's eigenvalues (`tol` decides what counts as zero).
pub fn classify(eigenvalues: &[f64], tol: f64) -> Curvature {
    if eigenvalues.iter().any(|v| v.abs() <= tol) {
        Curvature::Flat
    } else if eigenvalues.iter().all(|&v| v > 0.0) {
        Curvature::Minimum
    } else if eigenvalues.iter().all(|&v| v < 0.0) {
        Curvature::Maximum
    } else {
        Curvature::Saddle
    }
}

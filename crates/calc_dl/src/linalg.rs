//! Small dense linear algebra the notebooks need and `ndarray` alone does not have: eigenvalues of a
//! symmetric matrix (to read curvature off a Hessian), and two solvers for Newton steps and least
//! squares on notebook-sized problems, kept here rather than pulling in a linear-algebra crate (and a
//! LAPACK) for them.

use crate::error::{check_point, Error, Result};
use ndarray::{Array1, Array2};

/// The eigenvalues of a symmetric matrix, ascending, by cyclic Jacobi rotations (accurate to a few ulps
/// of the largest eigenvalue; meant for the small Hessians of notebooks 07, 08 and 10).
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
    match m.as_slice() {
        Some(entries) => check_point("matrix", entries)?,
        // Not in standard layout (a transposed view): check a copy.
        None => check_point("matrix", &m.iter().copied().collect::<Vec<_>>())?,
    }
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

/// The largest `|a_ij|` (at least the smallest positive `f64`): the scale that says what counts as zero.
fn largest_entry(a: &Array2<f64>) -> f64 {
    a.iter()
        .fold(0.0f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE)
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting.
pub(crate) fn solve(a: &Array2<f64>, b: &[f64], what: &str) -> Result<Vec<f64>> {
    let n = b.len();
    let mut m = a.clone();
    let mut x = b.to_vec();
    let scale = largest_entry(a);
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| m[[i, col]].abs().total_cmp(&m[[j, col]].abs()))
            .expect("col < n");
        if m[[pivot, col]].is_nan() || m[[pivot, col]].abs() <= 1e-12 * scale {
            return Err(Error::Singular {
                what: what.to_string(),
                hint: "the curvature is zero in some direction; use a first-order method or L-BFGS here"
                    .into(),
            });
        }
        if pivot != col {
            for k in 0..n {
                m.swap([pivot, k], [col, k]);
            }
            x.swap(pivot, col);
        }
        for row in col + 1..n {
            let f = m[[row, col]] / m[[col, col]];
            if f != 0.0 {
                for k in col..n {
                    m[[row, k]] -= f * m[[col, k]];
                }
                x[row] -= f * x[col];
            }
        }
    }
    for col in (0..n).rev() {
        let s: f64 = (col + 1..n).map(|k| m[[col, k]] * x[k]).sum();
        x[col] = (x[col] - s) / m[[col, col]];
    }
    Ok(x)
}

/// The least-squares solution of `a · x ≈ b` (`a` is `n × p`, `n ≥ p`) by Householder QR, which never
/// forms `aᵀa` and so loses only half the digits the normal equations would on ill-conditioned data.
pub(crate) fn lstsq(a: &Array2<f64>, b: &Array1<f64>) -> Result<Array1<f64>> {
    let (n, p) = a.dim();
    let mut r = a.clone();
    let mut qtb = b.clone();
    let scale = largest_entry(a);
    for k in 0..p {
        let norm = (k..n).map(|i| r[[i, k]] * r[[i, k]]).sum::<f64>().sqrt();
        if norm.is_nan() || norm <= 1e-10 * scale * (n as f64).sqrt() {
            return Err(Error::Singular {
                what: "least squares: the feature matrix".into(),
                hint: format!(
                    "column {k} is (nearly) a combination of the others or constant; drop or rescale it"
                ),
            });
        }
        let alpha = if r[[k, k]] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = (k..n).map(|i| r[[i, k]]).collect();
        v[0] -= alpha;
        let vnorm2: f64 = v.iter().map(|x| x * x).sum();
        for j in k..p {
            let d: f64 = v.iter().zip(k..n).map(|(vi, i)| vi * r[[i, j]]).sum();
            let f = 2.0 * d / vnorm2;
            for (vi, i) in v.iter().zip(k..n) {
                r[[i, j]] -= f * vi;
            }
        }
        let d: f64 = v.iter().zip(k..n).map(|(vi, i)| vi * qtb[i]).sum();
        let f = 2.0 * d / vnorm2;
        for (vi, i) in v.iter().zip(k..n) {
            qtb[i] -= f * vi;
        }
    }
    let mut x = Array1::zeros(p);
    for k in (0..p).rev() {
        let s: f64 = (k + 1..p).map(|j| r[[k, j]] * x[j]).sum();
        x[k] = (qtb[k] - s) / r[[k, k]];
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn solves_and_detects_singular() {
        let a = array![[0.0, 2.0], [3.0, 1.0]];
        let x = solve(&a, &[4.0, 5.0], "a").unwrap();
        assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] - 2.0).abs() < 1e-15);
        assert!(matches!(
            solve(&array![[1.0, 2.0], [2.0, 4.0]], &[1.0, 2.0], "h"),
            Err(Error::Singular { .. })
        ));
    }

    #[test]
    fn least_squares_fits_exact_line() {
        let a = array![[1.0, 1.0], [2.0, 1.0], [3.0, 1.0], [4.0, 1.0], [5.0, 1.0]];
        let x = lstsq(&a, &array![3.0, 5.0, 7.0, 9.0, 11.0]).unwrap();
        assert!((x[0] - 2.0).abs() < 1e-13 && (x[1] - 1.0).abs() < 1e-13);
        let rank1 = array![[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]];
        assert!(matches!(
            lstsq(&rank1, &array![1.0, 2.0, 3.0]),
            Err(Error::Singular { .. })
        ));
    }
}

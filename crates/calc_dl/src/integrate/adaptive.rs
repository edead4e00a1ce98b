//! QUADPACK's QAGS: bisect the subinterval with the largest error until the errors add up to less than
//! the tolerance, and accelerate the totals with Wynn's epsilon algorithm. Near an endpoint singularity
//! (`1/√x`, `ln x` at 0) each halving of the smallest interval gains only a constant factor; the totals
//! then form a sequence whose limit the epsilon algorithm finds long before the intervals get there.

use super::gauss_kronrod::{Panel, Rule};
use crate::error::Result;

/// Why the loop stopped short of its tolerance (QUADPACK's `ier`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Status {
    /// The error estimate is within the tolerance.
    Converged,
    /// The subinterval limit was reached.
    Limit,
    /// Rounding errors stopped the estimates from improving.
    Roundoff,
    /// A subinterval became too small to bisect, around this point (in the rule's coordinate).
    BadPoint(f64),
    /// The extrapolation stopped improving.
    NoProgress,
    /// The extrapolated value and the sum of the subintervals disagree: probably a divergent integral.
    Divergent,
}

/// The best value with its error estimate, and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Outcome {
    pub value: f64,
    pub error: f64,
    /// The plain sum over the subintervals (what `value` extrapolates, when it does).
    pub sum: f64,
    /// `∫|f|` over the range, the scale rounding errors are relative to.
    pub abs: f64,
    pub intervals: usize,
    pub status: Status,
}

/// A subinterval, the rule's result on it, and how many bisections made it from the whole range.
#[derive(Debug, Clone, Copy)]
struct Interval {
    a: f64,
    b: f64,
    p: Panel,
    level: u32,
}

/// The index of the interval with the largest error estimate.
fn largest(intervals: &[Interval]) -> usize {
    (0..intervals.len())
        .max_by(|&i, &j| intervals[i].p.error.total_cmp(&intervals[j].p.error))
        .unwrap_or(0)
}

/// The extrapolated value and its error, or (`None`) the sum over the subintervals and theirs.
fn outcome(
    intervals: &[Interval],
    best: Option<(f64, f64)>,
    errsum: f64,
    status: Status,
) -> Outcome {
    let sum = intervals.iter().map(|i| i.p.value).sum();
    let (value, error) = best.unwrap_or((sum, errsum));
    Outcome {
        value,
        error,
        sum,
        abs: intervals.iter().map(|i| i.p.abs).sum(),
        intervals: intervals.len(),
        status,
    }
}

/// QAGS on `[a, b]` (`a < b`) with `rule`; stops when the error is below
/// `max(abs_tol, rel_tol·|value|)` or after `limit` subintervals. Follows QUADPACK's `dqagse`, with
/// subinterval widths counted in bisection levels (QUADPACK's `small` is `0.375·(b-a)/2^k`: an
/// interval is large while its level is at most `k + 1`).
pub(crate) fn qags(
    f: &mut impl FnMut(f64) -> Result<f64>,
    rule: &Rule,
    (a, b): (f64, f64),
    (abs_tol, rel_tol): (f64, f64),
    limit: usize,
) -> Result<Outcome> {
    let first = rule.apply(f, a, b)?;
    let mut intervals = vec![Interval {
        a,
        b,
        p: first,
        level: 0,
    }];
    let tolerance = |value: f64| abs_tol.max(rel_tol * value.abs());
    let mut status = Status::Converged;
    if first.error <= 100.0 * f64::EPSILON * first.abs && first.error > tolerance(first.value) {
        status = Status::Roundoff;
    } else if limit == 1 {
        status = Status::Limit;
    }
    if status != Status::Converged
        || (first.error <= tolerance(first.value) && first.error != first.asc)
        || first.error == 0.0
    {
        return Ok(outcome(&intervals, None, first.error, status));
    }

    let mut table = EpsilonTable::new(first.value);
    let (mut area, mut errsum) = (first.value, first.error);
    let (mut result, mut abserr) = (first.value, f64::MAX);
    let positive = first.value.abs() >= (1.0 - 50.0 * f64::EPSILON) * first.abs;
    let (mut roundoff1, mut roundoff2, mut roundoff3) = (0, 0, 0);
    let (mut extrap, mut no_extrap, mut extrap_roundoff) = (false, false, false);
    let (mut large_level, mut ktmin) = (1u32, 0);
    let (mut erlarg, mut ertest, mut correc) = (0.0, 0.0, 0.0);
    let mut next = 0;

    for last in 2..=limit {
        let Interval {
            a,
            b,
            p: parent,
            level,
        } = intervals[next];
        let (mid, level) = (0.5 * (a + b), level + 1);
        let (left, right) = (rule.apply(f, a, mid)?, rule.apply(f, mid, b)?);
        let (area12, error12) = (left.value + right.value, left.error + right.error);
        errsum += error12 - parent.error;
        area += area12 - parent.value;
        if left.asc != left.error && right.asc != right.error {
            if (parent.value - area12).abs() <= 1e-5 * area12.abs()
                && error12 >= 0.99 * parent.error
            {
                if extrap {
                    roundoff2 += 1;
                } else {
                    roundoff1 += 1;
                }
            }
            if last > 10 && error12 > parent.error {
                roundoff3 += 1;
            }
        }
        intervals[next] = Interval {
            a,
            b: mid,
            p: left,
            level,
        };
        intervals.push(Interval {
            a: mid,
            b,
            p: right,
            level,
        });

        if roundoff1 + roundoff2 >= 10 || roundoff3 >= 20 {
            status = Status::Roundoff;
        }
        extrap_roundoff |= roundoff2 >= 5;
        if last == limit {
            status = Status::Limit;
        }
        let tiny = (1.0 + 100.0 * f64::EPSILON) * (mid.abs() + 1000.0 * f64::MIN_POSITIVE);
        if a.abs().max(b.abs()) <= tiny {
            status = Status::BadPoint(mid);
        }
        next = largest(&intervals);
        if errsum <= tolerance(area) {
            return Ok(outcome(&intervals, None, errsum, status));
        }
        if status != Status::Converged {
            break;
        }
        if last == 2 {
            erlarg = errsum;
            ertest = tolerance(area);
            table.push(area);
            continue;
        }
        if no_extrap {
            continue;
        }
        erlarg -= parent.error;
        if level <= large_level {
            erlarg += error12;
        }
        if !extrap {
            // Keep bisecting the large intervals until the largest error sits on a small one.
            if intervals[next].level <= large_level {
                continue;
            }
            extrap = true;
        }
        if !extrap_roundoff && erlarg > ertest {
            // The large intervals still carry too much error: bisect the worst of them first (among
            // the ranks the remaining budget could still reach).
            let reach = last.min(limit + 3 - last);
            let mut order: Vec<usize> = (0..intervals.len()).collect();
            order.sort_by(|&i, &j| intervals[j].p.error.total_cmp(&intervals[i].p.error));
            let large = order
                .into_iter()
                .take(reach)
                .find(|&i| intervals[i].level <= large_level);
            if let Some(i) = large {
                next = i;
                continue;
            }
        }
        table.push(area);
        let (reseps, abseps) = table.extrapolate();
        ktmin += 1;
        if ktmin > 5 && abserr < 1e-3 * errsum {
            status = Status::NoProgress;
        }
        if abseps < abserr {
            (ktmin, abserr, result, correc) = (0, abseps, reseps, erlarg);
            ertest = tolerance(reseps);
            if abserr <= ertest {
                break;
            }
        }
        no_extrap = table.len() == 1;
        if status == Status::NoProgress {
            break;
        }
        // Back to the largest error, with the next level down now counted as small.
        next = largest(&intervals);
        extrap = false;
        large_level += 1;
        erlarg = errsum;
    }

    // Choose between the extrapolated value and the plain sum (QUADPACK's labels 100 to 130).
    if abserr == f64::MAX {
        return Ok(outcome(&intervals, None, errsum, status));
    }
    if extrap_roundoff {
        abserr += correc;
        if status == Status::Converged {
            status = Status::Roundoff;
        }
    }
    let mut checked = false;
    if status != Status::Converged {
        let relative = result != 0.0 && area != 0.0;
        if (relative && abserr / result.abs() > errsum / area.abs())
            || (!relative && abserr > errsum)
        {
            return Ok(outcome(&intervals, None, errsum, status));
        }
        checked = !relative && area == 0.0;
    }
    // The divergence test, unless the integrand changes sign and the integral is tiny next to ∫|f|.
    if !checked && (positive || result.abs().max(area.abs()) > 0.01 * first.abs) {
        let ratio = result / area;
        if !(0.01..=100.0).contains(&ratio) || errsum > area.abs() {
            status = Status::Divergent;
        }
    }
    Ok(outcome(&intervals, Some((result, abserr)), errsum, status))
}

/// Wynn's epsilon algorithm over a growing sequence (QUADPACK's `dqelg`): the table's diagonal
/// extrapolates the sequence `S_k = S + c·q^k + …` to `S` (Shanks' transformation), with an error
/// estimate from the last three extrapolated values.
#[derive(Debug, Clone)]
pub(crate) struct EpsilonTable {
    /// The table's last row and diagonal (QUADPACK's `epstab`, 52 entries), `n` of them in use.
    table: [f64; 52],
    n: usize,
    /// The last three extrapolated values.
    last_three: [f64; 3],
    calls: usize,
}

impl EpsilonTable {
    pub(crate) fn new(first: f64) -> Self {
        let mut table = [0.0; 52];
        table[0] = first;
        EpsilonTable {
            table,
            n: 1,
            last_three: [0.0; 3],
            calls: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.n
    }

    pub(crate) fn push(&mut self, value: f64) {
        self.table[self.n] = value;
        self.n += 1;
    }

    /// The extrapolated value and its error estimate (`f64::MAX` until three values agree).
    pub(crate) fn extrapolate(&mut self) -> (f64, f64) {
        let eps = f64::EPSILON;
        let e = &mut self.table;
        let n = self.n - 1;
        let current = e[n];
        let floor = |x: f64| 5.0 * eps * x.abs();
        if n < 2 {
            return (current, f64::MAX.max(floor(current)));
        }
        let (mut result, mut abserr) = (current, f64::MAX);
        let new_elements = n / 2;
        let mut n_final = n;
        e[n + 2] = e[n];
        e[n] = f64::MAX;
        for i in 0..new_elements {
            let k = n - 2 * i;
            let (e0, e1, e2) = (e[k - 2], e[k - 1], e[k + 2]);
            let (delta2, delta3) = (e2 - e1, e1 - e0);
            let (err2, err3) = (delta2.abs(), delta3.abs());
            let tol2 = e2.abs().max(e1.abs()) * eps;
            let tol3 = e1.abs().max(e0.abs()) * eps;
            if err2 <= tol2 && err3 <= tol3 {
                // e0, e1 and e2 agree to machine precision: the sequence has converged.
                return (e2, (err2 + err3).max(floor(e2)));
            }
            let e3 = e[k];
            e[k] = e1;
            let delta1 = e1 - e3;
            let tol1 = e1.abs().max(e3.abs()) * eps;
            if delta1.abs() <= tol1 || err2 <= tol2 || err3 <= tol3 {
                n_final = 2 * i;
                break;
            }
            let ss = 1.0 / delta1 + 1.0 / delta2 - 1.0 / delta3;
            if (ss * e1).abs() <= 1e-4 {
                // Irregular behaviour: drop the rest of the table.
                n_final = 2 * i;
                break;
            }
            let res = e1 + 1.0 / ss;
            e[k] = res;
            let error = err2 + (res - e2).abs() + err3;
            if error <= abserr {
                abserr = error;
                result = res;
            }
        }
        // Shift the table, keeping at most 50 entries.
        n_final = n_final.min(48);
        let start = n % 2;
        for i in 0..=new_elements {
            e[start + 2 * i] = e[start + 2 * i + 2];
        }
        if n != n_final {
            for i in 0..=n_final {
                e[i] = e[n - n_final + i];
            }
        }
        self.n = n_final + 1;
        if self.calls < 3 {
            self.last_three[self.calls] = result;
            abserr = f64::MAX;
        } else {
            let l = &mut self.last_three;
            abserr = (result - l[2]).abs() + (result - l[1]).abs() + (result - l[0]).abs();
            *l = [l[1], l[2], result];
        }
        self.calls += 1;
        (result, abserr.max(floor(result)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrate::gauss_kronrod::GK21;

    #[test]
    fn epsilon_algorithm_sums_a_slow_alternating_series() {
        // 1 - 1/2 + 1/3 - … = ln 2; the partial sums are off by about 1/(2k).
        let mut table = EpsilonTable::new(1.0);
        let (mut sum, mut best) = (1.0, (0.0, f64::MAX));
        for k in 2..=20 {
            let sign = if k % 2 == 0 { -1.0 } else { 1.0 };
            sum += sign / f64::from(k);
            table.push(sum);
            best = table.extrapolate();
        }
        let truth = std::f64::consts::LN_2;
        assert!((sum - truth).abs() > 1e-2);
        let off = (best.0 - truth).abs();
        assert!(off < 1e-12 && best.1 >= off && best.1 < 1e-9, "{best:?}");
    }

    #[test]
    fn extrapolation_reaches_the_sqrt_singularity() {
        let mut f = |x: f64| Ok(1.0 / x.sqrt());
        let out = qags(&mut f, &GK21, (0.0, 1.0), (0.0, 1e-12), 50).unwrap();
        assert_eq!(out.status, Status::Converged);
        let off = (out.value - 2.0).abs();
        assert!(off <= out.error && out.error <= 2e-12, "{out:?}");
    }
}

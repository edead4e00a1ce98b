//! Loss functions, each one node with a fused, numerically stable backward rule.
//!
//! | loss | use | formula |
//! |---|---|---|
//! | [`mse`] | regression | `mean((pred - target)²)` |
//! | [`bce_with_logits`] | two classes, labels 0/1 | `mean(softplus(z) - y·z)` (never `ln(sigmoid)`) |
//! | [`softmax_cross_entropy`] | k classes | `mean(logsumexp(z) - z[label])` |
//! | [`hinge`] | two classes, labels ±1 | `mean(relu(1 - y·score))` |

use super::ops::broadcast_shape;
use super::tape::Op;
use super::{shape_str, Tensor};
use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView2, Axis};

fn same_shape(what: &str, a: (usize, usize), b: (usize, usize)) -> Result<()> {
    if a == b {
        Ok(())
    } else {
        Err(Error::shape(what, shape_str(a), shape_str(b)))
    }
}

fn non_empty(what: &str, shape: (usize, usize)) -> Result<()> {
    if shape.0 * shape.1 == 0 {
        Err(Error::empty(what))
    } else {
        Ok(())
    }
}

/// Mean squared error `mean((pred - target)²)`; gradients flow to both sides.
pub fn mse(pred: &Tensor, target: &Tensor) -> Result<Tensor> {
    same_shape("mse: target", pred.shape(), target.shape())?;
    non_empty("mse: prediction", pred.shape())?;
    let n = pred.value.len() as f64;
    let loss = (&pred.value - &target.value).mapv(|d| d * d).sum() / n;
    let value = Array2::from_elem((1, 1), loss);
    Ok(Tensor::record_two(pred, target, value, Op::Mse))
}

/// `ln(1 + e^z)` without overflow.
pub(crate) fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// Binary cross-entropy of logits `z` against labels `y ∈ [0, 1]`, `mean(softplus(z) - y·z)`: PyTorch's
/// `BCEWithLogitsLoss`, stable for any `z` (the gradient is `(sigmoid(z) - y) / n`).
pub fn bce_with_logits(logits: &Tensor, targets: ArrayView2<f64>) -> Result<Tensor> {
    same_shape("bce_with_logits: targets", logits.shape(), targets.dim())?;
    non_empty("bce_with_logits: logits", logits.shape())?;
    if let Some(bad) = targets.iter().find(|y| !(0.0..=1.0).contains(*y)) {
        return Err(Error::parameter(
            "bce_with_logits: a target",
            *bad,
            "binary cross-entropy targets are probabilities in [0, 1] (labels 0 and 1)",
        ));
    }
    let n = logits.value.len() as f64;
    let loss = ndarray::Zip::from(&logits.value)
        .and(&targets)
        .fold(0.0, |acc, &z, &y| acc + softplus(z) - y * z)
        / n;
    let targets = targets.to_owned().into_shared();
    let value = Array2::from_elem((1, 1), loss);
    Ok(Tensor::record_one(logits, value, |a| {
        Op::BceWithLogits(a, targets)
    }))
}

/// Softmax cross-entropy of `n × k` logits against one class label per row: PyTorch's
/// `CrossEntropyLoss`, stable (the row maximum is subtracted before `exp`).
pub fn softmax_cross_entropy(logits: &Tensor, labels: &[usize]) -> Result<Tensor> {
    let (n, k) = logits.shape();
    non_empty("softmax_cross_entropy: logits", (n, k))?;
    if labels.len() != n {
        return Err(Error::shape(
            "softmax_cross_entropy: labels",
            format!("{n} labels, one per row of the logits"),
            format!("{} labels", labels.len()),
        ));
    }
    if let Some(&bad) = labels.iter().find(|&&l| l >= k) {
        return Err(Error::parameter(
            "softmax_cross_entropy: a label",
            bad as f64,
            format!("labels are class indices 0..{k}"),
        ));
    }
    let mut probs = logits.value.to_owned();
    let mut loss = 0.0;
    for (mut row, &label) in probs.axis_iter_mut(Axis(0)).zip(labels) {
        let max = row.fold(f64::NEG_INFINITY, |m, &z| m.max(z));
        let z_label = row[label];
        row.mapv_inplace(|z| (z - max).exp());
        let total = row.sum();
        row /= total;
        loss += max + total.ln() - z_label;
    }
    let labels = labels.to_vec();
    let value = Array2::from_elem((1, 1), loss / n as f64);
    Ok(Tensor::record_one(logits, value, |a| {
        Op::SoftmaxCe(a, probs, labels)
    }))
}

/// The hinge loss `mean(relu(1 - y·score))` for labels `y = ±1` (a linear SVM's loss), built from
/// primitive ops, so its gradient is theirs.
pub fn hinge(score: &Tensor, y: &Tensor) -> Result<Tensor> {
    broadcast_shape("hinge: labels", score.shape(), y.shape())?;
    non_empty("hinge: scores", score.shape())?;
    Ok(score.mul(y)?.neg().add_scalar(1.0).relu().mean())
}

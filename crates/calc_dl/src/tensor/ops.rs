//! The forward half of every tensor op: compute the value, check shapes, record the node.

use super::tape::Op;
use super::{shape_str, Tensor};
use crate::error::{Error, Result};
use crate::ops::Unary;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use std::ops::Range;

/// The shape of `a op b` under broadcasting: equal dimensions, or 1 on either side.
pub(crate) fn broadcast_shape(
    what: &str,
    a: (usize, usize),
    b: (usize, usize),
) -> Result<(usize, usize)> {
    let dim = |x: usize, y: usize| match (x, y) {
        _ if x == y => Some(x),
        (1, y) => Some(y),
        (x, 1) => Some(x),
        _ => None,
    };
    match (dim(a.0, b.0), dim(a.1, b.1)) {
        (Some(r), Some(c)) => Ok((r, c)),
        _ => Err(Error::shape(
            what,
            format!(
                "shapes that broadcast with {} (equal, or 1 in a dimension)",
                shape_str(a)
            ),
            shape_str(b),
        )),
    }
}

/// Sums a gradient of the broadcast shape back down to an argument's shape.
pub(crate) fn unbroadcast(g: Array2<f64>, shape: (usize, usize)) -> Array2<f64> {
    if shape == (1, 1) && g.dim() != (1, 1) {
        return Array2::from_elem((1, 1), g.sum());
    }
    let mut g = g;
    if shape.0 == 1 && g.nrows() != 1 {
        g = g.sum_axis(Axis(0)).insert_axis(Axis(0));
    }
    if shape.1 == 1 && g.ncols() != 1 {
        g = g.sum_axis(Axis(1)).insert_axis(Axis(1));
    }
    g
}

/// `a · b`. A product with one column (a linear regression's `x · w`, or its gradient `xᵀ · e`) is done
/// as a matrix-vector product over contiguous rows, rather than packing a tall `a` for a matrix product.
pub(crate) fn matmul(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
    if b.ncols() == 1 && a.nrows() > 1 {
        if a.is_standard_layout() {
            return a.dot(&b.column(0)).insert_axis(Axis(1));
        }
        if let Some(x) = a.t().as_slice() {
            // a = xᵀ with x an n × k matrix stored row by row: xᵀ·g = Σᵢ gᵢ·xᵢ
            let k = a.nrows();
            let mut out = vec![0.0; k];
            for (row, g) in x.chunks_exact(k).zip(b.column(0)) {
                out.iter_mut().zip(row).for_each(|(o, x)| *o += g * x);
            }
            return Array1::from(out).insert_axis(Axis(1));
        }
    }
    a.dot(&b)
}

macro_rules! elementwise {
    ($(#[$doc:meta])* $name:ident, $variant:ident, $op:tt) => {
        $(#[$doc])*
        pub fn $name(&self, rhs: &Tensor) -> Result<Tensor> {
            broadcast_shape(concat!("Tensor::", stringify!($name)), self.shape(), rhs.shape())?;
            let value = if rhs.shape() == (1, 1) {
                &self.value $op rhs.value[[0, 0]] // contiguous fast path for a scalar
            } else {
                &self.value $op &rhs.value
            };
            Ok(Tensor::record_two(self, rhs, value, Op::$variant))
        }
    };
}

impl Tensor {
    /// The matrix product `self · rhs` (`n × k` times `k × m`).
    pub fn matmul(&self, rhs: &Tensor) -> Result<Tensor> {
        let (a, b) = (self.shape(), rhs.shape());
        if a.1 != b.0 {
            return Err(Error::shape(
                "Tensor::matmul",
                format!("{} rows on the right to match {}", a.1, shape_str(a)),
                shape_str(b),
            ));
        }
        let value = matmul(self.value.view(), rhs.value.view());
        Ok(Tensor::record_two(self, rhs, value, Op::MatMul))
    }

    elementwise!(
        /// `self + rhs`, broadcasting a `1 × k` row (a bias), an `n × 1` column or a `1 × 1` scalar.
        add, Add, +);
    elementwise!(
        /// `self - rhs`, with [`add`](Tensor::add)'s broadcasting.
        sub, Sub, -);
    elementwise!(
        /// The elementwise product, with [`add`](Tensor::add)'s broadcasting.
        mul, Mul, *);
    elementwise!(
        /// The elementwise quotient, with [`add`](Tensor::add)'s broadcasting.
        div, Div, /);

    /// `c · self`.
    pub fn scale(&self, c: f64) -> Tensor {
        Tensor::record_one(self, &self.value * c, |a| Op::Scale(a, c))
    }

    /// `self + c`.
    pub fn add_scalar(&self, c: f64) -> Tensor {
        Tensor::record_one(self, &self.value + c, Op::AddScalar)
    }

    /// Applies one of the core's elementwise functions (the same rules [`Var`](crate::Var) uses).
    pub fn unary(&self, op: Unary) -> Tensor {
        let value = match op {
            Unary::Powi(2) => self.value.mapv(|x| x * x), // the common square, without a powi call
            _ => self.value.mapv(|x| op.value(x)),
        };
        Tensor::record_one(self, value, |a| Op::Unary(a, op))
    }

    pub fn neg(&self) -> Tensor {
        self.scale(-1.0)
    }
    pub fn exp(&self) -> Tensor {
        self.unary(Unary::Exp)
    }
    pub fn ln(&self) -> Tensor {
        self.unary(Unary::Ln)
    }
    /// `1 / (1 + e^-x)`, without overflow.
    pub fn sigmoid(&self) -> Tensor {
        self.unary(Unary::Sigmoid)
    }
    pub fn tanh(&self) -> Tensor {
        self.unary(Unary::Tanh)
    }
    /// `max(x, 0)`; derivative 0 at 0, as in PyTorch.
    pub fn relu(&self) -> Tensor {
        self.unary(Unary::Relu)
    }
    pub fn powi(&self, n: i32) -> Tensor {
        self.unary(Unary::Powi(n))
    }
    pub fn sqrt(&self) -> Tensor {
        self.unary(Unary::Sqrt)
    }
    pub fn abs(&self) -> Tensor {
        self.unary(Unary::Abs)
    }

    /// The sum of all elements, `1 × 1`.
    pub fn sum(&self) -> Tensor {
        let value = Array2::from_elem((1, 1), self.value.sum());
        Tensor::record_one(self, value, Op::Sum)
    }

    /// The mean of all elements, `1 × 1` (NaN for an empty tensor, as in PyTorch).
    pub fn mean(&self) -> Tensor {
        let n = self.value.len() as f64;
        let value = Array2::from_elem((1, 1), self.value.sum() / n);
        Tensor::record_one(self, value, Op::Mean)
    }

    /// The transpose.
    pub fn t(&self) -> Tensor {
        let value = self.value.t().to_owned();
        Tensor::record_one(self, value, Op::Transpose)
    }

    /// The block `rows × cols` (as `x[rows, cols]` in numpy); the gradient flows back into that block.
    pub fn slice(&self, rows: Range<usize>, cols: Range<usize>) -> Result<Tensor> {
        let (r, c) = self.shape();
        if rows.start > rows.end || rows.end > r || cols.start > cols.end || cols.end > c {
            return Err(Error::shape(
                "Tensor::slice",
                format!("ranges within {}", shape_str((r, c))),
                format!("rows {rows:?}, columns {cols:?}"),
            ));
        }
        let (r0, c0) = (rows.start, cols.start);
        let value = self.value.slice(s![rows, cols]).to_owned();
        Ok(Tensor::record_one(self, value, |a| Op::Slice(a, r0, c0)))
    }

    /// Columns `cols` of every row.
    pub fn cols(&self, cols: Range<usize>) -> Result<Tensor> {
        self.slice(0..self.shape().0, cols)
    }
}

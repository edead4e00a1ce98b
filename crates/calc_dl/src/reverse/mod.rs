//! Reverse mode: a tape that records every operation on [`Var`]s, and a backward sweep over it.
//!
//! Read it as micrograd's `engine.py`, split in three:
//!
//! - [`Var`] (`var.rs`) is micrograd's `Value`: each op, in its [`Scalar`](crate::Scalar) impl,
//!   computes its value and its *local derivatives* (`d(a·b)/da = b`, `d(a·b)/db = a`, …, all from
//!   [`crate::ops`]) and records them as one node on the tape;
//! - the tape (`tape.rs`) holds the nodes in order of creation, which is a topological order, so
//!   `backward()` is one loop over them in reverse: each node passes its adjoint times its local
//!   derivatives on to its arguments (the chain rule), with no recursion;
//! - the cross-cell rules (`src/liveness.rs`, shared with the tensor tape) say which handles still
//!   name their node and which gradients would come out partial.
//!
//! A [`Var`] is a small `Copy` handle: the value, its index on the tape and the tape itself, so it can be
//! stored in a notebook variable and used in any function generic over [`Scalar`](crate::Scalar).
//! Operations follow their operands' tape rather than asking the thread for one: in a notebook on the
//! evcxr kernel every cell carries its own copy of this crate (and of its thread-locals), and a value
//! made in one cell must still back-propagate in the next.
//!
//! ```
//! use calc_dl::prelude::*;
//!
//! let w = Var::new(4.0).named("w");
//! let loss = (w - 3.0).powi(2); // L(w) = (w - 3)²
//! loss.backward()?;
//! assert_eq!(w.grad()?, 2.0); // dL/dw = 2(w - 3) = 2
//!
//! let frozen = Var::constant(4.0); // PyTorch's requires_grad=False
//! assert!((frozen - 3.0).powi(2).backward().is_err());
//! # Ok::<(), calc_dl::Error>(())
//! ```

mod tape;
mod var;

pub(crate) use tape::with_tape;
pub(crate) use tape::Op;
pub use var::Var;

use crate::error::Result;
use crate::liveness::{no_grad, Kind, Why};

/// Runs `f` on fresh variables for `x` and returns the value and the gradient, dropping what `f` recorded.
pub(crate) fn value_and_grad_scoped<F>(f: F, x: &[f64]) -> Result<(f64, Vec<f64>)>
where
    F: FnOnce(&[Var]) -> Var,
{
    let tape = tape::current();
    let start = with_tape(tape, |t| t.len());
    let inputs: Vec<Var> = x.iter().map(|&value| Var::leaf(tape, value)).collect();
    let y = f(&inputs);
    let from = y
        .live()
        .filter(|&(t, _)| std::ptr::eq(t, tape))
        .map(|(_, from)| from);
    with_tape(tape, |t| {
        // A value of this computation that an operation on another tape took as a constant (a value
        // made in an earlier cell met on the left): what flowed through there is missing.
        let lost = t.liveness.lent_since(start);
        let grads = match from {
            Some(from) if from >= start => {
                t.sweep(from, start);
                // The output may be one of the inputs, recorded before the others.
                (start..start + x.len())
                    .map(|i| if i <= from { t.scratch[i] } else { 0.0 })
                    .collect()
            }
            // The output does not depend on the inputs.
            _ => vec![0.0; x.len()],
        };
        t.truncate(start);
        if lost {
            Err(no_grad(Kind::Var, "compute the gradient", Why::Mixed))
        } else {
            Ok((y.value(), grads))
        }
    })
}

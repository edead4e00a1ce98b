//! Reverse mode: a tape that records every operation on [`Var`]s, and a backward sweep over it.
//!
//! Each thread has a tape, and a [`Var`] is a small `Copy` handle: the value, its index on the tape and
//! the tape itself, so it can be stored in a notebook variable and used in any function generic over
//! [`Scalar`]. Operations follow their operands' tape rather than asking the thread for one: in a
//! notebook on the evcxr kernel every cell carries its own copy of this crate (and of its thread-locals),
//! and a value made in one cell must still back-propagate in the next. Each node stores the local partial
//! derivatives of its op, computed when it is recorded; `backward` is then one loop over the nodes in
//! reverse order of creation, which is a topological order, with no recursion: a chain of a million nodes
//! is as easy as a chain of three.
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

use crate::error::{Error, Result};
use crate::liveness::Generations;
use crate::ops::{Binary, Unary};
use crate::scalar::{impl_scalar_ops, Scalar};
use std::cell::UnsafeCell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// What produced a node: the one `match` the graph drawing reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// The slot every missing argument points at, so the backward loop needs no branch.
    Sink,
    /// An input created with [`Var::new`].
    Leaf,
    Unary(Unary),
    Binary(Binary),
    /// `c op x`: a binary op whose left argument was a constant.
    ConstLeft(Binary, f64),
    /// `x op c`: a binary op whose right argument was a constant.
    ConstRight(Binary, f64),
}

/// A node as recorded: its arguments with the local partial derivatives, its value and its op.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub(crate) args: [u32; 2],
    pub(crate) partials: [f64; 2],
    pub(crate) value: f64,
    pub(crate) op: Op,
}

/// What the backward sweep reads of a node (24 bytes, so the sweep streams through little memory).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Link {
    pub(crate) args: [u32; 2],
    pub(crate) partials: [f64; 2],
}

/// What only a drawing reads of a node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Info {
    pub(crate) value: f64,
    pub(crate) op: Op,
}

const SINK: Node = Node {
    args: [0, 0],
    partials: [0.0, 0.0],
    value: 0.0,
    op: Op::Sink,
};

/// The recorded nodes, split by who reads them.
pub(crate) struct Tape {
    pub(crate) links: Vec<Link>,
    pub(crate) info: Vec<Info>,
    /// Gradients accumulated by [`Var::backward`], one per node (shorter until the first backward).
    pub(crate) grads: Vec<f64>,
    /// Adjoints of the sweep in progress.
    scratch: Vec<f64>,
    pub(crate) names: BTreeMap<u32, String>,
    /// Which handles still name their node: a reset or the end of a scoped gradient drops nodes, and the
    /// next ones reuse their indices.
    generations: Generations,
    /// Nodes recorded with an operand from another tape, which they took as a constant: a backward
    /// sweep whose gradient flows through one of them would lose that operand's share, so it fails.
    mixed: Vec<u32>,
    /// Nodes of this tape that an operation recorded on another tape took as a constant: a gradient
    /// scoped to this tape (`value_and_grad`) would miss what flowed through there, so it fails.
    lent: Vec<u32>,
}

/// A tape, shared by every handle that points at it.
pub(crate) type TapeCell = UnsafeCell<Tape>;

thread_local! {
    /// This thread's tape for new inputs. Leaked, so that handles can point at it for as long as they
    /// live (one tape per thread and per copy of the crate, emptied by [`Var::reset_tape`]).
    static CURRENT: &'static TapeCell = Box::leak(Box::new(UnsafeCell::new(Tape {
        links: vec![Link { args: SINK.args, partials: SINK.partials }],
        info: vec![Info { value: SINK.value, op: SINK.op }],
        grads: Vec::new(),
        scratch: Vec::new(),
        names: BTreeMap::new(),
        generations: Generations::new(),
        mixed: Vec::new(),
        lent: Vec::new(),
    })));
}

fn current() -> &'static TapeCell {
    CURRENT.with(|t| *t)
}

/// Runs `f` with the tape.
#[inline(always)]
pub(crate) fn with_tape<R>(tape: &'static TapeCell, f: impl FnOnce(&mut Tape) -> R) -> R {
    // SAFETY: a tape is only reached from the thread that made it (`Var` is neither Send nor Sync), and
    // every caller (all in this crate) passes a closure that only touches the tape: it never runs user
    // code nor calls `with_tape` again, so no other reference to the tape exists while `f` runs. (A
    // `RefCell`'s run-time check costs a noticeable share of recording one operation.)
    f(unsafe { &mut *tape.get() })
}

impl Tape {
    /// Records a node; the sink is always at index 0.
    #[inline(always)]
    fn push(&mut self, node: Node) -> u32 {
        let idx = self.links.len() as u32;
        self.links.push(Link {
            args: node.args,
            partials: node.partials,
        });
        self.info.push(Info {
            value: node.value,
            op: node.op,
        });
        idx
    }

    /// The tape indices node `i` was computed from (none for an input, one when the other was a constant).
    pub(crate) fn arguments(&self, i: usize) -> &[u32] {
        let arity = match self.info[i].op {
            Op::Sink | Op::Leaf => 0,
            Op::Binary(_) => 2,
            Op::Unary(_) | Op::ConstLeft(..) | Op::ConstRight(..) => 1,
        };
        &self.links[i].args[..arity]
    }

    /// How many nodes are recorded, the sink included.
    pub(crate) fn len(&self) -> usize {
        self.links.len()
    }

    /// Fills `scratch[start..=from]` with d(node `from`)/d(node i). Arguments below `start` (the sink, or
    /// nodes of an enclosing computation) receive contributions that nobody reads.
    fn sweep(&mut self, from: usize, start: usize) {
        if self.scratch.len() <= from {
            self.scratch.resize(from + 1, 0.0);
        }
        let adj = &mut self.scratch[..=from];
        adj[start..].fill(0.0);
        adj[from] = 1.0;
        for (i, node) in self.links[start..=from].iter().enumerate().rev() {
            let [p, q] = node.args.map(|a| a as usize);
            // Every argument was recorded before its node, so p, q < start + i <= from < adj.len().
            debug_assert!(p < start + i && q < start + i);
            // SAFETY: the indices are in bounds, as above; this loop is the whole cost of backward.
            unsafe {
                let a = *adj.get_unchecked(start + i);
                *adj.get_unchecked_mut(p) += node.partials[0] * a;
                *adj.get_unchecked_mut(q) += node.partials[1] * a;
            }
        }
    }

    /// Truncates the tape back to `len` nodes (what a scoped computation recorded is dropped); the
    /// handles of the dropped nodes are dead from now on, even once new nodes take their indices.
    fn truncate(&mut self, len: usize) {
        let len = len.max(1); // the sink stays
        self.generations.truncate(len);
        self.links.truncate(len);
        self.info.truncate(len);
        self.grads.truncate(len);
        self.names.split_off(&(len as u32));
        self.mixed.retain(|&m| (m as usize) < len);
        self.lent.retain(|&m| (m as usize) < len);
    }

    /// After a sweep from `from`: whether some gradient reached a node that took an operand from another
    /// tape as a constant (that operand's share of the gradient was not recorded).
    fn lost_gradient(&self, start: usize, from: usize) -> bool {
        self.mixed
            .iter()
            .map(|&m| m as usize)
            .any(|m| (start..=from).contains(&m) && self.scratch[m] != 0.0)
    }
}

/// A reverse-mode variable: a value plus its place on a tape.
///
/// Make inputs with [`Var::new`], compute with them as with `f64`, call [`backward`](Var::backward) on
/// the scalar result and read each input's [`grad`](Var::grad). Gradients accumulate over repeated
/// `backward` calls until [`zero_grad`](Var::zero_grad), as in PyTorch.
///
/// A `Var` belongs to the thread that made it, so it is neither `Send` nor `Sync`.
#[derive(Clone, Copy)]
pub struct Var {
    /// `None` for a constant.
    tape: Option<&'static TapeCell>,
    idx: u32,
    /// The tape's generation when the value was recorded: see [`crate::liveness`].
    generation: u32,
    value: f64,
    _thread_local: PhantomData<*const ()>,
}

impl Var {
    /// A new input that tracks gradients (PyTorch's `requires_grad=True`), on this thread's tape.
    pub fn new(value: f64) -> Self {
        Var::leaf(current(), value)
    }

    /// A new input on the same tape as `other` (a constant `other` gives a plain [`Var::new`]).
    ///
    /// In a notebook each cell that calls [`Var::new`] records on a tape of its own; to combine a new input
    /// with values made in an earlier cell, make it with `Var::new_like(&earlier, value)`.
    pub fn new_like(other: &Var, value: f64) -> Self {
        Var::leaf(other.tape.unwrap_or_else(current), value)
    }

    fn leaf(tape: &'static TapeCell, value: f64) -> Self {
        Var::record(
            tape,
            Node {
                op: Op::Leaf,
                value,
                ..SINK
            },
        )
    }

    /// A value that does not track gradients (PyTorch's `requires_grad=False`): nothing is recorded for it.
    pub fn constant(value: f64) -> Self {
        Var {
            tape: None,
            idx: 0,
            generation: 0,
            value,
            _thread_local: PhantomData,
        }
    }

    /// The value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Whether gradients flow to this value (not for a constant, nor for a value dropped by a reset or
    /// with a finished scoped gradient).
    pub fn requires_grad(&self) -> bool {
        self.live_tape().is_some()
    }

    /// The tape this value is recorded on, unless it is a constant, was recorded before a reset, or was
    /// dropped with a scoped computation: then it is a constant with its value, even once a newer node
    /// sits at its index (a live index is on the tape, so new nodes index their arguments below
    /// themselves, which the unchecked sweep relies on).
    #[inline(always)]
    fn live_tape(&self) -> Option<&'static TapeCell> {
        self.tape.filter(|&tape| {
            with_tape(tape, |t| {
                t.generations.is_live(self.idx, self.generation, t.len())
            })
        })
    }

    /// The tape and index of a value recorded on a live tape.
    pub(crate) fn live(&self) -> Option<(&'static TapeCell, usize)> {
        self.live_tape().map(|tape| (tape, self.idx as usize))
    }

    /// Gives the value a name, shown in drawings of the computation graph.
    pub fn named(self, name: &str) -> Self {
        if let Some((tape, i)) = self.live() {
            with_tape(tape, |t| t.names.insert(i as u32, name.to_string()));
        }
        self
    }

    fn checked(&self, action: &str) -> Result<(&'static TapeCell, usize)> {
        if self.tape.is_none() {
            return Err(Error::NoGrad(format!(
                "cannot {action}: this value does not require grad and has no grad_fn (it was made with \
                 Var::constant, PyTorch's requires_grad=False); make the input with Var::new to track gradients"
            )));
        }
        self.live().ok_or_else(|| {
            Error::NoGrad(format!(
                "cannot {action}: this value was recorded before Var::reset_tape() or inside a finished grad or \
                 value_and_grad, so it is a constant now; compute it again"
            ))
        })
    }

    /// Back-propagates from this value: adds d(self)/d(node) to the gradient of every node it depends on.
    pub fn backward(&self) -> Result<()> {
        let (tape, from) = self.checked("call backward()")?;
        with_tape(tape, |t| {
            t.sweep(from, 1);
            if t.lost_gradient(1, from) {
                return Err(mixed_error("call backward()"));
            }
            if t.grads.len() < t.len() {
                t.grads.resize(t.len(), 0.0);
            }
            for (g, a) in t.grads[1..=from].iter_mut().zip(&t.scratch[1..=from]) {
                *g += a;
            }
            Ok(())
        })
    }

    /// The gradient accumulated by `backward` calls so far (0 before the first one reaches this value).
    pub fn grad(&self) -> Result<f64> {
        let (tape, i) = self.checked("read grad")?;
        Ok(with_tape(tape, |t| t.grads.get(i).copied().unwrap_or(0.0)))
    }

    /// Sets this value's accumulated gradient back to 0.
    pub fn zero_grad(&self) {
        if let Some((tape, i)) = self.live() {
            with_tape(tape, |t| {
                if let Some(g) = t.grads.get_mut(i) {
                    *g = 0.0;
                }
            });
        }
    }

    /// Empties this thread's tape. Handles made before are stale afterwards: using them in arithmetic
    /// treats them as constants, and `backward`/`grad` on them return an error.
    pub fn reset_tape() {
        with_tape(current(), |t| t.truncate(1));
    }

    /// How many nodes this thread's tape holds.
    pub fn tape_len() -> usize {
        with_tape(current(), |t| t.len() - 1)
    }

    #[inline(always)]
    fn record(tape: &'static TapeCell, node: Node) -> Var {
        with_tape(tape, |t| {
            let idx = t.push(node);
            Var {
                tape: Some(tape),
                idx,
                generation: t.generations.current(),
                value: node.value,
                _thread_local: PhantomData,
            }
        })
    }
}

fn mixed_error(action: &str) -> Error {
    Error::NoGrad(format!(
        "cannot {action}: the gradient flows through an operation that mixed values from two different \
         tapes, so some gradients were not tracked. In a notebook each cell that calls Var::new starts its \
         own tape: make new inputs that meet earlier values with Var::new_like(&earlier, value), or create \
         all inputs in one cell, and compute again"
    ))
}

impl Scalar for Var {
    #[inline]
    fn constant(c: f64) -> Self {
        Var::constant(c)
    }

    #[inline]
    fn value(&self) -> f64 {
        self.value
    }

    #[inline(always)]
    fn unary(self, op: Unary) -> Self {
        let Some(tape) = self.live_tape() else {
            return Var::constant(op.value(self.value));
        };
        // Derivatives are computed here, where `op` is usually a constant the compiler folds, and only
        // the finished node crosses into the tape.
        let (value, d1, _) = op.derivs(self.value);
        Var::record(
            tape,
            Node {
                args: [self.idx, 0],
                partials: [d1, 0.0],
                value,
                op: Op::Unary(op),
            },
        )
    }

    #[inline(always)]
    fn binary(self, rhs: Self, op: Binary) -> Self {
        let d = op.derivs(self.value, rhs.value);
        let const_right = Node {
            args: [self.idx, 0],
            partials: [d.d1[0], 0.0],
            value: d.value,
            op: Op::ConstRight(op, rhs.value),
        };
        match (self.live_tape(), rhs.live_tape()) {
            (None, None) => Var::constant(d.value),
            (Some(t), None) => Var::record(t, const_right),
            (None, Some(t)) => Var::record(
                t,
                Node {
                    args: [rhs.idx, 0],
                    partials: [d.d1[1], 0.0],
                    value: d.value,
                    op: Op::ConstLeft(op, self.value),
                },
            ),
            (Some(t), Some(u)) if std::ptr::eq(t, u) => Var::record(
                t,
                Node {
                    args: [self.idx, rhs.idx],
                    partials: d.d1,
                    value: d.value,
                    op: Op::Binary(op),
                },
            ),
            // Two tapes: record on the left one with the right operand as a constant, and remember it
            // on both sides, so that a gradient that would miss it fails instead of coming out partial.
            (Some(t), Some(u)) => {
                with_tape(u, |lender| lender.lent.push(rhs.idx));
                let v = Var::record(t, const_right);
                with_tape(t, |tape| tape.mixed.push(v.idx));
                v
            }
        }
    }
}
impl_scalar_ops!(Var);

impl PartialEq for Var {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl PartialOrd for Var {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tape.is_none() {
            write!(f, "Var({}, constant)", self.value)
        } else {
            write!(f, "Var({}, #{})", self.value, self.idx)
        }
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

/// Runs `f` on fresh variables for `x` and returns the value and the gradient, dropping what `f` recorded.
pub(crate) fn value_and_grad_scoped<F>(f: F, x: &[f64]) -> Result<(f64, Vec<f64>)>
where
    F: FnOnce(&[Var]) -> Var,
{
    let tape = current();
    let start = with_tape(tape, |t| t.len());
    let inputs: Vec<Var> = x.iter().map(|&value| Var::leaf(tape, value)).collect();
    let y = f(&inputs);
    let from = y
        .live_tape()
        .filter(|&t| std::ptr::eq(t, tape))
        .map(|_| y.idx as usize);
    with_tape(tape, |t| {
        // A value of this computation that an operation on another tape took as a constant (a value
        // made in an earlier cell met on the left): what flowed through there is missing.
        let lost = t.lent.iter().any(|&i| i as usize >= start);
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
            Err(mixed_error("compute the gradient"))
        } else {
            Ok((y.value, grads))
        }
    })
}

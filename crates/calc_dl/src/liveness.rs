//! Which handles still name their node, for both tapes ([`Var`](crate::Var) and
//! [`Tensor`](crate::tensor::Tensor)).
//!
//! A tape is a stack: a scoped gradient ([`grad`](crate::grad), [`value_and_grad`](crate::value_and_grad),
//! [`tensor::value_and_grad`](crate::tensor::value_and_grad)) and a reset truncate it, and the next nodes
//! reuse the freed indices. So an index alone does not say which node a kept handle meant: each
//! truncation starts a new *generation*, a handle remembers the generation it was recorded in, and it is
//! live only while the node at its index is still the one from that generation. A handle that is not
//! live is a constant with its value (as a detached tensor in PyTorch): arithmetic on it records nothing,
//! and `backward`/`grad` on it return an error.

/// The generation of every node on a tape, kept as runs: nodes are only pushed at the end and only
/// dropped from the end, so the generations along the tape never decrease, and one entry per run of
/// nodes recorded in one generation says them all.
#[derive(Debug)]
pub(crate) struct Generations {
    /// The generation new nodes are recorded in (bumped by every truncation).
    current: u32,
    /// `(first index, generation)` of each run, by increasing index; the first run starts at 0.
    runs: Vec<(u32, u32)>,
}

impl Generations {
    pub(crate) fn new() -> Self {
        Generations {
            current: 0,
            runs: vec![(0, 0)],
        }
    }

    /// The generation a node recorded now belongs to.
    #[inline(always)]
    pub(crate) fn current(&self) -> u32 {
        self.current
    }

    /// Whether the handle `(index, generation)` still names its node on a tape of `len` nodes. A handle of
    /// the current generation has not seen a truncation since it was made, so only older ones look up
    /// the run their index lies in.
    #[inline(always)]
    pub(crate) fn is_live(&self, index: u32, generation: u32, len: usize) -> bool {
        (index as usize) < len && (generation == self.current || self.made_in(index) == generation)
    }

    /// The generation of the node at `index` (on the tape).
    #[cold]
    fn made_in(&self, index: u32) -> u32 {
        let run = self.runs.partition_point(|&(first, _)| first <= index);
        self.runs[run - 1].1
    }

    /// The tape was cut back to `len` nodes: the nodes from `len` on are a new generation. (After 2³²
    /// truncations the counter wraps, and a handle kept that long could name a node again.)
    pub(crate) fn truncate(&mut self, len: usize) {
        self.current = self.current.wrapping_add(1);
        self.runs.retain(|&(first, _)| (first as usize) < len);
        self.runs.push((len as u32, self.current));
    }
}

#[cfg(test)]
mod tests {
    use super::Generations;

    #[test]
    fn a_truncation_kills_the_handles_past_it_and_keeps_the_ones_before() {
        let mut g = Generations::new();
        let (before, inside) = ((1, g.current()), (5, g.current()));
        g.truncate(3); // a scope that started at 3 ends
        let reused = (5, g.current()); // a new node at the same index
        let live = [before, inside, reused].map(|(i, gen)| g.is_live(i, gen, 6));
        assert_eq!(live, [true, false, true]);
        g.truncate(3);
        g.truncate(0); // a reset
        assert!(!g.is_live(before.0, before.1, 6) && !g.is_live(reused.0, reused.1, 6));
        assert!(!g.is_live(0, g.current(), 0)); // nothing is live on an empty tape
    }
}

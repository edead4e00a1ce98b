//! Drawing a recorded computation: each node with its operation, value and gradient, as Graphviz DOT
//! text and as SVG that shows inline in a notebook (micrograd's `draw_dot`, without needing Graphviz).

use crate::display::escape_html;
use crate::reverse::{with_tape, Op, Var};
use std::fmt::{self, Write};

/// One node of a drawn computation.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    /// The name given with [`Var::named`], if any.
    pub name: Option<String>,
    /// The operation that produced the value (`input` for a leaf).
    pub op: String,
    pub value: f64,
    /// The accumulated gradient, once a `backward` has reached the node.
    pub grad: Option<f64>,
}

/// The part of the tape a value depends on, in topological order (inputs first).
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub nodes: Vec<GraphNode>,
    /// `(from, to)`: `from` is an argument of `to` (indices into `nodes`).
    pub edges: Vec<(usize, usize)>,
}

fn op_label(op: &Op) -> String {
    match op {
        Op::Sink | Op::Leaf => "input".into(),
        Op::Unary(u) => u.to_string(),
        Op::Binary(b) => b.to_string(),
        Op::ConstLeft(b, c) => format!("{c} {b} ·"),
        Op::ConstRight(b, c) => format!("· {b} {c}"),
    }
}

impl Var {
    /// The computation graph this value depends on (empty for a constant).
    pub fn graph(&self) -> Graph {
        let Some((tape, root)) = self.live() else {
            return Graph {
                nodes: vec![],
                edges: vec![],
            };
        };
        with_tape(tape, |t| {
            // Iterative search, so deep graphs cannot overflow the stack.
            let mut seen = vec![false; root + 1];
            let mut stack = vec![root];
            seen[root] = true;
            while let Some(i) = stack.pop() {
                for &a in t.arguments(i) {
                    if !std::mem::replace(&mut seen[a as usize], true) {
                        stack.push(a as usize);
                    }
                }
            }
            let order: Vec<usize> = (1..=root).filter(|&i| seen[i]).collect();
            let mut position = vec![usize::MAX; root + 1];
            for (k, &i) in order.iter().enumerate() {
                position[i] = k;
            }
            let mut edges = vec![];
            let nodes = order
                .iter()
                .map(|&i| {
                    for &a in t.arguments(i) {
                        edges.push((position[a as usize], position[i]));
                    }
                    let info = t.info[i];
                    GraphNode {
                        name: t.names.get(&(i as u32)).cloned(),
                        op: op_label(&info.op),
                        value: info.value,
                        grad: t.grads.get(i).copied(),
                    }
                })
                .collect();
            Graph { nodes, edges }
        })
    }
}

impl GraphNode {
    fn title(&self) -> String {
        match (&self.name, self.op.as_str()) {
            (Some(n), "input") => n.clone(),
            (Some(n), op) => format!("{n} = {op}"),
            (None, op) => op.to_string(),
        }
    }

    fn grad_text(&self) -> String {
        self.grad
            .map_or("grad —".into(), |g| format!("grad {g:.4}"))
    }
}

const BOX_W: f64 = 150.0;
const BOX_H: f64 = 58.0;
const COL_GAP: f64 = 60.0;
const ROW_GAP: f64 = 22.0;
/// Space between two bands of a wrapped graph.
const BAND_GAP: f64 = 30.0;
/// The widest a drawn graph gets before it wraps: about a notebook's output width.
pub const GRAPH_WIDTH: f64 = 880.0;
/// The widest a band gets on a slide: two columns, enlarged about twice to fill the slide's width.
pub const SLIDE_GRAPH_WIDTH: f64 = 440.0;

impl Graph {
    /// Graphviz DOT text, left to right like micrograd's drawing.
    pub fn to_dot(&self) -> String {
        let mut s = String::from("digraph computation {\n  rankdir=LR;\n  node [shape=record, fontname=\"sans-serif\"];\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let label = format!(
                "{{ {} | data {:.4} | {} }}",
                n.title(),
                n.value,
                n.grad_text()
            )
            .replace('<', "\\<")
            .replace('>', "\\>")
            .replace('"', "\\\"");
            let _ = writeln!(s, "  n{i} [label=\"{label}\"];");
        }
        for (a, b) in &self.edges {
            let _ = writeln!(s, "  n{a} -> n{b};");
        }
        s.push_str("}\n");
        s
    }

    /// Column of each node: the longest path from an input.
    fn depths(&self) -> Vec<usize> {
        let mut depth = vec![0; self.nodes.len()];
        // Edges are listed with their target in increasing order, and targets come after their arguments.
        for &(a, b) in &self.edges {
            depth[b] = depth[b].max(depth[a] + 1);
        }
        depth
    }

    /// An SVG drawing: inputs on the left, the output on the right. A graph deeper than
    /// [`GRAPH_WIDTH`] allows is wrapped into bands, read like lines of text, rather than shrunk: its
    /// 12 px labels stay 12 px in a notebook (a 9-column graph in one row would be scaled to half).
    pub fn to_svg(&self) -> String {
        self.drawing(GRAPH_WIDTH).0
    }

    /// The drawing wrapped at `max_width`, and the rectangle (x, y, w, h) of each band.
    fn drawing(&self, max_width: f64) -> (String, Vec<[f64; 4]>) {
        let depth = self.depths();
        let columns = depth.iter().max().map_or(0, |d| d + 1);
        let mut row_of = vec![0; self.nodes.len()];
        let mut rows = vec![0usize; columns];
        for (i, &d) in depth.iter().enumerate() {
            row_of[i] = rows[d];
            rows[d] += 1;
        }
        let max_rows = rows.iter().copied().max().unwrap_or(0);
        let col_w = BOX_W + COL_GAP;
        let per_band = (((max_width - 20.0 + COL_GAP) / col_w).floor() as usize).max(1);
        let bands = columns.div_ceil(per_band).max(1);
        let band_h = max_rows as f64 * (BOX_H + ROW_GAP) + BAND_GAP;
        let margin = if columns > per_band {
            COL_GAP / 2.0
        } else {
            0.0
        }; // room for the wrapped edges
        let width = columns.min(per_band) as f64 * col_w - COL_GAP + 20.0 + margin;
        let height = bands as f64 * band_h - BAND_GAP + 20.0 - ROW_GAP;
        let band = |i: usize| depth[i] / per_band;
        let pos = |i: usize| {
            let d = depth[i];
            let offset = (max_rows - rows[d]) as f64 * (BOX_H + ROW_GAP) / 2.0;
            (
                10.0 + (d % per_band) as f64 * col_w,
                10.0 + (d / per_band) as f64 * band_h
                    + offset
                    + row_of[i] as f64 * (BOX_H + ROW_GAP),
            )
        };
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
             font-family=\"sans-serif\" font-size=\"12\">\n\
             <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
             orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n"
        );
        for &(a, b) in &self.edges {
            let ((ax, ay), (bx, by)) = (pos(a), pos(b));
            let (from, to) = ((ax + BOX_W, ay + BOX_H / 2.0), (bx, by + BOX_H / 2.0));
            if band(a) == band(b) {
                let _ = writeln!(
                    s,
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>",
                    from.0, from.1, to.0, to.1
                );
            } else {
                // Into the gap above b's band, back to its left, then in: a line break, as in text.
                let gap = 10.0 + band(b) as f64 * band_h - BAND_GAP / 2.0 - ROW_GAP / 2.0;
                let (out_x, in_x) = (from.0 + COL_GAP / 2.0, (to.0 - COL_GAP / 2.0).max(2.0));
                let _ = writeln!(
                    s,
                    "<polyline points=\"{},{} {out_x},{} {out_x},{gap} {in_x},{gap} {in_x},{} {},{}\" fill=\"none\" \
                     stroke=\"#555\" stroke-dasharray=\"5 3\" marker-end=\"url(#arrow)\"/>",
                    from.0, from.1, from.1, to.1, to.0, to.1
                );
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            let (x, y) = pos(i);
            let fill = if n.op == "input" {
                "#e3f0ff"
            } else {
                "#fff7e0"
            };
            let _ = writeln!(
                s,
                "<g><rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\" fill=\"{fill}\" stroke=\"#333\"/>\
                 <text x=\"{tx}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\
                 <text x=\"{tx}\" y=\"{}\" text-anchor=\"middle\">data {:.4}</text>\
                 <text x=\"{tx}\" y=\"{}\" text-anchor=\"middle\" fill=\"#b03000\">{}</text></g>",
                y + 17.0,
                escape_html(&n.title()),
                y + 34.0,
                n.value,
                y + 50.0,
                escape_html(&n.grad_text()),
                tx = x + BOX_W / 2.0,
            );
        }
        s.push_str("</svg>\n");
        let rects = (0..bands)
            .map(|b| {
                [
                    0.0,
                    b as f64 * band_h,
                    width,
                    band_h.min(height - b as f64 * band_h),
                ]
            })
            .collect();
        (s, rects)
    }

    /// The drawing for a projected slide: wrapped at [`SLIDE_GRAPH_WIDTH`], each band a slide of its
    /// own (`data-calc-dl-panels`), so the labels show about twice their notebook size.
    pub fn slide_svg(&self) -> String {
        let (svg, rects) = self.drawing(SLIDE_GRAPH_WIDTH);
        let panels: Vec<String> = rects
            .iter()
            .map(|r| r.map(|v| format!("{v}")).join(","))
            .collect();
        svg.replacen(
            "<svg ",
            &format!("<svg data-calc-dl-panels=\"{}\" ", panels.join(";")),
            1,
        )
    }

    /// Shows the drawing inline in a Jupyter notebook on the evcxr kernel.
    pub fn evcxr_display(&self) {
        match crate::plot::Figure::from_svg(self.to_svg()) {
            Ok(figure) => figure.with_slides(self.slide_svg()).evcxr_display(),
            Err(e) => println!("graph error: {e}"),
        }
    }
}

impl fmt::Display for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.nodes.iter().enumerate() {
            let args: Vec<String> = self
                .edges
                .iter()
                .filter(|e| e.1 == i)
                .map(|e| format!("#{}", e.0))
                .collect();
            writeln!(
                f,
                "#{i:<3} {:<16} {:<10} data {:>12.6}  {}",
                n.title(),
                args.join(", "),
                n.value,
                n.grad_text()
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain x → x·1.1 → … twelve operations deep.
    fn deep() -> Graph {
        let mut v = Var::new(2.0).named("x");
        for _ in 0..12 {
            v *= 1.1;
        }
        v.graph()
    }

    fn attr(svg: &str, name: &str) -> f64 {
        let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[start..start + svg[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    }

    #[test]
    fn on_a_slide_each_band_of_two_columns_is_a_panel_of_its_own() {
        let g = deep();
        let svg = g.slide_svg();
        let rects: Vec<Vec<f64>> = svg
            .split("data-calc-dl-panels=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .split(';')
            .map(|r| r.split(',').map(|v| v.parse().unwrap()).collect())
            .collect();
        // 13 nodes in a chain, 2 a band: 7 bands, stacked without gaps, the drawing's full width.
        assert_eq!(rects.len(), 7);
        let (w, h) = (attr(&svg, "width"), attr(&svg, "height"));
        assert!(w <= SLIDE_GRAPH_WIDTH + COL_GAP, "width {w}");
        for (i, r) in rects.iter().enumerate() {
            assert_eq!((r[0], r[2]), (0.0, w));
            assert!(i == 0 || (r[1] - (rects[i - 1][1] + rects[i - 1][3])).abs() < 1e-9);
            // Enlarged to 880 x 520, its 12 px labels show at 20 px or more.
            assert!(
                12.0 * (880.0 / r[2]).min(520.0 / r[3]) >= 20.0,
                "band {i}: {r:?}"
            );
        }
        assert!(
            (rects[6][1] + rects[6][3] - h).abs() < 1e-9,
            "the last band ends with the drawing"
        );
        // The notebook's drawing is unchanged.
        assert_eq!(g.to_svg(), g.drawing(GRAPH_WIDTH).0);
    }

    #[test]
    fn a_deep_graph_wraps_instead_of_growing_wide() {
        let g = deep();
        let svg = g.to_svg();
        let (w, h) = (attr(&svg, "width"), attr(&svg, "height"));
        assert!(w <= GRAPH_WIDTH + COL_GAP, "width {w}");
        // 13 nodes, 4 a band: 4 bands, one above the other.
        let bands = ((h + BAND_GAP + ROW_GAP - 20.0) / (BOX_H + ROW_GAP + BAND_GAP)).round();
        assert_eq!(bands, 4.0, "height {h}");
        assert_eq!(
            svg.matches("<polyline").count(),
            3,
            "one wrapped edge per band break"
        );
        // Every box lies inside the drawing.
        for piece in svg.split("<rect ").skip(1) {
            let (x, y) = (
                attr(&format!(" {piece}"), "x"),
                attr(&format!(" {piece}"), "y"),
            );
            assert!(
                x >= 0.0 && x + BOX_W <= w && y >= 0.0 && y + BOX_H <= h,
                "box at ({x}, {y}) outside {w} x {h}"
            );
        }
    }

    #[test]
    fn a_shallow_graph_stays_on_one_line() {
        let x = Var::new(1.0);
        let svg = (x * 2.0 + 1.0).graph().to_svg();
        assert_eq!(svg.matches("<polyline").count(), 0);
        assert_eq!(
            attr(&svg, "width"),
            3.0 * (BOX_W + COL_GAP) - COL_GAP + 20.0
        );
    }
}

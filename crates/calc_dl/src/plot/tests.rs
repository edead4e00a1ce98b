use super::*;
use crate::Scalar;

/// Tags open and close in order (a cheap well-formedness check; attribute values hold no `<`/`>`
/// because every text goes through escaping).
fn assert_balanced(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').expect("unclosed tag") + i;
        let tag = &rest[i + 1..end];
        assert!(!tag.contains('<'), "'<' inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

fn xs() -> Vec<f64> {
    (0..21).map(|i| i as f64 / 10.0 - 1.0).collect()
}

#[test]
fn svg_is_well_formed_and_keeps_korean_and_escapes() {
    let x = xs();
    let y: Vec<f64> = x.iter().map(|v| v * v).collect();
    let fig = Plot::new()
        .title("손실 <L> & \"기울기\"")
        .x_label("가중치 w")
        .y_label("손실")
        .line(&x, &y, "L(w) = w²")
        .text(0.0, 0.5, "최솟값 <here>")
        .figure()
        .unwrap();
    let svg = fig.svg();
    assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("손실 &lt;L&gt; &amp; &quot;기울기&quot;"));
    assert!(
        svg.contains("가중치 w")
            && svg.contains("최솟값 &lt;here&gt;")
            && svg.contains("L(w) = w²")
    );
    assert!(svg.contains("NanumGothic"));
    assert_balanced(svg);
    assert_eq!(fig.size(), (480, 400));
}

#[test]
fn display_block_is_an_image_that_untrusted_notebooks_keep() {
    let fig = Plot::new()
        .title("</script><script>alert(1)</script> 손실")
        .line(&[0.0, 1.0], &[0.0, 1.0], "")
        .figure()
        .unwrap();
    let block = crate::display::html_block(&fig.html());
    assert!(
        block.starts_with("EVCXR_BEGIN_CONTENT text/html\n<img src=\"data:image/svg+xml;base64,")
    );
    assert!(block.ends_with("/>\nEVCXR_END_CONTENT"));
    // No markup of the user's reaches the page: the title is escaped in the SVG and in the alt text.
    assert!(!block.contains("<script") && !block.contains("<svg"));
    assert!(fig.svg().contains("&lt;/script&gt;&lt;script&gt;alert(1)"));
    assert!(svg_words(fig.svg()).starts_with("</script><script>alert(1)</script> 손실"));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let msg = |p: Plot| p.figure().unwrap_err().to_string();
    assert!(msg(Plot::new()).contains("empty"));
    assert!(msg(Plot::new().line(&[], &[], "a")).contains("empty"));
    assert!(msg(Plot::new().line(&[1.0, 2.0], &[1.0], "a")).contains("shape"));
    assert!(
        msg(Plot::new().line(&[1.0, 2.0], &[1.0, f64::NAN], "a")).contains("y[1] of data of 'a'")
    );
    assert!(msg(Plot::new()
        .line(&[1.0, 2.0], &[1.0, 2.0], "")
        .x_range(2.0, 1.0))
    .contains("below"));
    assert!(msg(Plot::new().line(&[1.0, 2.0], &[0.0, 2.0], "g").log_y()).contains("log-scale"));
    assert!(msg(Plot::new().function(|x| 1.0 / (x - x), (0.0, 1.0), "f")).contains("not a finite"));
    assert!(Figure::grid("", &[], 2).is_err());
    assert!(Figure::from_svg("<html></html>").is_err());

    assert!(tangent_lines("", |x| x, (1.0, 1.0), &[0.0]).is_err());
    assert!(tangent_lines("", |x| x, (0.0, 1.0), &[]).is_err());
    assert!(function_and_derivative("", |_| f64::NAN, (0.0, 1.0)).is_err());
    assert!(descent_on_curve("", |w| w * w, &[]).is_err());
    assert!(descent_on_curve("", |w| w * w, &[1.0, f64::INFINITY]).is_err());
    assert!(learning_rates("", |w| w, &[]).is_err());
    assert!(contour_descent("", |x, y| x + y, (0.0, f64::NAN), (0.0, 1.0), &[]).is_err());
    assert!(taylor_approximations("", |x| x.sin(), 0.0, &[], (-1.0, 1.0)).is_err());
    assert!(gradient_norms("", &[("zero", &[1.0, 0.0])]).is_err());
    assert!(regression_line("", &[1.0, 2.0], &[1.0], 1.0, 0.0).is_err());
    assert!(descent_animation("", |w| w * w, &[1.0, 0.5], 0).is_err());
}

#[test]
fn helpers_draw_what_the_notebooks_draw() {
    let gd = |lr: f64| {
        let mut w = vec![4.0];
        for _ in 0..20 {
            let x = *w.last().unwrap();
            w.push(x - lr * 2.0 * x);
        }
        w
    };
    let (a, b, c) = (gd(0.01), gd(0.15), gd(0.9));
    let figs = [
        tangent_lines(
            "Derivative = Tangent Line Slope",
            |x| x * x,
            (-3.0, 3.0),
            &[-2.0, 0.0, 1.5],
        )
        .unwrap(),
        function_and_derivative("f(x) = x³ - 3x", |x| x.powi(3) - 3.0 * x, (-2.5, 2.5)).unwrap(),
        descent_on_curve("경사 하강법", |w| w * w, &b).unwrap(),
        learning_rates(
            "Learning Rate Comparison",
            |w| w * w,
            &[(0.01, &a), (0.15, &b), (0.9, &c)],
        )
        .unwrap(),
        contour_descent(
            "x² + y²",
            |x, y| x * x + y * y,
            (-3.0, 3.0),
            (-3.0, 3.0),
            &[(2.0, 2.5), (1.0, 1.25), (0.5, 0.6)],
        )
        .unwrap(),
        taylor_approximations("sin", |x| x.sin(), 0.0, &[1, 3, 5], (-6.0, 6.0)).unwrap(),
        gradient_norms(
            "norms",
            &[("a", &[1.0, 0.1, 0.01]), ("b", &[1.0, 0.9, 0.8])],
        )
        .unwrap(),
        regression_line("fit", &[1.0, 2.0, 3.0], &[2.0, 4.1, 5.9], 1.95, 0.1).unwrap(),
        descent_animation("anim", |w| w * w, &b, 200).unwrap(),
    ];
    for f in &figs {
        assert_balanced(f.svg());
    }
    assert!(figs[0].svg().contains("x = 1.5: slope = 3"));
    assert!(figs[1].svg().contains("local max") && figs[1].svg().contains("increasing"));
    assert_eq!(figs[3].size(), (1200, 396));
    assert!(figs[6].svg().contains("10⁻²"));
    assert!(figs[8].svg().matches("<animate").count() > 20);
}

#[test]
fn clip_ids_differ_between_figures_and_repeat_for_the_same_figure() {
    let a = Plot::new().line(&[0.0, 1.0], &[0.0, 1.0], "");
    let b = Plot::new().line(&[0.0, 1.0], &[1.0, 0.0], "");
    let id = |p: &Plot| {
        let s = p.figure().unwrap().svg().to_string();
        let i = s.find("clipPath id=\"").unwrap() + 13;
        s[i..i + s[i..].find('"').unwrap()].to_string()
    };
    assert_ne!(id(&a), id(&b));
    assert_eq!(id(&a), id(&a.clone()));
}

/// Writes every notebook figure helper's output to `target/plot-gallery/` for looking at them
/// (`cargo test -p calc_dl gallery -- --ignored`, then e.g. `rsvg-convert`).
#[test]
#[ignore]
fn gallery() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/plot-gallery");
    std::fs::create_dir_all(&dir).unwrap();
    let gd = |lr: f64, n: usize| {
        let mut w = vec![4.0];
        for _ in 0..n {
            let x = *w.last().unwrap();
            w.push(x - lr * 2.0 * x);
        }
        w
    };
    let (a, b, c) = (gd(0.01, 20), gd(0.15, 15), gd(0.9, 20));
    let mut p = vec![(-2.5, 2.0)];
    for _ in 0..25 {
        let (x, y): (f64, f64) = *p.last().unwrap();
        p.push((x - 0.1 * 2.0 * x, y - 0.1 * 6.0 * y));
    }
    let complex: Vec<f64> = {
        let mut w = vec![-3.5];
        for _ in 0..100 {
            let x: f64 = *w.last().unwrap();
            w.push(x - 0.01 * (4.0 * x.powi(3) - 16.0 * x + 2.0));
        }
        w
    };
    let sig: Vec<f64> = (0..30).map(|k| 0.25f64.powi(k)).collect();
    let tanh: Vec<f64> = (0..30).map(|k| 0.7f64.powi(k)).collect();
    let relu: Vec<f64> = (0..30).map(|k| 0.98f64.powi(k)).collect();
    let figs = [
        (
            "tangent",
            tangent_lines(
                "접선의 기울기 = 미분 (Tangent)",
                |x| x * x,
                (-3.0, 3.0),
                &[-2.0, 0.0, 1.5],
            )
            .unwrap(),
        ),
        (
            "derivative",
            function_and_derivative(
                "f(x) = x³ - 3x 와 도함수",
                |x| x.powi(3) - 3.0 * x,
                (-2.5, 2.5),
            )
            .unwrap(),
        ),
        (
            "descent",
            descent_on_curve("경사 하강법: w = 4, lr = 0.15", |w| w * w, &b).unwrap(),
        ),
        (
            "complex",
            descent_on_curve(
                "Gradient Descent on Complex Loss",
                |w| w.powi(4) - 8.0 * w * w + 2.0 * w + 20.0,
                &complex,
            )
            .unwrap(),
        ),
        (
            "lr",
            learning_rates(
                "학습률 비교 (Learning Rate Comparison)",
                |w| w * w,
                &[(0.01, &a), (0.15, &b), (0.9, &c)],
            )
            .unwrap(),
        ),
        (
            "contour",
            contour_descent(
                "f(x, y) = x² + 3y² 등고선과 경사 하강",
                |x, y| x * x + 3.0 * y * y,
                (-3.0, 3.0),
                (-3.0, 3.0),
                &p,
            )
            .unwrap(),
        ),
        (
            "taylor",
            taylor_approximations(
                "sin x 의 테일러 근사",
                |x| x.sin(),
                0.0,
                &[1, 3, 5, 7],
                (-2.0 * std::f64::consts::PI, 2.0 * std::f64::consts::PI),
            )
            .unwrap(),
        ),
        (
            "norms",
            gradient_norms(
                "층별 기울기 크기 (vanishing gradient)",
                &[("sigmoid", &sig), ("tanh", &tanh), ("ReLU", &relu)],
            )
            .unwrap(),
        ),
        (
            "regression",
            regression_line(
                "선형 회귀 y = wx + b",
                &[1.0, 2.0, 3.0, 4.0, 5.0],
                &[2.2, 3.8, 6.3, 7.9, 10.1],
                1.99,
                0.05,
            )
            .unwrap(),
        ),
        (
            "animation",
            descent_animation("경사 하강법 애니메이션", |w| w * w, &b, 300).unwrap(),
        ),
    ];
    for (name, fig) in figs {
        fig.save_svg(dir.join(format!("{name}.svg"))).unwrap();
    }
}

#[cfg(feature = "raster")]
mod raster {
    use crate::plot::{descent_gif, tangent_lines};

    #[test]
    fn png_has_the_figure_size_and_a_png_signature() {
        let fig = tangent_lines("접선 tangent", |x| x * x, (-3.0, 3.0), &[-2.0, 0.0, 1.5]).unwrap();
        let png = fig.to_png().unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // IHDR width and height, big-endian, at bytes 16..24.
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((w, h), fig.size());
    }

    #[test]
    fn gif_has_one_frame_per_step_and_shows_inline() {
        let path: Vec<f64> = (0..6).map(|k| 3.0 + 0.7f64.powi(k)).collect();
        let gif = descent_gif("경사하강법", |w| (w - 3.0).powi(2), &path, 200).unwrap();
        assert_eq!(gif.frames(), 6);
        assert_eq!(&gif.bytes()[..6], b"GIF89a");
        assert!(gif
            .html()
            .starts_with("<img src=\"data:image/gif;base64,R0lGOD"));
        assert!(descent_gif("t", |w| w, &[], 200).is_err());
        assert!(descent_gif("t", |w| w, &[1.0], 5).is_err());
    }
}

#[test]
fn tiny_losses_are_labelled_in_scientific_notation_not_as_zero() {
    let fig =
        crate::plot::descent_on_curve("t", |w| (w - 3.0).powi(2), &[4.0, 3.3, 3.0047]).unwrap();
    assert!(fig.svg().contains("2.209e-5"), "{}", fig.svg().len());
}

#[test]
fn only_data_series_take_palette_colours() {
    let stroke = |c: plotters::style::RGBColor| format!("stroke=\"{}\"", svg::css(c));
    let fig = Plot::new()
        .hline(0.0)
        .line(&[0.0, 1.0], &[0.0, 1.0], "first")
        .figure()
        .unwrap();
    assert!(
        fig.svg().contains(&stroke(PALETTE[0])),
        "a line after an hline is the first colour"
    );
    assert!(!fig.svg().contains(&stroke(PALETTE[1])));

    // Reference items (hline, vline, arrow, text, annotate) in front of three series: the series are
    // still the first three colours, in order.
    let fig = Plot::new()
        .vline(0.5)
        .arrow((0.0, 0.0), (1.0, 1.0))
        .text(0.1, 0.1, "t")
        .annotate("a", (0.5, 0.5), (0.2, 0.8))
        .line(&[0.0, 1.0], &[1.0, 0.0], "line")
        .function(|x| x * x, (0.0, 1.0), "function")
        .hline(0.2)
        .scatter(&[0.5], &[0.5], "points")
        .figure()
        .unwrap();
    let svg = fig.svg();
    let at = |c| svg.find(&format!("\"{}\"", svg::css(c)));
    let (a, b, c) = (at(PALETTE[0]), at(PALETTE[1]), at(PALETTE[2]));
    assert!(
        a.is_some() && b.is_some() && c.is_some(),
        "three palette colours"
    );
    assert!(a < b && b < c, "in the order the series were added");
    assert!(at(PALETTE[3]).is_none() && at(PALETTE[4]).is_none());
}

/// `(x, y, width, height)` of the first `<rect` whose attributes contain `marker`.
fn rect_with(svg: &str, marker: &str) -> (f64, f64, f64, f64) {
    let tag = svg
        .split("<rect")
        .find(|t| t.split('>').next().unwrap().contains(marker))
        .unwrap_or_else(|| panic!("no rect with {marker}"));
    let num = |name: &str| -> f64 {
        let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[start..start + tag[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    (num("x"), num("y"), num("width"), num("height"))
}

#[test]
fn the_note_goes_where_it_hides_least_and_never_over_the_legend() {
    let note = |svg: &str| rect_with(svg, "fill=\"#f5deb3\"");
    let legend = |svg: &str| rect_with(svg, "fill-opacity=\"0.85\"");
    let overlap = |a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)| {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    };
    // A loss falling from the upper left, as in notebook 05's "loss per step": the upper-left corner
    // is full, so the note goes to the empty upper right (matplotlib's first choice for "best").
    let xs: Vec<f64> = (0..=20).map(f64::from).collect();
    let falling: Vec<f64> = xs.iter().map(|k| 0.8f64.powf(*k)).collect();
    let rising: Vec<f64> = falling.iter().rev().copied().collect();
    // The note and legend boxes of `ys` drawn with a note (and a legend where `label` is not empty).
    let boxes = |ys: &[f64], label: &str, place: Legend| {
        let fig = Plot::new()
            .line(&xs, ys, label)
            .legend(place)
            .note("final loss = 0.0115");
        let svg = fig.figure().unwrap().svg().to_string();
        (note(&svg), (!label.is_empty()).then(|| legend(&svg)))
    };
    let ((x, y, ..), _) = boxes(&falling, "", Legend::Best);
    assert!(x > 240.0 && y < 60.0, "upper right, at ({x}, {y})");
    // Rising data: the note moves to the upper left.
    let ((x, y, ..), _) = boxes(&rising, "", Legend::Best);
    assert!(x < 120.0 && y < 60.0, "upper left, at ({x}, {y})");
    // With a legend in the best corner, or in the corner the note would take, the note goes elsewhere.
    for (ys, place) in [(&falling, Legend::Best), (&rising, Legend::UpperLeft)] {
        let (n, l) = boxes(ys, "loss", place);
        assert!(!overlap(n, l.unwrap()), "{place:?}");
    }
}

#[test]
fn ticks_on_a_tiny_axis_show_no_float_noise() {
    let fig = Plot::new()
        .line(&[0.0, 1e-5], &[0.0, 2e-5], "")
        .figure()
        .unwrap();
    let svg = fig.svg();
    // Before: -8.470329472543003e-22 for 0, and 4.9999999999999996e-6 for 5e-6.
    assert!(
        svg.contains("\n5e-6\n") && svg.contains("\n1e-5\n"),
        "{svg}"
    );
    assert!(!svg.contains("e-22") && !svg.contains("99999"));
}

#[test]
fn no_text_in_a_figure_is_smaller_than_11_px() {
    let fig = Figure::grid(
        "두 패널",
        &[
            Plot::new()
                .title("손실")
                .x_label("w")
                .y_label("L")
                .line(&[0.0, 1.0, 2.0], &[4.0, 1.0, 0.0], "L(w)")
                .note("note"),
            Plot::new().scatter(&[0.0, 1.0], &[1.0, 0.01], "점").log_y(),
        ],
        2,
    )
    .unwrap();
    let smallest = smallest_font(fig.svg());
    assert!(smallest >= 11.0, "smallest text {smallest} px");
}

/// The smallest `font-size` in an SVG, in px.
fn smallest_font(svg: &str) -> f64 {
    let sizes: Vec<f64> = svg
        .split("font-size=\"")
        .skip(1)
        .map(|s| {
            s[..s.find('"').unwrap()]
                .trim_end_matches("px")
                .parse()
                .unwrap()
        })
        .collect();
    assert!(!sizes.is_empty(), "no text in the figure");
    sizes.into_iter().fold(f64::INFINITY, f64::min)
}

/// The rectangles of a slide rendition's panels.
fn slide_panels(svg: &str) -> Vec<[f64; 4]> {
    let attr = svg
        .split("data-calc-dl-panels=\"")
        .nth(1)
        .expect("panels named");
    attr[..attr.find('"').unwrap()]
        .split(';')
        .map(|r| {
            let v: Vec<f64> = r.split(',').map(|x| x.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

/// On a slide (each panel enlarged to fill 880 x 520, as python/calc_dl_nb/slides.py does), the
/// smallest text of a figure is at least 1.9 times its notebook size: 11.3 px becomes 21 px and more.
#[test]
fn a_slide_shows_each_panel_alone_with_text_twice_the_notebook_size() {
    let wide = Plot::new()
        .size(640, 420)
        .title("경로")
        .line(&xs(), &xs(), "w");
    let tall = Plot::new()
        .size(640, 636)
        .scatter(&[0.0, 1.0], &[1.0, 0.0], "점");
    let fig = Figure::grid("두 패널", &[wide.clone(), tall], 2).unwrap();
    let slides = fig.slide_svg().expect("a plot has a slide rendition");
    assert_balanced(slides);
    let panels = slide_panels(slides);
    assert_eq!(panels.len(), 2, "one slide panel per plot");
    let notebook = smallest_font(fig.svg());
    let text = smallest_font(slides);
    for [_, _, w, h] in panels {
        let enlarged = (880.0 / w).min(520.0 / h);
        assert!(
            text * enlarged >= 1.9 * notebook - 0.3,
            "{w}x{h}: {:.1} px on the slide",
            text * enlarged
        );
    }
    assert!(wide.figure().unwrap().slide_svg().is_some());
    // A figure made elsewhere has none: the slides show it as it is.
    assert!(Figure::from_svg("<svg width=\"10\" height=\"10\"></svg>")
        .unwrap()
        .slide_svg()
        .is_none());
}

#[test]
fn the_display_sends_the_slide_rendition_beside_the_html() {
    let fig = Plot::new().line(&xs(), &xs(), "w").figure().unwrap();
    let html = crate::display::html_block(&fig.html());
    assert!(html.starts_with("EVCXR_BEGIN_CONTENT text/html\n<img "));
    assert!(fig.slide_svg().unwrap().starts_with("<svg "));
}

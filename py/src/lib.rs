//! Python bindings of civic-value: the native module `civic_value._native`.
//!
//! Thin by design: every function here converts Python values to the core's types, calls
//! the core, maps its errors onto `CivicValueError` / `RubricError` / `InputError`, and
//! releases the GIL around batch work. The pure-Python package `civic_value` (in
//! `python/`) wraps these in the documented API (`Rubric`, `Score`, pandas, HTML).

mod convert;
mod errors;
mod frame;
mod read;
mod read_csv;
mod select;
mod sensitivity;
mod sroi;
mod strings;
mod table;
mod threads;
mod weigh;

use pyo3::prelude::*;

/// The native part of the `civic_value` package.
#[pymodule]
mod _native {
    use std::path::PathBuf;

    use civic_value::{ErrorKind, InputKind, Rubric, RubricDoc};
    use pyo3::prelude::*;
    use pyo3::types::{PyDict, PyList, PyTuple};

    use crate::convert::{Family, inputs, py_to_value, to_py_object};
    use crate::errors::{many_to_py, to_py};
    use crate::{frame, table};

    #[pymodule_export]
    use crate::errors::{CivicValueError, InputError, RubricError};

    #[pymodule_export]
    use crate::read_csv::read_csv;

    #[pymodule_export]
    use crate::sroi::{sroi, sroi_sensitivity};

    #[pymodule_export]
    use crate::weigh::{
        ahp, ahp_synthesis, critic, entropy, normalize, rank_sum, roc, score_inputs, swing, topsis,
        wsum,
    };

    #[pymodule_export]
    use crate::select::select_portfolio;

    /// The version of the scoring engine (carried by every score).
    #[pymodule_export]
    const ENGINE_VERSION: &str = civic_value::ENGINE_VERSION;

    fn compile(py: Python<'_>, doc: civic_value::Result<RubricDoc>) -> PyResult<NativeRubric> {
        let doc = doc.map_err(|e| to_py(py, &e))?;
        Rubric::compile(doc)
            .map(|inner| NativeRubric { inner })
            .map_err(|e| many_to_py(py, &e))
    }

    /// A validated, compiled rubric (wrapped by `civic_value.Rubric`).
    #[pyclass(frozen, name = "NativeRubric", module = "civic_value._native")]
    pub struct NativeRubric {
        pub(crate) inner: Rubric,
    }

    #[pymethods]
    impl NativeRubric {
        /// The built-in default rubric.
        #[staticmethod]
        fn builtin() -> Self {
            Self {
                inner: Rubric::builtin(),
            }
        }

        /// Parse and validate a JSON rubric.
        #[staticmethod]
        fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
            compile(py, RubricDoc::from_json(text))
        }

        /// Parse and validate a TOML rubric.
        #[staticmethod]
        fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
            compile(py, RubricDoc::from_toml(text))
        }

        /// Validate a rubric given as a dict (the JSON form).
        #[staticmethod]
        fn from_dict(py: Python<'_>, doc: &Bound<'_, PyAny>) -> PyResult<Self> {
            let value = py_to_value(doc, "", Family::Rubric, 0)?;
            compile(py, RubricDoc::from_value(value))
        }

        /// Read a rubric file: `.json` or `.toml` by extension, reading at most
        /// `MAX_RUBRIC_TEXT_BYTES` whatever the file is (a pipe, a device).
        #[staticmethod]
        fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let text = crate::read::rubric_text(py, &path)?;
            match ext.as_deref() {
                Some("json") => Self::from_json(py, &text),
                Some("toml") => Self::from_toml(py, &text),
                _ => Err(to_py(
                    py,
                    &ErrorKind::RubricParse {
                        format: "rubric file",
                        message: format!(
                            "cannot tell the format of {}: name it *.json or *.toml",
                            path.display()
                        ),
                    }
                    .at(""),
                )),
            }
        }

        /// The rubric's id.
        #[getter]
        fn id(&self) -> &str {
            self.inner.id()
        }

        /// The rubric's version.
        #[getter]
        fn version(&self) -> &str {
            self.inner.version()
        }

        /// SHA-256 of the rubric's canonical form.
        #[getter]
        fn fingerprint(&self) -> &str {
            self.inner.fingerprint()
        }

        /// `"weighted_sum"` or `"weighted_product"`.
        #[getter]
        fn aggregation(&self) -> &'static str {
            self.inner.aggregation().as_str()
        }

        /// The title in `lang` (falling back to English, any language, then the id).
        #[pyo3(signature = (lang = "en"))]
        fn title(&self, lang: &str) -> String {
            self.inner.title(lang).to_owned()
        }

        /// The description in `lang`.
        #[pyo3(signature = (lang = "en"))]
        fn description(&self, lang: &str) -> String {
            self.inner.description(lang).to_owned()
        }

        /// The criteria, in rubric order.
        fn criteria(&self) -> Vec<Criterion> {
            (0..self.inner.criteria().len())
                .map(|index| Criterion {
                    rubric: self.inner.clone(),
                    index,
                })
                .collect()
        }

        /// The themes, in rubric order.
        fn themes(&self) -> Vec<Theme> {
            (0..self.inner.themes().len())
                .map(|index| Theme {
                    rubric: self.inner.clone(),
                    index,
                })
                .collect()
        }

        /// The perspectives, in rubric order.
        fn perspectives(&self) -> Vec<Perspective> {
            (0..self.inner.perspectives().len())
                .map(|index| Perspective {
                    rubric: self.inner.clone(),
                    index,
                })
                .collect()
        }

        /// The bands, from the highest threshold to the lowest.
        fn bands(&self) -> Vec<Band> {
            (0..self.inner.bands().len())
                .map(|index| Band {
                    rubric: self.inner.clone(),
                    index,
                })
                .collect()
        }

        /// Effective weight (share of the total) of every criterion, by id.
        #[pyo3(signature = (perspective = None))]
        fn weights<'py>(
            &self,
            py: Python<'py>,
            perspective: Option<&str>,
        ) -> PyResult<Bound<'py, PyDict>> {
            let weights = self
                .inner
                .effective_weights(perspective)
                .map_err(|e| to_py(py, &e))?;
            let out = PyDict::new(py);
            for (c, w) in self.inner.criteria().iter().zip(weights) {
                out.set_item(c.id(), *w)?;
            }
            Ok(out)
        }

        /// The rubric as pretty JSON.
        fn to_json(&self) -> String {
            self.inner.to_json()
        }

        /// The rubric's canonical form: compact JSON (what pickling uses).
        fn canonical_json(&self) -> String {
            self.inner.canonical_json()
        }

        /// The rubric as TOML.
        fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
            self.inner.to_toml().map_err(|e| to_py(py, &e))
        }

        /// The rubric document as a dict (the JSON form).
        fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            to_py_object(py, self.inner.doc())
        }

        /// A plain description of the rubric in one language.
        #[pyo3(signature = (lang = "en"))]
        fn describe<'py>(&self, py: Python<'py>, lang: &str) -> PyResult<Bound<'py, PyAny>> {
            to_py_object(py, &self.inner.describe(lang))
        }

        /// Score one initiative; the score as a dict (the CLI's JSON shape).
        #[pyo3(signature = (inputs, perspective = None))]
        fn score<'py>(
            &self,
            py: Python<'py>,
            inputs: &Bound<'py, PyAny>,
            perspective: Option<&str>,
        ) -> PyResult<Bound<'py, PyAny>> {
            let inputs = crate::convert::inputs(inputs, "")?;
            let score = self
                .inner
                .score(&inputs, perspective)
                .map_err(|e| to_py(py, &e))?;
            to_py_object(py, &score)
        }

        /// Score many initiatives (an iterable of mappings), with the GIL released while
        /// scoring; errors name the row (`rows[3].input.support_share`).
        #[pyo3(signature = (items, perspective = None))]
        fn score_many<'py>(
            &self,
            py: Python<'py>,
            items: &Bound<'py, PyAny>,
            perspective: Option<&str>,
        ) -> PyResult<Bound<'py, PyList>> {
            let mut all = Vec::new();
            for (r, item) in items.try_iter()?.enumerate() {
                all.push(inputs(&item?, &format!("rows[{r}]"))?);
            }
            let rubric = &self.inner;
            let scores = py
                .detach(|| {
                    all.iter()
                        .enumerate()
                        .map(|(r, i)| {
                            rubric
                                .score(i, perspective)
                                .map_err(|e| e.prefixed(&format!("rows[{r}]")))
                        })
                        .collect::<civic_value::Result<Vec<_>>>()
                })
                .map_err(|e| to_py(py, &e))?;
            let out = PyList::empty(py);
            for s in &scores {
                out.append(to_py_object(py, s)?)?;
            }
            Ok(out)
        }

        /// Totals of a 2-D float64 matrix whose columns are named by `columns`, on
        /// `threads` threads (default: one per core) for large matrices.
        #[pyo3(signature = (x, columns, perspective = None, threads = None))]
        fn score_matrix<'py>(
            &self,
            py: Python<'py>,
            x: &Bound<'py, PyAny>,
            columns: Vec<String>,
            perspective: Option<&str>,
            threads: Option<usize>,
        ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
            table::score_matrix(py, &self.inner, x, &columns, perspective, threads)
        }

        /// The initiative's monetised value from the rubric's proxy table, as a dict.
        #[pyo3(signature = (inputs, investment = None, discount = None))]
        fn monetise<'py>(
            &self,
            py: Python<'py>,
            inputs: &Bound<'py, PyAny>,
            investment: Option<f64>,
            discount: Option<&Bound<'py, PyAny>>,
        ) -> PyResult<Bound<'py, PyAny>> {
            crate::sroi::monetise(py, &self.inner, inputs, investment, discount)
        }

        /// The levers of one initiative: `(criterion, gain, best, per_unit, total)` tuples,
        /// highest gain first.
        #[pyo3(signature = (inputs, perspective = None))]
        fn levers<'py>(
            &self,
            py: Python<'py>,
            inputs: &Bound<'py, PyAny>,
            perspective: Option<&str>,
        ) -> PyResult<Bound<'py, PyList>> {
            crate::weigh::levers(py, &self.inner, inputs, perspective)
        }

        /// The fewest changes that reach `band`: `(criterion, new_value)` tuples.
        #[pyo3(signature = (inputs, band, perspective = None))]
        fn path_to_band<'py>(
            &self,
            py: Python<'py>,
            inputs: &Bound<'py, PyAny>,
            band: &str,
            perspective: Option<&str>,
        ) -> PyResult<Bound<'py, PyList>> {
            crate::weigh::path_to_band(py, &self.inner, inputs, perspective, band)
        }

        /// One initiative under the rubric's own weights and every perspective's, as a dict.
        fn compare_perspectives<'py>(
            &self,
            py: Python<'py>,
            inputs: &Bound<'py, PyAny>,
        ) -> PyResult<Bound<'py, PyAny>> {
            crate::weigh::compare_perspectives(py, &self.inner, inputs)
        }

        /// The same rubric with these effective criterion weights (normalised).
        fn with_weights(
            &self,
            py: Python<'_>,
            weights: std::collections::BTreeMap<String, f64>,
        ) -> PyResult<Self> {
            crate::weigh::with_weights(py, &self.inner, weights).map(|inner| Self { inner })
        }

        /// Criterion weights from a hierarchy of pairwise comparison matrices, as a dict.
        #[pyo3(signature = (themes, criteria, method = "eigenvector", ri = "saaty"))]
        fn ahp_weights<'py>(
            &self,
            py: Python<'py>,
            themes: Vec<Vec<f64>>,
            criteria: std::collections::BTreeMap<String, Vec<Vec<f64>>>,
            method: &str,
            ri: &str,
        ) -> PyResult<Bound<'py, PyAny>> {
            crate::weigh::ahp_weights(py, &self.inner, themes, criteria, method, ri)
        }

        /// The tornado of one initiative: a dict with `total`, `change` and `rows`.
        #[pyo3(signature = (inputs, change = 0.2, perspective = None))]
        fn tornado<'py>(
            &self,
            py: Python<'py>,
            inputs: &Bound<'py, PyAny>,
            change: f64,
            perspective: Option<&str>,
        ) -> PyResult<Bound<'py, PyAny>> {
            crate::sensitivity::tornado(py, &self.inner, inputs, change, perspective)
        }

        /// Exact weight stability over the rows of a table (columns as `score_columns`).
        #[pyo3(signature = (names, columns, rows, perspective = None))]
        fn stability<'py>(
            &self,
            py: Python<'py>,
            names: Vec<String>,
            columns: &Bound<'py, PyList>,
            rows: usize,
            perspective: Option<&str>,
        ) -> PyResult<Bound<'py, PyAny>> {
            crate::sensitivity::stability(py, &self.inner, &names, columns, rows, perspective)
        }

        /// Monte Carlo over the rows of a table (columns as `score_columns`), with the GIL
        /// released while drawing; `progress(done, total)` is called with it.
        #[pyo3(signature = (names, columns, rows, draws, seed, concentration, vary_inputs, top_k, perspective = None, threads = None, progress = None))]
        #[allow(clippy::too_many_arguments)]
        fn monte_carlo<'py>(
            &self,
            py: Python<'py>,
            names: Vec<String>,
            columns: &Bound<'py, PyList>,
            rows: usize,
            draws: &Bound<'py, PyAny>,
            seed: &Bound<'py, PyAny>,
            concentration: f64,
            vary_inputs: bool,
            top_k: &Bound<'py, PyAny>,
            perspective: Option<&str>,
            threads: Option<usize>,
            progress: Option<Py<PyAny>>,
        ) -> PyResult<Bound<'py, PyDict>> {
            use crate::sensitivity::int_arg;
            let options = crate::sensitivity::Options {
                draws: int_arg(py, draws, "draws")?,
                seed: int_arg(py, seed, "seed")?,
                concentration,
                vary_inputs,
                top_k: int_arg(py, top_k, "top_k")?,
                threads,
            };
            crate::sensitivity::monte_carlo(
                py,
                &self.inner,
                &names,
                columns,
                rows,
                &options,
                perspective,
                progress,
            )
        }

        /// Score the columns of a table row by row as `score` would (columns: float64 or
        /// bool arrays, `(int64 codes, categories)` pairs or lists of values): `(total, low,
        /// high, knocked_out, band, points)`, band as categorical codes (lowest band 0, −1 for
        /// none), points as a criteria × rows array.
        #[pyo3(signature = (names, columns, rows, perspective = None))]
        fn score_columns<'py>(
            &self,
            py: Python<'py>,
            names: Vec<String>,
            columns: &Bound<'py, PyList>,
            rows: usize,
            perspective: Option<&str>,
        ) -> PyResult<Bound<'py, PyTuple>> {
            frame::score_columns(py, &self.inner, &names, columns, rows, perspective)
        }
    }

    /// A criterion of a rubric.
    #[pyclass(frozen, module = "civic_value")]
    pub struct Criterion {
        rubric: Rubric,
        index: usize,
    }

    impl Criterion {
        fn get(&self) -> Option<&civic_value::Criterion> {
            self.rubric.criteria().get(self.index)
        }
    }

    #[pymethods]
    impl Criterion {
        /// Stable identifier (the key of its input).
        #[getter]
        fn id(&self) -> &str {
            self.get().map_or("", |c| c.id())
        }

        /// The id of its theme.
        #[getter]
        fn theme(&self) -> &str {
            self.get()
                .and_then(|c| self.rubric.theme_of(c))
                .map_or("", |t| t.id())
        }

        /// Label in `lang` (falling back to English, any language, then the id).
        #[pyo3(signature = (lang = "en"))]
        fn label(&self, lang: &str) -> String {
            self.get().map_or("", |c| c.label(lang)).to_owned()
        }

        /// Help text in `lang`.
        #[pyo3(signature = (lang = "en"))]
        fn help(&self, lang: &str) -> String {
            self.get().map_or("", |c| c.help(lang)).to_owned()
        }

        /// Unit of the raw input, if any.
        #[getter]
        fn unit(&self) -> Option<&str> {
            self.get().and_then(|c| c.unit())
        }

        /// `"number"`, `"likert"`, `"boolean"` or `"category"`.
        #[getter]
        fn kind(&self) -> &'static str {
            self.get().map_or("number", |c| c.kind().as_str())
        }

        /// Effective weight: its share of the total (0–1) under the rubric's own weights.
        #[getter]
        fn weight(&self) -> f64 {
            self.rubric
                .effective_weights(None)
                .ok()
                .and_then(|w| w.get(self.index).copied())
                .unwrap_or(0.0)
        }

        /// Smallest allowed input (number criteria).
        #[getter]
        fn min(&self) -> Option<f64> {
            self.get().and_then(|c| c.min())
        }

        /// Largest allowed input (number criteria).
        #[getter]
        fn max(&self) -> Option<f64> {
            self.get().and_then(|c| c.max())
        }

        /// Number of levels (Likert criteria).
        #[getter]
        fn levels(&self) -> Option<u32> {
            match self.get().map(|c| c.kind()) {
                Some(InputKind::Likert { levels }) => Some(levels),
                _ => None,
            }
        }

        /// Option ids, in order (category criteria; empty otherwise).
        #[getter]
        fn options(&self) -> Vec<String> {
            self.get()
                .map(|c| c.options().iter().map(|o| o.id().to_owned()).collect())
                .unwrap_or_default()
        }

        /// Read text typed by a person (a CSV cell, a form field) as an input for this
        /// criterion, as the command line does: empty → None; numbers; `low..high` →
        /// `(low, high)`; `true/false`, `yes/no`, `ja/nee`, `1/0` for booleans. Text that
        /// does not fit is returned as it is, and scoring then says what was expected.
        fn parse_text<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
            match self.get() {
                Some(c) => crate::convert::input_to_py(py, &c.parse_text(text)),
                None => Ok(pyo3::types::PyString::new(py, text).into_any()),
            }
        }

        /// The knock-out rule as text (`">= 50"`), if any.
        #[getter]
        fn knockout(&self) -> Option<String> {
            self.get().and_then(|c| c.knockout_text())
        }

        fn __repr__(&self) -> String {
            format!(
                "Criterion(id='{}', kind='{}', theme='{}', weight={:.4})",
                self.id(),
                self.kind(),
                self.theme(),
                self.weight()
            )
        }
    }

    /// A theme of a rubric.
    #[pyclass(frozen, module = "civic_value")]
    pub struct Theme {
        rubric: Rubric,
        index: usize,
    }

    impl Theme {
        fn get(&self) -> Option<&civic_value::Theme> {
            self.rubric.themes().get(self.index)
        }
    }

    #[pymethods]
    impl Theme {
        /// Stable identifier.
        #[getter]
        fn id(&self) -> &str {
            self.get().map_or("", |t| t.id())
        }

        /// Label in `lang`.
        #[pyo3(signature = (lang = "en"))]
        fn label(&self, lang: &str) -> String {
            self.get().map_or("", |t| t.label(lang)).to_owned()
        }

        /// Help text in `lang`.
        #[pyo3(signature = (lang = "en"))]
        fn help(&self, lang: &str) -> String {
            self.get().map_or("", |t| t.help(lang)).to_owned()
        }

        /// Effective weight: the share of the total of its criteria (0–1).
        #[getter]
        fn weight(&self) -> f64 {
            let weights = self.rubric.effective_weights(None).unwrap_or(&[]);
            self.get().map_or(0.0, |t| {
                t.criteria().iter().filter_map(|&i| weights.get(i)).sum()
            })
        }

        /// Ids of its criteria, in rubric order.
        #[getter]
        fn criteria(&self) -> Vec<String> {
            self.get()
                .map(|t| {
                    t.criteria()
                        .iter()
                        .filter_map(|&i| self.rubric.criteria().get(i))
                        .map(|c| c.id().to_owned())
                        .collect()
                })
                .unwrap_or_default()
        }

        fn __repr__(&self) -> String {
            format!(
                "Theme(id='{}', weight={:.4}, criteria=[{}])",
                self.id(),
                self.weight(),
                self.criteria()
                    .iter()
                    .map(|c| format!("'{c}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }

    /// A perspective (named weight set) of a rubric.
    #[pyclass(frozen, module = "civic_value")]
    pub struct Perspective {
        rubric: Rubric,
        index: usize,
    }

    impl Perspective {
        fn get(&self) -> Option<&civic_value::Perspective> {
            self.rubric.perspectives().get(self.index)
        }
    }

    #[pymethods]
    impl Perspective {
        /// Stable identifier.
        #[getter]
        fn id(&self) -> &str {
            self.get().map_or("", |p| p.id())
        }

        /// Label in `lang`.
        #[pyo3(signature = (lang = "en"))]
        fn label(&self, lang: &str) -> String {
            self.get().map_or("", |p| p.label(lang)).to_owned()
        }

        /// Help text in `lang`.
        #[pyo3(signature = (lang = "en"))]
        fn help(&self, lang: &str) -> String {
            self.get().map_or("", |p| p.help(lang)).to_owned()
        }

        fn __repr__(&self) -> String {
            format!("Perspective(id='{}')", self.id())
        }
    }

    /// A band of a rubric.
    #[pyclass(frozen, module = "civic_value")]
    pub struct Band {
        rubric: Rubric,
        index: usize,
    }

    impl Band {
        fn get(&self) -> Option<&civic_value::Band> {
            self.rubric.bands().get(self.index)
        }
    }

    #[pymethods]
    impl Band {
        /// Stable identifier.
        #[getter]
        fn id(&self) -> &str {
            self.get().map_or("", |b| b.id())
        }

        /// Lowest total in this band.
        #[getter]
        fn min(&self) -> f64 {
            self.get().map_or(0.0, |b| b.min())
        }

        /// Label in `lang`.
        #[pyo3(signature = (lang = "en"))]
        fn label(&self, lang: &str) -> String {
            self.get().map_or("", |b| b.label(lang)).to_owned()
        }

        fn __repr__(&self) -> String {
            format!("Band(id='{}', min={})", self.id(), self.min())
        }
    }
}

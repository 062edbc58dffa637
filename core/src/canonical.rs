//! Canonical numbers in a rubric document: `-0.0` becomes `0.0` before a rubric is
//! compiled or fingerprinted, so that a weight (or any number) written as `-0.0` neither
//! changes the fingerprint nor shows as `-0` anywhere.
//!
//! The walk destructures every document type exhaustively: a number field added to the
//! document later fails to compile here until it is normalised too.

use crate::doc::{
    BandDoc, CriterionDoc, DefaultValue, EvidenceGradeDoc, KnockoutDoc, MonetisationDoc, OptionDoc,
    OutcomeDoc, PerspectiveDoc, ProxyDoc, RubricDoc, ThemeDoc, ValueFunctionDoc,
};

/// `-0.0` → `0.0`; every other value (NaN included) unchanged.
#[inline(always)]
pub(crate) fn zero(x: &mut f64) {
    *x += 0.0;
}

/// Turn every `-0.0` in the document into `0.0`.
pub(crate) fn normalise_zeros(doc: &mut RubricDoc) {
    let RubricDoc {
        id: _,
        version: _,
        title: _,
        description: _,
        aggregation: _,
        missing: _,
        unknown_inputs: _,
        themes,
        criteria,
        bands,
        perspectives,
        evidence,
        monetisation,
    } = doc;
    for ThemeDoc {
        id: _,
        label: _,
        help: _,
        weight,
    } in themes
    {
        zero(weight);
    }
    for c in criteria {
        criterion(c);
    }
    for BandDoc {
        id: _,
        label: _,
        min,
    } in bands
    {
        zero(min);
    }
    for PerspectiveDoc {
        id: _,
        label: _,
        help: _,
        themes,
        criteria,
    } in perspectives
    {
        themes
            .values_mut()
            .chain(criteria.values_mut())
            .for_each(zero);
    }
    for EvidenceGradeDoc {
        id: _,
        label: _,
        widen,
    } in evidence
    {
        zero(widen);
    }
    if let Some(m) = monetisation {
        monetisation_zeros(m);
    }
}

fn criterion(c: &mut CriterionDoc) {
    let CriterionDoc {
        id: _,
        theme: _,
        label: _,
        help: _,
        unit: _,
        weight,
        value_function,
        min,
        max,
        default,
        knockout,
    } = c;
    zero(weight);
    min.iter_mut().chain(max.iter_mut()).for_each(zero);
    match value_function {
        ValueFunctionDoc::Linear { worst, best } => {
            zero(worst);
            zero(best);
        }
        ValueFunctionDoc::Piecewise { points } => points.iter_mut().flatten().for_each(zero),
        ValueFunctionDoc::Log { best, scale } => {
            zero(best);
            zero(scale);
        }
        ValueFunctionDoc::Category { options } => {
            for OptionDoc {
                id: _,
                label: _,
                value,
            } in options
            {
                zero(value);
            }
        }
        ValueFunctionDoc::Likert { .. } | ValueFunctionDoc::Boolean => {}
    }
    if let Some(DefaultValue::Number(x)) = default {
        zero(x);
    }
    if let Some(KnockoutDoc::AtLeast(x) | KnockoutDoc::AtMost(x)) = knockout {
        zero(x);
    }
}

fn monetisation_zeros(m: &mut MonetisationDoc) {
    let MonetisationDoc {
        currency: _,
        discount_rate,
        proxies,
        outcomes,
        investment: _,
    } = m;
    zero(discount_rate);
    for ProxyDoc {
        id: _,
        label: _,
        unit: _,
        value,
        source: _,
        year: _,
        licence: _,
    } in proxies
    {
        zero(value);
    }
    for OutcomeDoc {
        id: _,
        criterion: _,
        proxy: _,
        deadweight,
        displacement,
        attribution,
        drop_off,
        duration_years: _,
    } in outcomes
    {
        for x in [deadweight, displacement, attribution, drop_off] {
            zero(x);
        }
    }
}

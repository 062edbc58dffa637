//! Analyses built on the engine, one concept per file: weights from judgement, decision-matrix
//! methods, levers, perspectives compared, sensitivity, Monte Carlo, portfolio selection and
//! monetisation. Each names its variant and validates its input with typed errors.

pub mod ahp;
pub mod ahp_rubric;
pub(crate) mod best;
pub mod critic;
pub mod discount;
pub mod entropy;
mod knapsack;
pub mod levers;
pub mod matrix;
pub mod mcda;
pub mod monetise;
pub mod monte_carlo;
pub mod path_to_band;
pub mod perspectives;
pub mod portfolio;
mod ranking;
pub mod reweight;
pub mod sampling;
pub mod shown;
pub mod sroi;
pub mod sroi_input;
pub mod stability;
pub mod tornado;
pub mod weights;
pub mod with_weights;

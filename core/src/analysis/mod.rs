//! Analyses built on the engine, one concept per file: weights from judgement, decision-matrix
//! methods, levers, perspectives compared, sensitivity, Monte Carlo, portfolio selection and
//! monetisation. Each names its variant and validates its input with typed errors.

pub mod discount;
mod knapsack;
pub mod monetise;
pub mod monte_carlo;
pub mod portfolio;
pub mod reweight;
pub mod sampling;
pub mod sroi;
pub mod sroi_input;
pub mod stability;
pub mod tornado;

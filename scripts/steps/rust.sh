# Unit, property, vector, doc and CLI tests of the Rust crates (default members).
source "$(dirname "$0")/lib.sh"
cargo test --locked
# The benchmark compiles and runs once, quickly (figures are not checked here).
cargo bench --locked -p civic-value-benches --bench scoring -- --quick
cargo bench --locked -p civic-value-benches --bench portfolio -- --quick
cargo bench --locked -p civic-value-benches --bench monte_carlo -- --quick

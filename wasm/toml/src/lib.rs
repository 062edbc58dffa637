//! # The TOML reader of the browser package
//!
//! A plain wasm module (no imports, no wasm-bindgen) that parses TOML text with the core's
//! parser ([`Tree::from_toml`]) and hands the tree to the main module as a tape (the format
//! of `wasm/src/tape.rs`). The main module then reads the rubric from the tree
//! ([`civic_value::RubricDoc::from_tree`]) and compiles it: the same codes and paths as the
//! CLI and Python, syntax errors with line and column. The main module leaves TOML out to stay
//! small and loads this one on demand (`wasm/src/toml.js`).
//!
//! The protocol, driven by `toml.js`: `input(len)` returns where to write `len` bytes of
//! UTF-8; `convert()` reads them and returns 0 (the output is a tape: the number of
//! operations as a little-endian `u64`, the operations as `f64`s, then the text in UTF-8) or
//! 1 (the output is the error's `code`, `path`, `message` and `detail`, NUL-separated);
//! `output()` and `output_len()` locate the output.

#![deny(missing_docs)]

use std::cell::RefCell;

use civic_value::Tree;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Make room for `len` bytes of input and return where the caller writes them.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn input(len: usize) -> *mut u8 {
    INPUT.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        buffer.clear();
        buffer.resize(len, 0);
        buffer.as_mut_ptr()
    })
}

/// Parse the input as TOML: 0 and the tape as output, or 1 and the error.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn convert() -> u32 {
    let (status, out) = INPUT.with(|buffer| convert_text(&buffer.borrow()));
    OUTPUT.with(|o| *o.borrow_mut() = out);
    status
}

/// Where the output starts (8-byte aligned, so that the operations can be viewed in place).
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn output() -> *const u8 {
    OUTPUT.with(|o| o.borrow().as_ptr())
}

/// How many bytes of output there are.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn output_len() -> usize {
    OUTPUT.with(|o| o.borrow().len())
}

// The tape operations of wasm/src/tape.rs.
const NULL: f64 = 0.0;
const FALSE: f64 = 1.0;
const TRUE: f64 = 2.0;
const NUM: f64 = 3.0;
const STR: f64 = 4.0;
const SEQ: f64 = 5.0;
const MAP: f64 = 6.0;
const INT: f64 = 8.0;

/// The conversion itself: `(0, tape)` or `(1, "code\0path\0message\0detail")`.
pub fn convert_text(bytes: &[u8]) -> (u32, Vec<u8>) {
    let result = std::str::from_utf8(bytes)
        .map_err(|e| {
            civic_value::ErrorKind::RubricParse {
                format: "TOML",
                message: e.to_string(),
            }
            .at("")
        })
        .and_then(Tree::from_toml);
    match result {
        Ok(tree) => {
            let mut ops = Vec::new();
            let mut text = String::new();
            write(&tree, &mut ops, &mut text);
            let mut out = Vec::with_capacity(8 + ops.len() * 8 + text.len());
            out.extend_from_slice(&(ops.len() as u64).to_le_bytes());
            for op in ops {
                out.extend_from_slice(&op.to_le_bytes());
            }
            out.extend_from_slice(text.as_bytes());
            (0, out)
        }
        Err(e) => (
            1,
            format!("{}\0{}\0{}\0{}", e.code(), e.path(), e, e.message()).into_bytes(),
        ),
    }
}

#[allow(clippy::cast_precision_loss)]
fn string(s: &str, ops: &mut Vec<f64>, text: &mut String) {
    ops.push(s.encode_utf16().count() as f64);
    text.push_str(s);
}

#[allow(clippy::cast_precision_loss)]
fn write(tree: &Tree, ops: &mut Vec<f64>, text: &mut String) {
    match tree {
        Tree::Null => ops.push(NULL),
        Tree::Bool(b) => ops.push(if *b { TRUE } else { FALSE }),
        // TOML integers are i64: integers while exact in an f64 (|n| <= 2^53), else the
        // nearest f64 (a rubric has no use for such numbers; validation bounds them).
        Tree::UInt(n) if *n <= 1 << 53 => ops.extend([INT, *n as f64]),
        Tree::Int(n) if n.unsigned_abs() <= 1 << 53 => ops.extend([INT, *n as f64]),
        Tree::UInt(n) => ops.extend([NUM, *n as f64]),
        Tree::Int(n) => ops.extend([NUM, *n as f64]),
        Tree::Float(x) => ops.extend([NUM, *x]),
        Tree::Str(s) => {
            ops.push(STR);
            string(s, ops, text);
        }
        Tree::Seq(items) => {
            ops.extend([SEQ, items.len() as f64]);
            for item in items {
                write(item, ops, text);
            }
        }
        Tree::Map(entries) => {
            ops.extend([MAP, entries.len() as f64]);
            for (key, value) in entries {
                string(key, ops, text);
                write(value, ops, text);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_toml_rubric_becomes_a_tape() {
        let (status, out) = convert_text(b"a = 1\nb = [\"\xc3\xa9\", nan]\n");
        assert_eq!(status, 0);
        let n = u64::from_le_bytes(out[..8].try_into().unwrap()) as usize;
        let ops: Vec<f64> = out[8..8 + n * 8]
            .chunks(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(&ops[..8], &[MAP, 2.0, 1.0, INT, 1.0, 1.0, SEQ, 2.0]);
        assert_eq!(&ops[8..10], &[STR, 1.0]);
        assert!(ops[11].is_nan());
        assert_eq!(std::str::from_utf8(&out[8 + n * 8..]).unwrap(), "abé");
    }

    #[test]
    fn errors_carry_code_path_and_the_core_message() {
        let (status, out) = convert_text(b"id = ");
        assert_eq!(status, 1);
        let out = String::from_utf8(out).unwrap();
        let parts: Vec<&str> = out.split('\0').collect();
        let e = Tree::from_toml("id = ").unwrap_err();
        assert_eq!(parts, [e.code(), e.path(), &e.to_string(), &e.message()]);
        assert!(parts[3].contains("line 1, column"), "{}", parts[3]);
        let (status, _) = convert_text(&[0xff, 0xfe]);
        assert_eq!(status, 1);
    }
}

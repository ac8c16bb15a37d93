#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kakunin_verify::fuzz::trusted_root(data));

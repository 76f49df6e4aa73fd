#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    std::hint::black_box(bars_fuzz_targets::check(data));
});

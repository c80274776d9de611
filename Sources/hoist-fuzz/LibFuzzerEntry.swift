#if HOIST_LIBFUZZER
    import HoistFuzzTargets

    /// libFuzzer's entry point (built with `-sanitize=fuzzer -DHOIST_LIBFUZZER`; libFuzzer
    /// brings `main`): one input to the target `HOIST_FUZZ_TARGET` names.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        FuzzTarget.selected.run(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
#endif

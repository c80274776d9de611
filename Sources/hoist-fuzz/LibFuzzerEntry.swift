#if HOIST_LIBFUZZER
    import HoistFuzzTargets

    /// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`): it parses libFuzzer's
    /// options and calls `callback` with each input.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// The program's entry point when built with `-sanitize=fuzzer -DHOIST_LIBFUZZER` (SwiftPM
    /// names an executable's entry `<module>_main`): libFuzzer's driver over the target that
    /// `HOIST_FUZZ_TARGET` names.
    @_cdecl("hoist_fuzz_main")
    func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
        _ = FuzzTarget.selected
        var count = argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return runDriver(&count, &arguments) { data, size in
            testOneInput(data, size)
        }
    }

    /// One input to the target; also libFuzzer's own `main` (which the archive brings along)
    /// looks for it by this name.
    @_cdecl("LLVMFuzzerTestOneInput")
    func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        FuzzTarget.selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
#endif

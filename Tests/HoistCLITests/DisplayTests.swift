import Testing

@testable import hoist

@Suite struct DisplayTests {
    @Test(arguments: [
        (0.0, 1, "0.0"), (1.26, 1, "1.3"), (0.04, 1, "0.0"), (12.349, 3, "12.349"), (0.0625, 3, "0.062"),
        (59.96, 1, "60.0"), (3, 0, "3"), (-1.5, 2, "-1.50"), (-0.001, 1, "0.0"),
    ])
    func decimalsAreWrittenAsPrintfWritesThem(value: Double, places: Int, expected: String) {
        #expect(Display.decimal(value, places: places) == expected)
    }
}

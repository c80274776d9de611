// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Hoist",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Hoist", targets: ["Hoist"]),
        .executable(name: "hoist", targets: ["hoist"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries, linked from the system (scripts/install-deps.sh installs their headers).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // Layers, lowest first (see DESIGN.md): each depends only on those below it.
        .target(
            name: "HoistOCI",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(
            name: "HoistArchive",
            dependencies: ["HoistOCI", "CZlib", "CZstd"],
            swiftSettings: strict),
        .target(
            name: "HoistStore",
            dependencies: ["HoistOCI", "HoistArchive", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .target(
            name: "HoistRuntime",
            dependencies: ["HoistOCI", "HoistArchive", "HoistStore"],
            swiftSettings: strict),
        .target(
            name: "HoistRegistry",
            dependencies: [
                "HoistOCI", "HoistStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        .target(
            name: "HoistDockerEngine",
            dependencies: [
                "HoistOCI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        .target(
            name: "HoistBuild",
            dependencies: [
                "HoistOCI", "HoistArchive", "HoistStore", "HoistRuntime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .target(
            name: "HoistDockerfile",
            dependencies: ["HoistOCI", "HoistBuild"],
            swiftSettings: strict),
        .target(
            name: "HoistS2I",
            dependencies: ["HoistOCI"],
            swiftSettings: strict),
        .target(
            name: "Hoist",
            dependencies: [
                "HoistOCI", "HoistArchive", "HoistStore", "HoistRuntime", "HoistBuild", "HoistDockerfile", "HoistRegistry",
                "HoistDockerEngine", "HoistS2I",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "hoist",
            dependencies: [
                "Hoist", "HoistStore", "HoistOCI", "HoistRegistry", "HoistS2I",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Linked with the Swift runtime and Foundation inside, a hoist process starts in
            // a few milliseconds instead of some twenty spent loading and relocating shared
            // libraries — most of a build served from the cache. (Compiled so too, for the
            // static libraries' own dependencies to be linked.) Release only: test bundles,
            // which link this target too, need the shared runtime of the test libraries.
            swiftSettings: strict + [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))],
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xclang-linker", "-no-pie", "-Xlinker", "--no-export-dynamic"], .when(configuration: .release))]),
        .executableTarget(name: "hoist-bench", dependencies: ["HoistArchive"], swiftSettings: strict),
        // The build-graph API in use (issue 9); HoistCLITests runs it.
        .executableTarget(name: "build-in-code", dependencies: ["Hoist"], path: "examples/build-in-code", swiftSettings: strict),

        .executableTarget(name: "hoist-run-bench", dependencies: ["HoistRuntime"], swiftSettings: strict),
        .target(name: "HoistTestSupport", path: "Tests/HoistTestSupport", swiftSettings: strict),
        .testTarget(name: "HoistOCITests", dependencies: ["HoistOCI"], swiftSettings: strict),
        .testTarget(name: "HoistArchiveTests", dependencies: ["HoistArchive"], swiftSettings: strict),
        .testTarget(name: "HoistStoreTests", dependencies: ["HoistStore", "HoistTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "HoistRuntimeTests", dependencies: ["HoistRuntime", "HoistArchive", "HoistTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "HoistRegistryTests",
            dependencies: ["HoistRegistry", "Hoist", "HoistTestSupport", "HoistStore", "HoistOCI"],
            swiftSettings: strict),
        .testTarget(name: "HoistBuildTests", dependencies: ["HoistBuild", "HoistTestSupport", "HoistStore", "HoistArchive"], swiftSettings: strict),
        .testTarget(name: "HoistDockerfileTests", dependencies: ["HoistDockerfile"], swiftSettings: strict),
        .testTarget(
            name: "HoistDockerEngineTests", dependencies: ["HoistDockerEngine", "HoistTestSupport", "Hoist", "HoistOCI", "HoistStore"],
            swiftSettings: strict),
        .testTarget(
            name: "HoistCLITests",
            dependencies: ["Hoist", "hoist", "HoistTestSupport", "HoistStore", "HoistArchive", "HoistOCI", "HoistBuild", "HoistDockerfile", "HoistRegistry"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)

// The build-graph API (BuildState, BuildFrontend, FrontendRegistry, BuildWarning …) is part of
// Hoist's public surface: `import Hoist` is all a program that builds in code needs.
@_exported public import HoistBuild

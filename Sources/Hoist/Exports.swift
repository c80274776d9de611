// The build-graph API (BuildState, BuildFrontend, FrontendRegistry, BuildWarning …) is part of
// Hoist's public surface: `import Hoist` is all a program that builds in code needs.
@_exported public import HoistBuild

// The API's values (options, summaries, errors) and the backend interface live below the
// façade, where every backend sees them; `import Hoist` brings them along.
@_exported public import HoistBackend

// The native backend (volumes, networks, systemd units, disk usage of the store) is reached as
// `client.native`; `import Hoist` brings its types along.
@_exported public import HoistNativeBackend

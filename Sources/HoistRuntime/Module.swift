// HoistRuntime: OCI runtime bundles and the runc executor (see DESIGN.md).

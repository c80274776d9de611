// HoistDockerfile: see DESIGN.md

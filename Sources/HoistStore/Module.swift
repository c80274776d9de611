// HoistStore: see DESIGN.md

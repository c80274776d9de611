// HoistArchive: see DESIGN.md

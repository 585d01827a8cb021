game { name = "Fixture", start = "z:a" }

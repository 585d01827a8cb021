room { key = "a", name = "A", desc = "Room a.", exits = { north = "b" } }
room { key = "b", name = "B", desc = "Room b.", exits = { south = "a" } }

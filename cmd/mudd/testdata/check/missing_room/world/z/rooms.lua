room { key = "a", name = "A", desc = "Room a.", exits = { north = "b", east = "c" } }
room { key = "b", name = "B", desc = "Room b.", exits = { south = "a" } }

room { key = "a", name = "Room A", desc = "Room a.", exits = { north = "b" } }
room { key = "b", name = "Room B", desc = "Room b.", exits = { south = "a" } }
item { key = "coin", name = "a coin", ground = "A coin lies here." }

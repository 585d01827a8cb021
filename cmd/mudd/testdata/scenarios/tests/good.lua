local p = player("Alice")
p:cmd("north")
expect_room(p, "z:b")
p:expect("A coin lies here.")

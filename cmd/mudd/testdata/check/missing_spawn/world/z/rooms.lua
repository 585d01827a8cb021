room { key = "a", name = "A", desc = "Room a.", exits = { north = "b" } }
room { key = "b", name = "B", desc = "Room b.", exits = { south = "a" },
  -- room:spawn("z:comment") in a comment is not a call
  on_enter = function(room, who)
    room:spawn("z:ghost")
  end }
